/**
 * The kernel contract: every kernel name with its inputs and attributes, in one place. Backends
 * implement kernels by these names; operations validate their arguments and then call them, so a
 * kernel may assume valid input (matching dtypes, compatible shapes, normalised axes).
 *
 * Shapes in the comments use `[...]` notation; `B(a, b)` is the NumPy broadcast of two shapes.
 *
 * @module
 */
import type { DType } from "./dtype.js";

/** Names of the elementwise unary kernels. Output has the input's shape and dtype. */
export const UNARY_KERNELS = [
  "Neg",
  "Abs",
  "Sign",
  "Exp",
  "Log",
  "Sqrt",
  "Square",
  "Sin",
  "Cos",
  "Tanh",
  "Sigmoid",
  "Relu",
  "Softplus",
  "Silu",
] as const;

/** An elementwise unary kernel name. */
export type UnaryKernel = (typeof UNARY_KERNELS)[number];

/** Names of the elementwise binary kernels, with NumPy broadcasting: `[B(a, b)]`. */
export const BINARY_KERNELS = ["Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum"] as const;

/** An elementwise binary kernel name. */
export type BinaryKernel = (typeof BINARY_KERNELS)[number];

/** Names of the comparison kernels; output is `int32` 0/1 with shape `[B(a, b)]`. */
export const COMPARISON_KERNELS = [
  "Equal",
  "NotEqual",
  "Less",
  "LessEqual",
  "Greater",
  "GreaterEqual",
] as const;

/** A comparison kernel name. */
export type ComparisonKernel = (typeof COMPARISON_KERNELS)[number];

/** Names of the reduction kernels over a sorted list of axes, dropping them from the shape. */
export const REDUCTION_KERNELS = ["Sum", "Max", "Min"] as const;

/** A reduction kernel name. */
export type ReductionKernel = (typeof REDUCTION_KERNELS)[number];

/** Attributes of a CG product kernel call; the plan is built by `@covnet/cg`. */
export interface CGProductAttrs {
  /** Compiled plan: coupling paths, offsets and coefficient table (see {@link CGPlanData}). */
  readonly plan: CGPlanData;
  /**
   * Operand that the kernel computes from the other three. `out` is the forward product;
   * `x1`, `x2` and `weights` are the adjoint contractions used by the backward pass.
   */
  readonly target: CGOperand;
  /** Number of batch items `b`. */
  readonly batch: number;
  /** True when weights are given per item (`[b, weightDim]`), false when shared (`[weightDim]`). */
  readonly perItemWeights: boolean;
}

/** Operands of a CG product: `out[b] = sum_paths w * C * x1[b] * x2[b]`. */
export type CGOperand = "out" | "x1" | "x2" | "weights";

/** How channels of the two inputs combine on a coupling path. */
export type CGChannelMode =
  /** every channel `u` of `x1` with every channel `v` of `x2`; output channel `u * tau2 + v`. */
  | "uvuv"
  /** matching channels: output channel `u` from `x1[u] * x2[u]`. */
  | "uuu"
  /** every pair, mixed by weights `w[path, u, v, k]` into output channel `k`. */
  | "uvw"
  /** channel `u` of `x1` with each channel `v` of `x2`, weighted by `w[path, u, v]`, into `u`. */
  | "uvu";

/** One coupling path `l1 (x) l2 -> l` of a CG plan, with its offsets in the flat item layouts. */
export interface CGPathData {
  readonly l1: number;
  readonly l2: number;
  readonly l: number;
  /** Offset of the `x1` part in an item of `x1` (elements); the part is `[2 l1 + 1, tau1]`. */
  readonly offset1: number;
  /** Channel count of the `x1` part. */
  readonly tau1: number;
  /** Offset of the `x2` part in an item of `x2`; the part is `[2 l2 + 1, tau2]`. */
  readonly offset2: number;
  /** Channel count of the `x2` part. */
  readonly tau2: number;
  /** Offset of the output part in an item of `out`; the part is `[2 l + 1, tauOut]`. */
  readonly offsetOut: number;
  /** Channel count of the output part (the whole part, which several paths may share). */
  readonly tauOut: number;
  /** First output channel this path writes (paths that share an output part stack channels). */
  readonly channelOffsetOut: number;
  /** Offset of this path's weights in a weight item, or -1 for unweighted modes. */
  readonly weightOffset: number;
  /** Index of the first coefficient of this path in `coefficients`; `count` entries follow. */
  readonly coefficientStart: number;
  readonly coefficientCount: number;
  /** Multiplier applied to the whole path (normalisation). */
  readonly pathWeight: number;
}

/**
 * A compiled CG product plan, plain data shared by every backend. Coefficients are stored as
 * parallel arrays of `(m1, m2, m, value)` with `m` indices running `0..2l` (row index in the part).
 */
export interface CGPlanData {
  /** Cache key of the plan; equal keys mean equal plans. */
  readonly key: string;
  readonly mode: CGChannelMode;
  /** Elements per batch item of `x1`, `x2` and `out`. */
  readonly dim1: number;
  readonly dim2: number;
  readonly dimOut: number;
  /** Weights per item (per path for shared weights), 0 for unweighted modes. */
  readonly weightDim: number;
  readonly paths: readonly CGPathData[];
  readonly m1: Int32Array;
  readonly m2: Int32Array;
  readonly m: Int32Array;
  readonly coefficients: Float64Array;
}

/** Inputs and attributes of every kernel. Inputs are listed in call order. */
export interface KernelSpecs {
  /** `x -> f(x)`, elementwise. */
  Unary: { inputs: ["x"]; attrs: { op: UnaryKernel } };
  /** `(a, b) -> f(a, b)` with broadcasting; `a` and `b` share a dtype. */
  Binary: { inputs: ["a", "b"]; attrs: { op: BinaryKernel } };
  /** `(a, b) -> int32 0/1` with broadcasting. */
  Compare: { inputs: ["a", "b"]; attrs: { op: ComparisonKernel } };
  /** `where(cond, a, b)`: `cond` is int32 (non-zero is true); all three broadcast together. */
  Where: { inputs: ["cond", "a", "b"]; attrs: Record<string, never> };
  /** Reduction over sorted, distinct `axes`; the axes are removed from the output shape. */
  Reduce: { inputs: ["x"]; attrs: { op: ReductionKernel; axes: readonly number[] } };
  /** Broadcast `x` to `shape` (NumPy rules). */
  BroadcastTo: { inputs: ["x"]; attrs: { shape: readonly number[] } };
  /**
   * `a [...batchA, m, k] @ b [...batchB, k, n] -> [B(batchA, batchB), m, n]`; with `transposeA`
   * the last two axes of `a` are read swapped, likewise `transposeB`.
   */
  BatchMatMul: { inputs: ["a", "b"]; attrs: { transposeA: boolean; transposeB: boolean } };
  /** Axis permutation: output axis `i` is input axis `perm[i]`. */
  Transpose: { inputs: ["x"]; attrs: { perm: readonly number[] } };
  /** Contiguous box `[begin, begin + size)` on every axis. */
  Slice: { inputs: ["x"]; attrs: { begin: readonly number[]; size: readonly number[] } };
  /** Constant padding: `paddings[i] = [before, after]` on axis `i`. */
  Pad: {
    inputs: ["x"];
    attrs: { paddings: readonly (readonly [number, number])[]; value: number };
  };
  /** Concatenation of inputs of equal dtype along `axis`; other axes agree. */
  Concat: { inputs: "variadic"; attrs: { axis: number } };
  /**
   * `x [...pre, n, ...post]` gathered along `axis` with int32 `indices [k]` (each in `0..n-1`):
   * output `[...pre, k, ...post]`.
   */
  Gather: { inputs: ["x", "indices"]; attrs: { axis: number } };
  /**
   * Segment sum along axis 0: `x [n, ...rest]` with int32 `segmentIds [n]` (each in
   * `0..numSegments-1`, any order) gives `[numSegments, ...rest]`. With `deterministic`, the
   * summation order is fixed, whatever the backend's parallelism.
   */
  SegmentSum: {
    inputs: ["x", "segmentIds"];
    attrs: { numSegments: number; deterministic: boolean };
  };
  /**
   * Sparse matrix times dense rows. `rowStart [rows + 1]` and `columns [nnz]` (int32) with
   * `values [nnz]` hold a `rows x n` matrix in compressed sparse row form, entries of each row in
   * any column order. With `x [n, inner]` the output is `[rows, inner]`:
   * `out[r, j] = sum of values[t] * x[columns[t], j]` over `t` from `rowStart[r]` to
   * `rowStart[r + 1] - 1`, added in `t` order. The last three inputs hold the transposed matrix
   * in the same form. The kernel does not read them, but the gradient with respect to `x`
   * multiplies by them, and passing them as inputs keeps them alive until the backward pass.
   * A matrix stored without its transpose passes three empty `[0]` tensors instead, and its
   * gradient uses `SparseMatMulTransposed`.
   */
  SparseMatMul: {
    inputs: ["rowStart", "columns", "values", "x", "rowStartT", "columnsT", "valuesT"];
    attrs: { rows: number };
  };
  /**
   * The transposed product of a matrix in the form of `SparseMatMul`, read row by row: with
   * `y [rows, inner]` the output is `[columns, inner]`,
   * `out[c, j] = sum of values[t] * y[r, j]` over the entries `t` of column `c`, added in
   * increasing `t`. A backend may leave it out; matrices on that backend store their transpose.
   */
  SparseMatMulTransposed: {
    inputs: ["rowStart", "columns", "values", "y"];
    attrs: { columns: number };
  };
  /** Element type conversion; float to int32 truncates towards zero. */
  Cast: { inputs: ["x"]; attrs: { dtype: DType } };
  /**
   * Real spherical harmonics of `vectors [n, 3]` for `l = 0..lmax`, output `[n, (lmax+1)^2]` with
   * parts in increasing `l` and `m = -l..l`. Vectors are used as given (normalise first for unit
   * vectors); `Y_l` is a homogeneous polynomial of degree `l`, orthonormal on the sphere with
   * `componentNormalization = false`, or scaled so that each `|Y_l(unit x)|^2 = 2l + 1` otherwise.
   */
  SphericalHarmonics: {
    inputs: ["vectors"];
    attrs: { lmax: number; componentNormalization: boolean };
  };
  /**
   * Backward of `SphericalHarmonics`: `grad [n, (lmax+1)^2]` and `vectors [n, 3]` give the
   * vector-Jacobian product `[n, 3]`.
   */
  SphericalHarmonicsGrad: {
    inputs: ["vectors", "grad"];
    attrs: { lmax: number; componentNormalization: boolean };
  };
  /**
   * CG product of batched items. Inputs are always `[x1 [b, dim1], x2 [b, dim2], weights, out]`
   * with the operand named by `attrs.target` passed as an empty `[0]` placeholder and ignored. `weights` is `[weightDim]` (shared) or `[b, weightDim]` (per item), or an empty
   * placeholder in unweighted modes. The result has the shape of the target operand. For
   * `target = "weights"` with shared weights, the result sums over the batch.
   */
  CGProduct: { inputs: ["x1", "x2", "weights", "out"]; attrs: CGProductAttrs };
}

/** A kernel name of the contract. */
export type KernelName = keyof KernelSpecs;

/** Attributes of kernel `K`. */
export type KernelAttrs<K extends KernelName> = KernelSpecs[K]["attrs"];

/** The list of every kernel name, for registries and conformance suites. */
export const KERNEL_NAMES: readonly KernelName[] = [
  "Unary",
  "Binary",
  "Compare",
  "Where",
  "Reduce",
  "BroadcastTo",
  "BatchMatMul",
  "Transpose",
  "Slice",
  "Pad",
  "Concat",
  "Gather",
  "SegmentSum",
  "SparseMatMul",
  "SparseMatMulTransposed",
  "Cast",
  "SphericalHarmonics",
  "SphericalHarmonicsGrad",
  "CGProduct",
];
