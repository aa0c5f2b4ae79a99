/**
 * Sparse matrices with constant entries, multiplied with dense tensors by the `SparseMatMul`
 * kernel.
 *
 * @module
 */
import type { FloatDType } from "../dtype.js";
import type { Engine } from "../engine.js";
import { ArgumentError, ShapeError } from "../errors.js";
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { reshape } from "./shape_ops.js";
import { engineOf } from "./validate.js";

/** One orientation of a sparse matrix in compressed sparse row form, as tensors. */
export interface CsrTensors {
  /** int32 `[rows + 1]`: entries of row `r` are `rowStart[r] .. rowStart[r + 1] - 1`. */
  readonly rowStart: Tensor;
  /** int32 `[nnz]`. */
  readonly columns: Tensor;
  /** Float `[nnz]`. */
  readonly values: Tensor;
}

/**
 * A `rows x columns` sparse matrix on an engine, stored in compressed sparse rows together with
 * its transpose, so that products with it can be differentiated. Its entries are constants: a
 * product gives gradients for the dense factor only.
 */
export interface SparseMatrix {
  readonly shape: readonly [number, number];
  /** Stored entries; duplicates of one position are kept and add up. */
  readonly nnz: number;
  readonly dtype: FloatDType;
  readonly csr: CsrTensors;
  /** The transposed matrix, `columns x rows`. */
  readonly csrTransposed: CsrTensors;
}

function compress(
  engine: Engine,
  rows: number,
  major: ArrayLike<number>,
  minor: ArrayLike<number>,
  values: ArrayLike<number>,
  dtype: FloatDType,
): CsrTensors {
  const nnz = major.length;
  const rowStart = new Int32Array(rows + 1);
  for (let t = 0; t < nnz; t++) {
    const r = (major[t] as number) + 1;
    rowStart[r] = (rowStart[r] as number) + 1;
  }
  for (let r = 0; r < rows; r++)
    rowStart[r + 1] = (rowStart[r + 1] as number) + (rowStart[r] as number);
  const next = rowStart.slice(0, rows);
  const columns = new Int32Array(nnz);
  const sorted = new Float64Array(nnz);
  // A stable counting sort: the entries of a row keep their input order.
  for (let t = 0; t < nnz; t++) {
    const r = major[t] as number;
    const at = next[r] as number;
    columns[at] = minor[t] as number;
    sorted[at] = values[t] as number;
    next[r] = at + 1;
  }
  return {
    rowStart: engine.makeTensor(rowStart, [rows + 1], "int32"),
    columns: engine.makeTensor(columns, [nnz], "int32"),
    values: engine.makeTensor(sorted, [nnz], dtype),
  };
}

function checkIndices(name: string, indices: ArrayLike<number>, bound: number): void {
  const integers = indices instanceof Int32Array;
  for (let t = 0; t < indices.length; t++) {
    const i = indices[t] as number;
    if (i < 0 || i >= bound || (!integers && !Number.isInteger(i))) {
      throw new ArgumentError(`sparseMatrix: ${name}[${t}] = ${i} is outside 0..${bound - 1}`);
    }
  }
}

/**
 * Builds a `shape[0] x shape[1]` sparse matrix from coordinate lists: entry `t` is
 * `values[t]` at (`rowIndices[t]`, `columnIndices[t]`). Duplicate positions add up.
 *
 * @throws {ArgumentError} when the lists differ in length or an index is out of range.
 */
export function sparseMatrix(
  engine: Engine,
  shape: readonly [number, number],
  rowIndices: ArrayLike<number>,
  columnIndices: ArrayLike<number>,
  values: ArrayLike<number>,
  dtype: FloatDType = engine.defaultFloat,
): SparseMatrix {
  const [rows, columns] = shape;
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(columns) || columns < 0) {
    throw new ArgumentError(
      `sparseMatrix: shape must be two non-negative integers, got [${shape.join(", ")}]`,
    );
  }
  const nnz = values.length;
  if (rowIndices.length !== nnz || columnIndices.length !== nnz) {
    throw new ArgumentError(
      `sparseMatrix: expected one row and one column index per value, got ${rowIndices.length} rows, ${columnIndices.length} columns and ${nnz} values`,
    );
  }
  checkIndices("rowIndices", rowIndices, rows);
  checkIndices("columnIndices", columnIndices, columns);
  return {
    shape: [rows, columns],
    nnz,
    dtype,
    csr: compress(engine, rows, rowIndices, columnIndices, values, dtype),
    csrTransposed: compress(engine, columns, columnIndices, rowIndices, values, dtype),
  };
}

/** Transposes a sparse matrix without copying: the result shares its tensors. */
export function transposeSparse(matrix: SparseMatrix): SparseMatrix {
  return {
    shape: [matrix.shape[1], matrix.shape[0]],
    nnz: matrix.nnz,
    dtype: matrix.dtype,
    csr: matrix.csrTransposed,
    csrTransposed: matrix.csr,
  };
}

/**
 * Multiplies a sparse matrix `[rows, n]` with `x [n, ...rest]`: `[rows, ...rest]`. The product
 * is differentiable in `x` (to any order); the matrix entries get no gradient.
 *
 * @throws {ShapeError} when `x` does not have `n` rows.
 */
export function sparseMatMul(matrix: SparseMatrix, x: Tensor): Tensor {
  const engine = engineOf("sparseMatMul", [x, matrix.csr.values]);
  const [rows, n] = matrix.shape;
  if (x.rank < 1 || x.shape[0] !== n) {
    throw new ShapeError(
      `sparseMatMul: x ${formatShape(x.shape)} must have ${n} rows, the columns of the ${rows} x ${n} matrix`,
    );
  }
  if (x.dtype !== matrix.dtype) {
    throw new ArgumentError(
      `sparseMatMul: x is ${x.dtype} but the matrix is ${matrix.dtype}; build the matrix with the dtype of x`,
    );
  }
  const rest = x.shape.slice(1);
  const inner = rest.reduce((a, b) => a * b, 1);
  const flat = x.rank === 2 ? x : reshape(x, [n, inner]);
  const { csr, csrTransposed: t } = matrix;
  const out = engine.runKernel(
    "SparseMatMul",
    [csr.rowStart, csr.columns, csr.values, flat, t.rowStart, t.columns, t.values],
    { rows },
  );
  return x.rank === 2 ? out : reshape(out, [rows, ...rest]);
}
