/**
 * Small dense matrices used by the group code: real matrices as row-major `Float64Array`s and
 * complex matrices as a pair of them.
 *
 * @module
 */

/**
 * A complex matrix of shape `[rows, cols]`, row-major: entry `(i, j)` is `re[i*cols+j] + i
 * im[i*cols+j]`.
 */
export interface ComplexMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** A complex number. */
export interface Complex {
  readonly re: number;
  readonly im: number;
}

/** Converts a row-major square matrix of size `n` into an array of rows. */
export function toRows(data: ArrayLike<number>, n: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from({ length: n }, (_, j) => data[i * n + j] ?? 0));
  return rows;
}

/** Flattens an array of rows into a row-major `Float64Array`. */
export function fromRows(rows: readonly (readonly number[])[]): Float64Array {
  const n = rows.length;
  const cols = rows[0]?.length ?? 0;
  const out = new Float64Array(n * cols);
  rows.forEach((row, i) => {
    for (let j = 0; j < cols; j++) out[i * cols + j] = row[j] ?? 0;
  });
  return out;
}
