/**
 * The exported model format that `covnet export` writes and browsers read: one self-contained
 * JSON file with the architecture, energy statistics, units and weights of a Cormorant network.
 * This module has no Node.js dependencies, so browser code can import it.
 *
 * @module
 */
import type { FloatDType } from "@covnet/core";
import type { CormorantConfig } from "./config.js";

/** Version of the basis, phase and ordering conventions that saved weights depend on. */
export const CONVENTION_VERSION = "covnet-so3-real-v1";

/** Format tag of an exported model file. */
export const EXPORT_FORMAT = "covnet-cormorant-export";

/** Weight encodings of an export: base64 of little-endian float32, or JSON numbers. */
export const WEIGHT_ENCODINGS = ["float32-base64", "numbers"] as const;

/** A weight encoding of an exported model. */
export type WeightEncoding = (typeof WEIGHT_ENCODINGS)[number];

/** One exported parameter tensor. */
export interface ExportedTensor {
  readonly shape: readonly number[];
  /** Base64 of little-endian float32 values, or the values themselves. */
  readonly data: string | readonly number[];
}

/** One reference frame of a dataset, stored with an exported model. */
export interface ExportedFrame {
  /** Index of the frame in its dataset. */
  readonly index: number;
  /** Atomic numbers `[atoms]`. */
  readonly charges: readonly number[];
  /** `[atoms * 3]`, Angstrom. */
  readonly positions: readonly number[];
  /** Reference energy in the dataset's energy unit. */
  readonly energy?: number;
  /** Reference forces `[atoms * 3]` in the dataset's force unit. */
  readonly forces?: readonly number[];
}

/** Contents of an exported model file (`formatVersion` 1). */
export interface ExportedCormorant {
  readonly format: typeof EXPORT_FORMAT;
  readonly formatVersion: 1;
  /** Must equal {@link CONVENTION_VERSION}; loaders reject any other value. */
  readonly conventionVersion: string;
  readonly config: CormorantConfig;
  /** The dtype the model was trained in. */
  readonly dtype: FloatDType;
  /**
   * Energies are `sum_i (scale * out_i + offsets[Z_i])`, with `offsets` keyed by atomic number.
   */
  readonly energyStatistics: {
    readonly scale: number;
    readonly offsets: Readonly<Record<string, number>>;
  };
  /** Units of the predictions, such as kcal/mol, angstrom and kcal/mol/A. */
  readonly units: { readonly energy: string; readonly length: string; readonly forces: string };
  readonly dataset: { readonly id: string; readonly target?: string };
  readonly metrics?: Readonly<Record<string, unknown>>;
  /** Row-major weights keyed by the dotted parameter names of `Cormorant.stateDict()`. */
  readonly weights: {
    readonly encoding: WeightEncoding;
    readonly tensors: Readonly<Record<string, ExportedTensor>>;
  };
  /** Reference frames, present when the export asked for them. */
  readonly frames?: {
    readonly dataset: string;
    readonly units: { readonly energy?: string; readonly forces?: string; readonly length: string };
    readonly items: readonly ExportedFrame[];
  };
}
