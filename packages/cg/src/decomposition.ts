/**
 * Numeric CG decomposition for any group whose irreps have computable real matrices.
 *
 * @module
 */
import { ArgumentError, Random, symmetricEigen } from "@covnet/core";
import type { CompactGroup, LabelMultiplicity } from "@covnet/groups";

/** The parts of a group plugin that {@link numericCGDecomposition} uses. */
export type DecomposableGroup<Element, Label> = Pick<
  CompactGroup<Element, Label>,
  | "testingElements"
  | "random"
  | "irrepDim"
  | "representation"
  | "tensorProductMultiplicities"
  | "formatLabel"
>;

/** One irrep copy in a decomposition: columns `[start, start + dim)` of the change of basis. */
export interface DecompositionBlock<Label> {
  readonly label: Label;
  /** Copy index among the copies of `label` (0-based). */
  readonly copy: number;
  readonly dim: number;
  readonly start: number;
}

/** Result of {@link numericCGDecomposition}. */
export interface CGDecomposition<Label> {
  /** Size `n = dim(a) dim(b)` of the tensor product. */
  readonly size: number;
  /**
   * Orthogonal change of basis `C`, `[n, n]` row-major, rows indexed by `i * dim(b) + j` of the
   * Kronecker product: `rho_a(g) (x) rho_b(g) = C (direct sum of the blocks' irreps) C^T`.
   */
  readonly matrix: Float64Array;
  readonly blocks: readonly DecompositionBlock<Label>[];
}

/** Options of {@link numericCGDecomposition}. */
export interface NumericCGOptions<Element> {
  /** Elements imposing the intertwiner equations; default `testingElements()` plus 2 random. */
  readonly elements?: readonly Element[];
  /** Seed of the random elements (default 7). */
  readonly seed?: number;
  /** Relative size below which an eigenvalue counts as zero (default 1e-9). */
  readonly tolerance?: number;
}

function realMatrix<E, L>(group: DecomposableGroup<E, L>, label: L, g: E): Float64Array {
  const r = group.representation(label, g);
  if (r.im?.some((v) => Math.abs(v) > 1e-12)) {
    throw new ArgumentError(
      `numericCGDecomposition: irrep ${group.formatLabel(label)} has complex matrices; only real (orthogonal) irreps are supported`,
    );
  }
  return r.re;
}

/**
 * Decomposes the tensor product of the irreps `a` and `b` of `group` into irreps numerically:
 * finds the orthogonal `C` with `rho_a(g) (x) rho_b(g) = C (direct sum) C^T`.
 *
 * For each irrep `lambda` of the product (from `tensorProductMultiplicities`), the intertwiners
 * `X [n, dim(lambda)]` with `(rho_a (x) rho_b)(g) X = X rho_lambda(g)` for every element `g` form
 * the null space of `sum_g K_g^T K_g`, found by a Jacobi eigendecomposition. Copies are then
 * made mutually orthogonal and isometric (`X^T X = I`) one at a time. The blocks follow the
 * order of `tensorProductMultiplicities`. Cost grows like `(n dim(lambda))^3`, so this suits
 * small irreps; SO(3) has exact coefficients in {@link realClebschGordan}.
 *
 * @throws {ArgumentError} when an irrep has complex matrices, or when the intertwiners found do
 *   not match the multiplicities (too few elements to pin the decomposition down, or a
 *   tolerance too tight for the group's rounding).
 */
export function numericCGDecomposition<E, L>(
  group: DecomposableGroup<E, L>,
  a: L,
  b: L,
  options: NumericCGOptions<E> = {},
): CGDecomposition<L> {
  const random = new Random(options.seed ?? 7);
  const elements = options.elements ?? [
    ...group.testingElements(),
    group.random(random),
    group.random(random),
  ];
  const tolerance = options.tolerance ?? 1e-9;
  const da = group.irrepDim(a);
  const db = group.irrepDim(b);
  const n = da * db;
  const products = elements.map((g) =>
    kronecker(realMatrix(group, a, g), da, realMatrix(group, b, g), db),
  );
  const matrix = new Float64Array(n * n);
  const blocks: DecompositionBlock<L>[] = [];
  let column = 0;
  const multiplicities: LabelMultiplicity<L>[] = group.tensorProductMultiplicities(a, b);
  for (const { label, multiplicity } of multiplicities) {
    const d = group.irrepDim(label);
    const targets = elements.map((g) => realMatrix(group, label, g));
    const candidates = intertwinerBasis(products, targets, n, d, tolerance);
    let copies = 0;
    for (const x of candidates) {
      if (copies === multiplicity) break;
      // Remove the components along the copies already found, then make the block isometric.
      projectOut(x, matrix, n, d, column);
      const isometric = orthonormalizeBlock(x, n, d);
      if (isometric === null) continue;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) matrix[i * n + column + j] = isometric[i * d + j] as number;
      }
      blocks.push({ label, copy: copies, dim: d, start: column });
      column += d;
      copies++;
    }
    if (copies !== multiplicity) {
      throw new ArgumentError(
        `numericCGDecomposition: found ${copies} copies of ${group.formatLabel(label)} in ` +
          `${group.formatLabel(a)} x ${group.formatLabel(b)}, expected ${multiplicity}`,
      );
    }
  }
  if (column !== n) {
    throw new ArgumentError(
      `numericCGDecomposition: blocks cover ${column} of ${n} dimensions of ${group.formatLabel(a)} x ${group.formatLabel(b)}`,
    );
  }
  return { size: n, matrix, blocks };
}

function kronecker(x: Float64Array, nx: number, y: Float64Array, ny: number): Float64Array {
  const n = nx * ny;
  const out = new Float64Array(n * n);
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < nx; j++) {
      const xv = x[i * nx + j] as number;
      if (xv === 0) continue;
      for (let k = 0; k < ny; k++) {
        for (let l = 0; l < ny; l++)
          out[(i * ny + k) * n + j * ny + l] = xv * (y[k * ny + l] as number);
      }
    }
  }
  return out;
}

/** Null-space basis (each `[n, d]` row-major) of `X -> R_g X - X T_g` over every element. */
function intertwinerBasis(
  products: readonly Float64Array[],
  targets: readonly Float64Array[],
  n: number,
  d: number,
  tolerance: number,
): Float64Array[] {
  const size = n * d;
  const gram = new Float64Array(size * size);
  const k = new Float64Array(size * size);
  products.forEach((r, e) => {
    const t = targets[e] as Float64Array;
    k.fill(0);
    // Row (i, j) of K: (R X)_{ij} - (X T)_{ij} = sum_p R_ip X_pj - sum_q X_iq T_qj.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const row = (i * d + j) * size;
        for (let p = 0; p < n; p++)
          k[row + p * d + j] = (k[row + p * d + j] as number) + (r[i * n + p] as number);
        for (let q = 0; q < d; q++)
          k[row + i * d + q] = (k[row + i * d + q] as number) - (t[q * d + j] as number);
      }
    }
    for (let row = 0; row < size; row++) {
      for (let c1 = 0; c1 < size; c1++) {
        const kv = k[row * size + c1] as number;
        if (kv === 0) continue;
        for (let c2 = 0; c2 < size; c2++)
          gram[c1 * size + c2] =
            (gram[c1 * size + c2] as number) + kv * (k[row * size + c2] as number);
      }
    }
  });
  const { values, vectors } = symmetricEigen(gram, size);
  const scale = Math.max(1, Math.abs(values[size - 1] as number));
  const basis: Float64Array[] = [];
  for (let c = 0; c < size; c++) {
    if ((values[c] as number) > tolerance * scale) break;
    const x = new Float64Array(size);
    for (let i = 0; i < size; i++) x[i] = vectors[i * size + c] as number;
    basis.push(x);
  }
  return basis;
}

/** `x <- x - C C^T x` over the first `columns` columns of `c` (`[n, n]`), for `x` `[n, d]`. */
function projectOut(x: Float64Array, c: Float64Array, n: number, d: number, columns: number): void {
  for (let col = 0; col < columns; col++) {
    for (let j = 0; j < d; j++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += (c[i * n + col] as number) * (x[i * d + j] as number);
      if (dot === 0) continue;
      for (let i = 0; i < n; i++)
        x[i * d + j] = (x[i * d + j] as number) - dot * (c[i * n + col] as number);
    }
  }
}

/** `x (x^T x)^(-1/2)`, or null when `x` is numerically zero. */
function orthonormalizeBlock(x: Float64Array, n: number, d: number): Float64Array | null {
  const s = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let v = 0;
      for (let i = 0; i < n; i++) v += (x[i * d + a] as number) * (x[i * d + b] as number);
      s[a * d + b] = v;
    }
  }
  const { values, vectors } = symmetricEigen(s, d);
  if ((values[0] as number) < 1e-12) return null;
  const inverseRoot = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let v = 0;
      for (let k = 0; k < d; k++)
        v +=
          ((vectors[a * d + k] as number) * (vectors[b * d + k] as number)) /
          Math.sqrt(values[k] as number);
      inverseRoot[a * d + b] = v;
    }
  }
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < d; b++) {
      let v = 0;
      for (let a = 0; a < d; a++)
        v += (x[i * d + a] as number) * (inverseRoot[a * d + b] as number);
      out[i * d + b] = v;
    }
  }
  return out;
}
