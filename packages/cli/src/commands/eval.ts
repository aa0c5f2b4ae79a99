/**
 * `covnet eval`: errors of a saved model on a dataset.
 *
 * @module
 */

import { loadDataset } from "@covnet/datasets";
import {
  evaluateCormorant,
  loadCormorant,
  readSavedCormorant,
  resolveModelPath,
} from "@covnet/models-cormorant";
import { Command, Options } from "@effect/cli";
import { Effect, Option } from "effect";
import { CliError, cliLogger, createEngine, emitJson, say, withMeV } from "../runtime.js";
import {
  backendOption,
  dataOption,
  dtypeOption,
  jsonOption,
  targetOption,
  verboseOption,
} from "./options.js";

const evalOptions = {
  checkpoint: Options.text("checkpoint").pipe(
    Options.withDescription(
      "A training output directory, a model.json file, or pretrained:rmd17/ethanol or pretrained:rmd17/aspirin.",
    ),
  ),
  dataset: Options.text("dataset").pipe(
    Options.optional,
    Options.withDescription(
      "Dataset id to evaluate on (default: the one the model was trained on).",
    ),
  ),
  data: dataOption,
  target: targetOption,
  split: Options.choice("split", ["test", "train", "all"] as const).pipe(
    Options.withDefault("test" as const),
    Options.withDescription(
      "Which molecules: the dataset's test split (the whole set when it has none), its training split, or all.",
    ),
  ),
  limit: Options.integer("limit").pipe(
    Options.withDefault(0),
    Options.withDescription("Evaluate only the first N molecules of the split (0: all)."),
  ),
  dtype: dtypeOption("float64"),
  backend: backendOption,
  json: jsonOption,
  verbose: verboseOption,
};

/** `covnet eval`. */
export const evalCommand = Command.make("eval", evalOptions, (a) =>
  Effect.tryPromise({
    try: async () => {
      const saved = readSavedCormorant(resolveModelPath(a.checkpoint));
      const id = Option.getOrElse(a.dataset, () => saved.dataset.id);
      const ds = await loadDataset(id, {
        ...(Option.isSome(a.data) ? { dataPath: a.data.value } : {}),
        ...(Option.isSome(a.target) ? { target: a.target.value } : {}),
      });
      const all = Int32Array.from({ length: ds.size }, (_, i) => i);
      let indices: Int32Array = all;
      if (a.split !== "all" && ds.predefinedSplit !== undefined)
        indices = ds.predefinedSplit[a.split];
      if (a.limit > 0) indices = indices.subarray(0, a.limit);
      if (indices.length === 0)
        throw new CliError(`no molecules to evaluate in the ${a.split} split of ${ds.id}`);
      const engine = await createEngine(a.backend, a.dtype, cliLogger(a.verbose));
      const model = loadCormorant(engine, saved, a.dtype);
      const m = await evaluateCormorant(model, ds, indices);
      say(a.json, `covnet: ${ds.id}, ${a.split} split, ${m.count} molecules`);
      say(
        a.json,
        `  energy MAE ${withMeV(m.energy.mae, m.energy.unit)}, RMSE ${withMeV(m.energy.rmse, m.energy.unit)}`,
      );
      if (m.forces !== undefined) {
        say(
          a.json,
          `  force  MAE ${withMeV(m.forces.mae, m.forces.unit)}, RMSE ${withMeV(m.forces.rmse, m.forces.unit)}`,
        );
      }
      emitJson(a.json, {
        command: "eval",
        dataset: ds.id,
        split: a.split,
        metrics: { energy: m.energy, ...(m.forces ? { forces: m.forces } : {}) },
        count: m.count,
        backend: engine.backendName,
        dtype: a.dtype,
      });
    },
    catch: (e) => e,
  }),
).pipe(
  Command.withDescription("Report energy and force MAE and RMSE of a saved model on a dataset."),
);
