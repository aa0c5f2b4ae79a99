/**
 * `covnet predict`: energies and forces of every frame of an XYZ file.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { neighborList, parseXyz } from "@covnet/datasets";
import {
  loadCormorant,
  readSavedCormorant,
  resolveModelPath,
  toAtomsInput,
} from "@covnet/models-cormorant";
import { Command, Options } from "@effect/cli";
import { Effect } from "effect";
import { CliError, cliLogger, createEngine, emitJson, say } from "../runtime.js";
import { backendOption, dtypeOption, jsonOption, verboseOption } from "./options.js";

const predictOptions = {
  checkpoint: Options.text("checkpoint").pipe(
    Options.withDescription(
      "A training output directory, a model.json file, or pretrained:rmd17/ethanol or pretrained:rmd17/aspirin.",
    ),
  ),
  xyz: Options.text("xyz").pipe(
    Options.withDescription(
      "XYZ or extended XYZ file with one or more frames; positions in Angstrom.",
    ),
  ),
  dtype: dtypeOption("float64"),
  backend: backendOption,
  json: jsonOption,
  verbose: verboseOption,
};

/** `covnet predict`. */
export const predictCommand = Command.make("predict", predictOptions, (a) =>
  Effect.tryPromise({
    try: async () => {
      const saved = readSavedCormorant(resolveModelPath(a.checkpoint));
      let text: string;
      try {
        text = readFileSync(a.xyz, "utf8");
      } catch (error) {
        throw new CliError(`cannot read ${a.xyz}: ${(error as Error).message}`);
      }
      const frames = parseXyz(text, a.xyz);
      const engine = await createEngine(a.backend, a.dtype, cliLogger(a.verbose));
      const model = loadCormorant(engine, saved, a.dtype);
      const inputOptions = {
        species: model.config.species,
        chargePower: model.config.chargePower,
        dtype: a.dtype,
      };
      const results: { frame: number; energy: number; forces: number[][] }[] = [];
      for (const [k, frame] of frames.entries()) {
        const n = frame.charges.length;
        const edges = neighborList(frame.positions, model.config.cutoff);
        // The scope frees the intermediates; energies and forces survive it until they are read.
        const { energies, forces } = engine.scope(() => {
          const input = toAtomsInput(
            engine,
            {
              numMolecules: 1,
              numAtoms: n,
              charges: frame.charges,
              positions: frame.positions,
              moleculeIndex: new Int32Array(n),
              edgeSrc: edges.src,
              edgeDst: edges.dst,
            },
            inputOptions,
          );
          return model.energiesAndForces(input);
        });
        let energyValues: ArrayLike<number>;
        let forceValues: number[];
        try {
          const [e, f] = await Promise.all([energies.data(), forces.data()]);
          energyValues = e;
          forceValues = Array.from(f);
        } finally {
          energies.dispose();
          forces.dispose();
        }
        const energy = energyValues[0] as number;
        say(a.json, `frame ${k}: energy ${energy.toFixed(6)} ${saved.units.energy}`);
        const atomForces = Array.from({ length: n }, (_, i) => forceValues.slice(3 * i, 3 * i + 3));
        results.push({ frame: k, energy, forces: atomForces });
      }
      emitJson(a.json, {
        command: "predict",
        units: { energy: saved.units.energy, forces: saved.units.forces },
        frames: results,
        count: results.length,
      });
    },
    catch: (e) => e,
  }),
).pipe(Command.withDescription("Predict energy and forces for every frame of an XYZ file."));
