/**
 * `covnet export`: a saved Cormorant model as one self-contained JSON file that a browser can load
 * without Node.js, optionally with a few reference frames of a dataset.
 *
 * The file (`format` "covnet-cormorant-export", `formatVersion` 1) has these fields:
 *
 * - `conventionVersion`: the basis, phase and ordering conventions the weights depend on
 *   (`CONVENTION_VERSION` of `@covnet/models-cormorant`); a loader rejects any other value;
 * - `config`: the `CormorantConfig` (maxl, levels, channels, species, cutoff in Angstrom, ...);
 * - `dtype`: the dtype the model was trained in;
 * - `energyStatistics`: `{ scale, offsets }` where `offsets` maps an atomic number to an energy
 *   per atom; energies are `sum_i (scale * out_i + offsets[Z_i])`;
 * - `units`: `{ energy, length, forces }` of the predictions, such as kcal/mol, angstrom and
 *   kcal/mol/A;
 * - `dataset` and `metrics`: copied from the saved model;
 * - `weights`: `{ encoding, tensors }`. With `encoding` "float32-base64", every tensor's `data` is
 *   its row-major values as little-endian IEEE float32, base64 encoded. With "numbers", `data` is
 *   a JSON array of the values, unrounded. Tensors are keyed by the dotted parameter names of
 *   `Cormorant.stateDict()` and carry their `shape`;
 * - `frames` (only with `--frames`): `{ dataset, units, items }`, where each item has the frame's
 *   `index` in the dataset, `charges` (atomic numbers), `positions` `[atoms * 3]` in Angstrom,
 *   and the reference `energy` and `forces` `[atoms * 3]` in the dataset's units.
 *
 * @module
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { loadDataset } from "@covnet/datasets";
import {
  CONVENTION_VERSION,
  EXPORT_FORMAT,
  type ExportedCormorant,
  type ExportedFrame,
  type ExportedTensor,
  readSavedCormorant,
  resolveModelPath,
  type SavedCormorant,
  WEIGHT_ENCODINGS,
  type WeightEncoding,
} from "@covnet/models-cormorant";
import { Command, Options } from "@effect/cli";
import { Effect, Option } from "effect";
import { CliError, emitJson, say } from "../runtime.js";
import { jsonOption } from "./options.js";

/** Encodes values as base64 of little-endian float32. */
export function encodeFloat32Base64(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i] as number, true);
  return Buffer.from(bytes).toString("base64");
}

/**
 * Parses a frame selection such as `rmd17/ethanol:0-9` or `rmd17/aspirin:0,5,10-12` into the
 * dataset id and the sorted, distinct frame indices. Ranges include both ends.
 *
 * @throws {CliError} on a missing colon, an empty or malformed range, or a descending range.
 */
export function parseFrameSelection(spec: string): { dataset: string; indices: number[] } {
  const colon = spec.lastIndexOf(":");
  if (colon <= 0 || colon === spec.length - 1) {
    throw new CliError(
      `--frames "${spec}" is invalid; expected DATASET:RANGES such as rmd17/ethanol:0-9`,
    );
  }
  const dataset = spec.slice(0, colon);
  const indices = new Set<number>();
  for (const part of spec.slice(colon + 1).split(",")) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (match === null) {
      throw new CliError(`--frames "${spec}": "${part}" is not an index or a range such as 0-9`);
    }
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) throw new CliError(`--frames "${spec}": range ${part} runs backwards`);
    for (let i = first; i <= last; i++) indices.add(i);
  }
  return { dataset, indices: [...indices].sort((a, b) => a - b) };
}

/** Converts a saved model into the export format. */
export function exportCormorant(
  saved: SavedCormorant,
  encoding: WeightEncoding,
): ExportedCormorant {
  const tensors: Record<string, ExportedTensor> = {};
  for (const [name, record] of Object.entries(saved.state)) {
    const data = encoding === "numbers" ? [...record.data] : encodeFloat32Base64(record.data);
    tensors[name] = { shape: [...record.shape], data };
  }
  return {
    format: EXPORT_FORMAT,
    formatVersion: 1,
    conventionVersion: CONVENTION_VERSION,
    config: saved.config,
    dtype: saved.dtype,
    energyStatistics: saved.energyStatistics,
    units: saved.units,
    dataset: saved.dataset,
    ...(saved.metrics === undefined ? {} : { metrics: saved.metrics }),
    weights: { encoding, tensors },
  };
}

/**
 * Reads the selected frames of a dataset.
 *
 * @throws {CliError} when an index is outside the dataset.
 */
async function readFrames(spec: string): Promise<NonNullable<ExportedCormorant["frames"]>> {
  const { dataset: id, indices } = parseFrameSelection(spec);
  const ds = await loadDataset(id);
  const items = indices.map((index): ExportedFrame => {
    if (index >= ds.size) {
      throw new CliError(
        `--frames ${spec}: frame ${index} is outside ${ds.id}, which has ${ds.size} frames`,
      );
    }
    const m = ds.molecule(index);
    return {
      index,
      charges: Array.from(m.charges),
      positions: Array.from(m.positions),
      ...(m.energy === undefined ? {} : { energy: m.energy }),
      ...(m.forces === undefined ? {} : { forces: Array.from(m.forces) }),
    };
  });
  const units = {
    length: ds.units.length,
    ...(ds.units.energy === undefined ? {} : { energy: ds.units.energy }),
    ...(ds.units.force === undefined ? {} : { forces: ds.units.force }),
  };
  return { dataset: ds.id, units, items };
}

const exportOptions = {
  checkpoint: Options.text("checkpoint").pipe(
    Options.withDescription(
      "A training output directory, a model.json file, or pretrained:rmd17/ethanol or pretrained:rmd17/aspirin.",
    ),
  ),
  out: Options.text("out").pipe(Options.withDescription("Path of the exported model file.")),
  format: Options.choice("format", ["json"] as const).pipe(
    Options.withDefault("json" as const),
    Options.withDescription("File format of the export; json is one self-contained JSON file."),
  ),
  weights: Options.choice("weights", WEIGHT_ENCODINGS).pipe(
    Options.withDefault("float32-base64" as const),
    Options.withDescription(
      "Weight encoding: float32-base64 (compact, float32 precision) or numbers (JSON numbers, full precision).",
    ),
  ),
  frames: Options.text("frames").pipe(
    Options.optional,
    Options.withDescription(
      "Also store reference frames (positions, energies, forces), such as rmd17/ethanol:0-9 or rmd17/ethanol:0,5,10-12.",
    ),
  ),
  json: jsonOption,
};

/** `covnet export`. */
export const exportCommand = Command.make("export", exportOptions, (a) =>
  Effect.tryPromise({
    try: async () => {
      const saved = readSavedCormorant(resolveModelPath(a.checkpoint));
      const exported = exportCormorant(saved, a.weights);
      const frames = Option.isSome(a.frames) ? await readFrames(a.frames.value) : undefined;
      const file: ExportedCormorant = frames === undefined ? exported : { ...exported, frames };
      const text = `${JSON.stringify(file)}\n`;
      mkdirSync(dirname(a.out), { recursive: true });
      const tmp = `${a.out}.tmp-${process.pid}`;
      writeFileSync(tmp, text);
      renameSync(tmp, a.out);
      const bytes = Buffer.byteLength(text);
      const parameters = Object.values(saved.state).reduce((s, r) => s + r.data.length, 0);
      say(
        a.json,
        `covnet: exported ${parameters} parameters${frames ? ` and ${frames.items.length} frames` : ""} to ${a.out} (${bytes} bytes)`,
      );
      emitJson(a.json, {
        command: "export",
        out: a.out,
        bytes,
        parameters,
        encoding: a.weights,
        frames: frames?.items.length ?? 0,
      });
    },
    catch: (e) => e,
  }),
).pipe(
  Command.withDescription("Write a saved Cormorant model as one JSON file a browser can load."),
);
