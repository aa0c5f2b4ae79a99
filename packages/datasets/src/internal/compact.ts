/**
 * Encoding of the embedded compact files: `.npz` archives with deflated members, where some
 * float64 arrays are stored as int64 fixed-point values `round(x * 10^decimals)`.
 */
import { datasetError } from "../errors.js";
import type { NpyArray } from "../formats/npy.js";

/** Layout of `meta.json` inside an embedded `.npz`. */
export interface CompactMeta {
  /** Decimal places of each fixed-point member (value = stored / 10^decimals). */
  readonly fixedPoint: Readonly<Record<string, number>>;
  readonly [key: string]: unknown;
}

/** Encodes `values` as int64 fixed point with `decimals` decimal places. */
export function encodeFixedPoint(values: Float64Array, decimals: number): BigInt64Array {
  const scale = 10 ** decimals;
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = BigInt(Math.round((values[i] as number) * scale));
  }
  return out;
}

/** Returns the largest absolute error of {@link encodeFixedPoint} followed by decoding. */
export function fixedPointError(values: Float64Array, decimals: number): number {
  const scale = 10 ** decimals;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    max = Math.max(max, Math.abs(Math.round(v * scale) / scale - v));
  }
  return max;
}

/** Decodes a member read by `parseNpy` (int64 arrive as float64 integers) to float64 values. */
export function decodeFixedPoint(array: NpyArray, decimals: number, file: string): Float64Array {
  if (!(array.data instanceof Float64Array) || !array.dtype.endsWith("i8")) {
    throw datasetError(file, `fixed-point member must be int64, found ${array.dtype}`);
  }
  const scale = 10 ** decimals;
  const out = array.data;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / scale;
  return out;
}
