/**
 * Element types of covnet tensors and the typed arrays that hold them.
 *
 * @module
 */

/** Element type of a tensor. `int32` holds indices, masks and counts. */
export type DType = "float32" | "float64" | "int32";

/** Floating-point element types, the only ones that carry gradients. */
export type FloatDType = "float32" | "float64";

/** Typed array class used for each dtype. */
export interface TypedArrayOf {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
}

/** Any typed array that can back a tensor. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** All dtypes, in a stable order. */
export const DTYPES: readonly DType[] = ["float32", "float64", "int32"];

/** Returns true for `float32` and `float64`. */
export function isFloatDType(dtype: DType): dtype is FloatDType {
  return dtype === "float32" || dtype === "float64";
}

/** Allocates a zero-filled typed array of `size` elements for `dtype`. */
export function allocTypedArray<D extends DType>(dtype: D, size: number): TypedArrayOf[D] {
  switch (dtype) {
    case "float32":
      return new Float32Array(size) as TypedArrayOf[D];
    case "float64":
      return new Float64Array(size) as TypedArrayOf[D];
    case "int32":
      return new Int32Array(size) as TypedArrayOf[D];
  }
  throw new TypeError(`unknown dtype ${String(dtype)}`);
}

/** Returns the dtype that a typed array stores. */
export function dtypeOfArray(values: TypedArray): DType {
  if (values instanceof Float32Array) return "float32";
  if (values instanceof Float64Array) return "float64";
  return "int32";
}

/**
 * Copies `values` into a new typed array of `dtype`. Conversion to `int32` truncates towards zero,
 * as `Int32Array` assignment does.
 */
export function convertTypedArray<D extends DType>(
  values: ArrayLike<number>,
  dtype: D,
): TypedArrayOf[D] {
  const out = allocTypedArray(dtype, values.length);
  if (dtype === "int32") {
    for (let i = 0; i < values.length; i++) out[i] = Math.trunc(values[i] as number);
  } else {
    out.set(values as ArrayLike<number>);
  }
  return out;
}

/** Bytes per element of `dtype`. */
export function bytesPerElement(dtype: DType): number {
  return dtype === "float64" ? 8 : 4;
}
