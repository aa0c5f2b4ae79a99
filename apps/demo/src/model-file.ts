/**
 * Reader for the model files written by `covnet export`: validation, weight decoding and the
 * rebuilt Cormorant network.
 *
 * @module
 */
import { type Engine, type FloatDType, Random } from "@covnet/core";
import {
  CONVENTION_VERSION,
  Cormorant,
  EXPORT_FORMAT,
  type ExportedCormorant,
  type ExportedFrame,
  type ExportedTensor,
} from "@covnet/models-cormorant/browser";

/** Contents of a model file written by `covnet export`. */
export type ModelFile = ExportedCormorant;

/** One reference frame stored with the model. */
export type ReferenceFrame = ExportedFrame;

export { CONVENTION_VERSION, EXPORT_FORMAT, type ExportedTensor };

/** A model file that cannot be used, with the name of the file. */
export class ModelFileError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = "ModelFileError";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Checks that `value` (parsed JSON) is an exported Cormorant model in a format and with
 * conventions this code reads.
 *
 * @param source File name or URL used in error messages.
 * @throws {ModelFileError} naming the first field that is missing or has another value.
 */
export function parseModelFile(value: unknown, source: string): ModelFile {
  if (!isRecord(value)) throw new ModelFileError(source, "expected a JSON object");
  if (value.format !== EXPORT_FORMAT) {
    throw new ModelFileError(
      source,
      `format is "${String(value.format)}", expected "${EXPORT_FORMAT}" (write it with covnet export)`,
    );
  }
  if (value.formatVersion !== 1) {
    throw new ModelFileError(
      source,
      `formatVersion ${String(value.formatVersion)} is not supported; expected 1`,
    );
  }
  if (value.conventionVersion !== CONVENTION_VERSION) {
    throw new ModelFileError(
      source,
      `conventionVersion is "${String(value.conventionVersion)}", but this demo uses "${CONVENTION_VERSION}"`,
    );
  }
  for (const field of ["config", "energyStatistics", "units", "weights"] as const) {
    if (!isRecord(value[field]))
      throw new ModelFileError(source, `missing object field "${field}"`);
  }
  const weights = value.weights as Record<string, unknown>;
  if (weights.encoding !== "float32-base64" && weights.encoding !== "numbers") {
    throw new ModelFileError(
      source,
      `weights.encoding "${String(weights.encoding)}" is unknown; expected float32-base64 or numbers`,
    );
  }
  if (!isRecord(weights.tensors))
    throw new ModelFileError(source, 'missing object field "weights.tensors"');
  return value as unknown as ModelFile;
}

/** Decodes base64 of little-endian float32 values. */
export function decodeFloat32Base64(text: string): Float32Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const values = new Float32Array(bytes.length >> 2);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(4 * i, true);
  return values;
}

type StateDict = Parameters<Cormorant["loadStateDict"]>[0];

/**
 * Decodes the weights into the state dict that `Module.loadStateDict` reads.
 *
 * @throws {ModelFileError} when a tensor's value count does not match its shape.
 */
export function decodeWeights(file: ModelFile, source: string): StateDict {
  const state: Record<string, StateDict[string]> = {};
  for (const [name, tensor] of Object.entries(file.weights.tensors)) {
    const values =
      typeof tensor.data === "string"
        ? Array.from(decodeFloat32Base64(tensor.data))
        : [...tensor.data];
    const size = tensor.shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) {
      throw new ModelFileError(
        source,
        `weight "${name}" has ${values.length} values, but its shape [${tensor.shape.join(", ")}] needs ${size}`,
      );
    }
    state[name] = { shape: [...tensor.shape], dtype: "float32", data: values };
  }
  return state;
}

/**
 * Rebuilds the network of a model file on `engine` in `dtype`, with its weights and energy
 * statistics.
 *
 * @throws {ModelFileError} on malformed weights; a `StateDictError` from `@covnet/nn` when the
 *   weights do not fit the architecture.
 */
export async function createModel(
  engine: Engine,
  file: ModelFile,
  dtype: FloatDType,
  source: string,
): Promise<Cormorant> {
  const model = new Cormorant(engine, file.config, new Random(0), dtype);
  await model.loadStateDict(decodeWeights(file, source));
  model.setEnergyStatistics(file.energyStatistics.scale, file.energyStatistics.offsets);
  return model;
}
