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
  /**
   * The transposed matrix, `columns x rows`, or null when it is not stored: products with the
   * transpose then read `csr` column-wise with the `SparseMatMulTransposed` kernel.
   */
  readonly csrTransposed: CsrTensors | null;
}

/** Host arrays of one orientation of a sparse matrix in compressed sparse row form. */
export interface CsrArrays {
  /** `[rows + 1]`: entries of row `r` are `rowStart[r] .. rowStart[r + 1] - 1`. */
  readonly rowStart: Int32Array;
  /** Column of each entry, `[nnz]`. */
  readonly columns: Int32Array;
  /** Value of each entry, `[nnz]`. */
  readonly values: ArrayLike<number>;
}

/**
 * Sorts coordinate lists by `major` into compressed rows. The counting sort is stable: the
 * entries of a row keep their input order.
 */
function compressArrays(
  rows: number,
  major: ArrayLike<number>,
  minor: ArrayLike<number>,
  values: ArrayLike<number>,
): CsrArrays {
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
  for (let t = 0; t < nnz; t++) {
    const r = major[t] as number;
    const at = next[r] as number;
    columns[at] = minor[t] as number;
    sorted[at] = values[t] as number;
    next[r] = at + 1;
  }
  return { rowStart, columns, values: sorted };
}

/** Transposes a `rows x columns` CSR matrix, keeping the old row order within each new row. */
function transposeArrays(csr: CsrArrays, rows: number, columns: number): CsrArrays {
  const { rowStart, columns: cols, values } = csr;
  const nnz = cols.length;
  const start = new Int32Array(columns + 1);
  for (let t = 0; t < nnz; t++) {
    const c = (cols[t] as number) + 1;
    start[c] = (start[c] as number) + 1;
  }
  for (let c = 0; c < columns; c++) start[c + 1] = (start[c + 1] as number) + (start[c] as number);
  const next = start.slice(0, columns);
  const rowOf = new Int32Array(nnz);
  const sorted = new Float64Array(nnz);
  for (let r = 0; r < rows; r++) {
    const end = rowStart[r + 1] as number;
    for (let t = rowStart[r] as number; t < end; t++) {
      const c = cols[t] as number;
      const at = next[c] as number;
      rowOf[at] = r;
      sorted[at] = values[t] as number;
      next[c] = at + 1;
    }
  }
  return { rowStart: start, columns: rowOf, values: sorted };
}

function upload(engine: Engine, csr: CsrArrays, dtype: FloatDType): CsrTensors {
  const nnz = csr.columns.length;
  return {
    rowStart: engine.makeTensor(csr.rowStart, [csr.rowStart.length], "int32"),
    columns: engine.makeTensor(csr.columns, [nnz], "int32"),
    values: engine.makeTensor(csr.values, [nnz], dtype),
  };
}

function checkShape(name: string, shape: readonly [number, number]): void {
  const [rows, columns] = shape;
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(columns) || columns < 0) {
    throw new ArgumentError(
      `${name}: shape must be two non-negative integers, got [${shape.join(", ")}]`,
    );
  }
}

function checkIndices(fn: string, name: string, indices: ArrayLike<number>, bound: number): void {
  const integers = indices instanceof Int32Array;
  for (let t = 0; t < indices.length; t++) {
    const i = indices[t] as number;
    if (i < 0 || i >= bound || (!integers && !Number.isInteger(i))) {
      throw new ArgumentError(`${fn}: ${name}[${t}] = ${i} is outside 0..${bound - 1}`);
    }
  }
}

/**
 * Builds a `shape[0] x shape[1]` sparse matrix from coordinate lists: entry `t` is
 * `values[t]` at (`rowIndices[t]`, `columnIndices[t]`). Duplicate positions add up. The matrix
 * always stores its transpose, so it works on every backend.
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
  checkShape("sparseMatrix", shape);
  const [rows, columns] = shape;
  const nnz = values.length;
  if (rowIndices.length !== nnz || columnIndices.length !== nnz) {
    throw new ArgumentError(
      `sparseMatrix: expected one row and one column index per value, got ${rowIndices.length} rows, ${columnIndices.length} columns and ${nnz} values`,
    );
  }
  checkIndices("sparseMatrix", "rowIndices", rowIndices, rows);
  checkIndices("sparseMatrix", "columnIndices", columnIndices, columns);
  return {
    shape: [rows, columns],
    nnz,
    dtype,
    csr: upload(engine, compressArrays(rows, rowIndices, columnIndices, values), dtype),
    csrTransposed: upload(
      engine,
      compressArrays(columns, columnIndices, rowIndices, values),
      dtype,
    ),
  };
}

/** Options of {@link sparseMatrixFromCsr}. */
export interface CsrOptions {
  /**
   * Whether to sort and store the transpose too. Without it, the gradient of a product uses the
   * `SparseMatMulTransposed` kernel, which not every backend has (false is an error there). By
   * default the transpose is stored only when the active backend lacks that kernel.
   */
  readonly storeTranspose?: boolean;
}

/**
 * Builds a `shape[0] x shape[1]` sparse matrix from arrays already in compressed sparse row
 * form, without sorting them. Duplicate positions add up.
 *
 * @throws {ArgumentError} when `rowStart` does not have `rows + 1` non-decreasing offsets from 0
 *   to the number of entries, or a column is out of range.
 */
export function sparseMatrixFromCsr(
  engine: Engine,
  shape: readonly [number, number],
  csr: CsrArrays,
  dtype: FloatDType = engine.defaultFloat,
  options: CsrOptions = {},
): SparseMatrix {
  checkShape("sparseMatrixFromCsr", shape);
  const [rows, columns] = shape;
  const { rowStart } = csr;
  const nnz = csr.values.length;

  if (csr.columns.length !== nnz) {
    throw new ArgumentError(
      `sparseMatrixFromCsr: expected one column per value, got ${csr.columns.length} columns and ${nnz} values`,
    );
  }
  if (rowStart.length !== rows + 1 || rowStart[0] !== 0 || rowStart[rows] !== nnz) {
    throw new ArgumentError(
      `sparseMatrixFromCsr: rowStart must hold ${rows + 1} offsets from 0 to ${nnz}, got ${rowStart.length} from ${rowStart[0]} to ${rowStart[rowStart.length - 1]}`,
    );
  }
  for (let r = 0; r < rows; r++) {
    if ((rowStart[r + 1] as number) < (rowStart[r] as number)) {
      throw new ArgumentError(
        `sparseMatrixFromCsr: rowStart decreases at row ${r} (${rowStart[r]} then ${rowStart[r + 1]})`,
      );
    }
  }
  const cols = csr.columns;
  for (let t = 0; t < nnz; t++) {
    const c = cols[t] as number;
    if (c < 0 || c >= columns) {
      throw new ArgumentError(
        `sparseMatrixFromCsr: columns[${t}] = ${c} is outside 0..${columns - 1}`,
      );
    }
  }
  const scatter = engine.hasKernel("SparseMatMulTransposed");
  if (options.storeTranspose === false && !scatter) {
    throw new ArgumentError(
      `sparseMatrixFromCsr: the ${engine.backendName} backend has no SparseMatMulTransposed kernel, so the matrix must store its transpose. Leave storeTranspose unset or set it to true`,
    );
  }
  return {
    shape: [rows, columns],
    nnz,
    dtype,
    csr: upload(engine, csr, dtype),
    csrTransposed:
      (options.storeTranspose ?? !scatter)
        ? upload(engine, transposeArrays(csr, rows, columns), dtype)
        : null,
  };
}

/**
 * Transposes a sparse matrix without copying: the result shares its tensors.
 *
 * @throws {ArgumentError} when the matrix does not store its transpose; use
 *   {@link sparseMatMulTransposed} for products with it.
 */
export function transposeSparse(matrix: SparseMatrix): SparseMatrix {
  if (matrix.csrTransposed === null) {
    throw new ArgumentError(
      "transposeSparse: the matrix was built without its transpose; multiply with sparseMatMulTransposed, or build it with storeTranspose: true",
    );
  }
  return {
    shape: [matrix.shape[1], matrix.shape[0]],
    nnz: matrix.nnz,
    dtype: matrix.dtype,
    csr: matrix.csrTransposed,
    csrTransposed: matrix.csr,
  };
}

/** Views `x [n, ...rest]` as the `[n, product of rest]` matrix that the kernels read. */
function asRows(x: Tensor, n: number): Tensor {
  if (x.rank === 2) return x;
  return reshape(x, [n, x.shape.slice(1).reduce((a, b) => a * b, 1)]);
}

function checkFactor(name: string, matrix: SparseMatrix, x: Tensor, n: number): void {
  if (x.rank < 1 || x.shape[0] !== n) {
    throw new ShapeError(
      `${name}: x ${formatShape(x.shape)} must have ${n} rows, the inner dimension of the ${matrix.shape[0]} x ${matrix.shape[1]} matrix`,
    );
  }
  if (x.dtype !== matrix.dtype) {
    throw new ArgumentError(
      `${name}: x is ${x.dtype} but the matrix is ${matrix.dtype}; build the matrix with the dtype of x`,
    );
  }
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
  checkFactor("sparseMatMul", matrix, x, n);
  const rest = x.shape.slice(1);
  const flat = asRows(x, n);
  const { csr, csrTransposed: t } = matrix;
  const stored =
    t === null
      ? [
          engine.makeTensor(new Int32Array(0), [0], "int32"),
          engine.makeTensor(new Int32Array(0), [0], "int32"),
          engine.makeTensor(new Float64Array(0), [0], matrix.dtype),
        ]
      : [t.rowStart, t.columns, t.values];
  const out = engine.runKernel(
    "SparseMatMul",
    [csr.rowStart, csr.columns, csr.values, flat, ...stored],
    { rows },
  );
  return x.rank === 2 ? out : reshape(out, [rows, ...rest]);
}

/**
 * Multiplies the transpose of a sparse matrix `[rows, n]` with `y [rows, ...rest]`:
 * `[n, ...rest]`, differentiable in `y` to any order. It uses the stored transpose when there is
 * one and the `SparseMatMulTransposed` kernel otherwise.
 *
 * @throws {ShapeError} when `y` does not have `rows` rows.
 */
export function sparseMatMulTransposed(matrix: SparseMatrix, y: Tensor): Tensor {
  if (matrix.csrTransposed !== null) return sparseMatMul(transposeSparse(matrix), y);
  const engine = engineOf("sparseMatMulTransposed", [y, matrix.csr.values]);
  const [rows, n] = matrix.shape;
  checkFactor("sparseMatMulTransposed", matrix, y, rows);
  const rest = y.shape.slice(1);
  const flat = asRows(y, rows);
  const { csr } = matrix;
  const out = engine.runKernel(
    "SparseMatMulTransposed",
    [csr.rowStart, csr.columns, csr.values, flat],
    { columns: n },
  );
  return y.rank === 2 ? out : reshape(out, [n, ...rest]);
}
