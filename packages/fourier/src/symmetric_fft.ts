/**
 * Clausen's fast Fourier transform on the symmetric group and its inverse.
 *
 * @module
 */
import { ArgumentError, ShapeError } from "@covnet/core";
import { type Partition, SymmetricGroup } from "@covnet/groups";
import type { FourierBlock, FourierCoefficients } from "./finite.js";

/** `rho(s_k)` in sparse form: row i has `diag[i]` on the diagonal and `off[i]` at `partner[i]`. */
interface SparseGenerator {
  readonly diag: Float64Array;
  readonly partner: Int32Array;
  readonly off: Float64Array;
}

interface IrrepData {
  readonly partition: Partition;
  readonly dim: number;
  /** Restriction to S_(k-1): child irrep index among the partitions of k-1, and block offset. */
  readonly blocks: readonly {
    readonly child: number;
    readonly offset: number;
    readonly dim: number;
  }[];
  /** `generators[j-1]` is `rho(s_j)` for `j = 1..k-1`. */
  readonly generators: readonly SparseGenerator[];
}

interface Level {
  readonly k: number;
  readonly irreps: readonly IrrepData[];
}

/** The largest degree accepted, as in `SymmetricGroup.elements()`. */
const MAX_DEGREE = 9;

const levelCache = new Map<number, Level>();
const orderCache = new Map<number, Int32Array>();

function factorial(n: number): number {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k;
  return f;
}

function sparseGenerator(group: SymmetricGroup, partition: Partition, j: number): SparseGenerator {
  const m = group.representation(partition, group.transposition(j));
  const d = m.dim;
  const diag = new Float64Array(d);
  const partner = new Int32Array(d).fill(-1);
  const off = new Float64Array(d);
  for (let r = 0; r < d; r++) {
    diag[r] = m.re[r * d + r] as number;
    for (let c = 0; c < d; c++) {
      const v = m.re[r * d + c] as number;
      if (c !== r && v !== 0) {
        partner[r] = c;
        off[r] = v;
      }
    }
  }
  return { diag, partner, off };
}

function level(k: number): Level {
  const cached = levelCache.get(k);
  if (cached !== undefined) return cached;
  const group = new SymmetricGroup(k);
  const childKeys =
    k > 1 ? new SymmetricGroup(k - 1).partitions().map((p) => p.join(",")) : ([] as string[]);
  const irreps = group.partitions().map((partition) => {
    const dim = group.irrepDim(partition);
    const blocks =
      k > 1
        ? group.branching(partition).map((b) => ({
            child: childKeys.indexOf(b.partition.join(",")),
            offset: b.offset,
            dim: b.dim,
          }))
        : [];
    const generators: SparseGenerator[] = [];
    for (let j = 1; j < k; j++) generators.push(sparseGenerator(group, partition, j));
    return { partition, dim, blocks, generators };
  });
  const data = { k, irreps };
  levelCache.set(k, data);
  return data;
}

/** `m <- rho(s) m` for a `[d, d]` matrix, using `scratch` of the same size. */
function applyLeft(g: SparseGenerator, m: Float64Array, scratch: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) {
    const a = g.diag[i] as number;
    const p = g.partner[i] as number;
    const row = i * d;
    if (p < 0) {
      for (let c = 0; c < d; c++) scratch[row + c] = a * (m[row + c] as number);
    } else {
      const b = g.off[i] as number;
      const prow = p * d;
      for (let c = 0; c < d; c++) {
        scratch[row + c] = a * (m[row + c] as number) + b * (m[prow + c] as number);
      }
    }
  }
  m.set(scratch);
}

/** `m <- m rho(s)` for a `[d, d]` matrix: column `c` of the result mixes columns `c` and its partner. */
function applyRight(g: SparseGenerator, m: Float64Array, scratch: Float64Array, d: number): void {
  for (let r = 0; r < d; r++) {
    const row = r * d;
    for (let c = 0; c < d; c++) {
      const p = g.partner[c] as number;
      // (M rho)_rc = sum_j M_rj rho_jc, and rho is symmetric with rho_pc = off[c].
      let v = (m[row + c] as number) * (g.diag[c] as number);
      if (p >= 0) v += (m[row + p] as number) * (g.off[c] as number);
      scratch[row + c] = v;
    }
  }
  m.set(scratch);
}

/**
 * The positions of the coset order among the lexicographic order of S_n: `order[p]` is the
 * index in `SymmetricGroup(n).elements()` of the element at position p of the coset order. In
 * the coset order, position `sum_k (i_k - 1) (k-1)!` holds `c_{i_n} c_{i_(n-1)} ... c_{i_2}`,
 * where `c_i` in S_k is the contiguous cycle `i -> i+1 -> ... -> k -> i` (so `c_i(k) = i`).
 */
function cosetOrder(n: number): Int32Array {
  const cached = orderCache.get(n);
  if (cached !== undefined) return cached;
  const order = new Int32Array(factorial(n));
  const factorials = Array.from({ length: n + 1 }, (_, i) => factorial(i));
  const perm = Array.from({ length: n }, (_, i) => i + 1);
  const used = new Array<boolean>(n + 1).fill(false);
  const visit = (k: number, position: number): void => {
    if (k === 1) {
      used.fill(false);
      let rank = 0;
      for (let j = 0; j < n; j++) {
        const v = perm[j] as number;
        let smaller = 0;
        for (let u = 1; u < v; u++) if (!used[u]) smaller++;
        used[v] = true;
        rank += smaller * (factorials[n - 1 - j] as number);
      }
      order[position] = rank;
      return;
    }
    const saved = perm.slice(0, k);
    for (let i = 1; i <= k; i++) {
      // perm <- perm o c_i: (perm o c_i)(x) = perm(c_i(x)), c_i(x) = x + 1 for i <= x < k, c_i(k) = i.
      for (let x = i; x <= k; x++) perm[x - 1] = saved[(x === k ? i : x + 1) - 1] as number;
      for (let x = 1; x < i; x++) perm[x - 1] = saved[x - 1] as number;
      visit(k - 1, position + (i - 1) * (factorials[k - 1] as number));
    }
    for (let x = 0; x < k; x++) perm[x] = saved[x] as number;
  };
  visit(n, 0);
  orderCache.set(n, order);
  return order;
}

function checkDegree(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_DEGREE) {
    throw new ArgumentError(
      `invalid symmetric group degree ${n}: the fast transform supports integers 1..${MAX_DEGREE}`,
    );
  }
}

function forward(values: Float64Array, offset: number, k: number): Float64Array[] {
  if (k === 1) return [Float64Array.of(values[offset] as number)];
  const { irreps } = level(k);
  const out = irreps.map((irrep) => new Float64Array(irrep.dim * irrep.dim));
  const scratch = irreps.map((irrep) => new Float64Array(irrep.dim * irrep.dim));
  const stride = factorial(k - 1);
  for (let i = 1; i <= k; i++) {
    const sub = forward(values, offset + (i - 1) * stride, k - 1);
    irreps.forEach((irrep, li) => {
      const d = irrep.dim;
      const b = new Float64Array(d * d);
      for (const block of irrep.blocks) {
        const child = sub[block.child] as Float64Array;
        for (let r = 0; r < block.dim; r++) {
          b.set(
            child.subarray(r * block.dim, (r + 1) * block.dim),
            (block.offset + r) * d + block.offset,
          );
        }
      }
      // rho(c_i) B = rho(s_i) rho(s_(i+1)) ... rho(s_(k-1)) B: apply s_(k-1) first.
      for (let j = k - 1; j >= i; j--) {
        applyLeft(irrep.generators[j - 1] as SparseGenerator, b, scratch[li] as Float64Array, d);
      }
      const acc = out[li] as Float64Array;
      for (let x = 0; x < d * d; x++) acc[x] = (acc[x] as number) + (b[x] as number);
    });
  }
  return out;
}

function inverse(
  coefficients: readonly Float64Array[],
  values: Float64Array,
  offset: number,
  k: number,
): void {
  if (k === 1) {
    values[offset] = (coefficients[0] as Float64Array)[0] as number;
    return;
  }
  const { irreps } = level(k);
  const children = level(k - 1).irreps;
  const scratch = irreps.map((irrep) => new Float64Array(irrep.dim * irrep.dim));
  const stride = factorial(k - 1);
  for (let i = 1; i <= k; i++) {
    const sub = children.map((c) => new Float64Array(c.dim * c.dim));
    irreps.forEach((irrep, li) => {
      const d = irrep.dim;
      // M = rho(c_i)^T F = rho(s_(k-1)) ... rho(s_i) F, since each rho(s_j) is symmetric.
      const m = Float64Array.from(coefficients[li] as Float64Array);
      for (let j = i; j <= k - 1; j++) {
        applyLeft(irrep.generators[j - 1] as SparseGenerator, m, scratch[li] as Float64Array, d);
      }
      // f_i^(mu) = (1/k) sum_(lambda > mu) (d_lambda / d_mu) [rho(c_i)^T f^(lambda)]_(mu, mu)
      for (const block of irrep.blocks) {
        const target = sub[block.child] as Float64Array;
        const scale = d / (k * block.dim);
        for (let r = 0; r < block.dim; r++) {
          for (let c = 0; c < block.dim; c++) {
            target[r * block.dim + c] =
              (target[r * block.dim + c] as number) +
              scale * (m[(block.offset + r) * d + block.offset + c] as number);
          }
        }
      }
    });
    inverse(sub, values, offset + (i - 1) * stride, k - 1);
  }
}

/**
 * Computes the Fourier transform `f^(lambda) = sum_s f(s) rho_lambda(s)` of a real function on
 * S_n with Clausen's algorithm, in `O(n^3 n!)` operations against `O(n!^2)` for summation.
 *
 * S_n is the union of the left cosets `c_i S_(n-1)`, `i = 1..n`, with the contiguous cycles
 * `c_i = s_i s_(i+1) ... s_(n-1)` (`i -> i+1 -> ... -> n -> i`, so `c_i(n) = i`). Hence
 * `f^(lambda) = sum_i rho_lambda(c_i) (direct sum over mu of f_i^(mu))` with `f_i(t) = f(c_i t)`
 * on S_(n-1): in Young's orthogonal form with last-letter order, `rho_lambda` restricted to
 * S_(n-1) is block diagonal with one block `rho_mu` per partition `mu` obtained by removing a
 * corner of `lambda` (the branching rule). The `f_i^` come from the same recursion, down to S_1,
 * and `rho_lambda(c_i)` is applied as `n - i` sparse adjacent transpositions.
 *
 * @param n degree, 1..9.
 * @param f `[n!]` real values in the order of `new SymmetricGroup(n).elements()` (lexicographic).
 * @returns one block per partition, in the order of `irrepLabels()`; the same values as
 *   {@link fourierTransform} up to rounding.
 * @throws {ArgumentError} when n is outside 1..9.
 * @throws {ShapeError} when `f` does not have n! values.
 */
export function fastSymmetricFourierTransform(
  n: number,
  f: ArrayLike<number>,
): FourierBlock<Partition>[] {
  checkDegree(n);
  const size = factorial(n);
  if (f.length !== size) {
    throw new ShapeError(
      `invalid function on S${n}: expected ${size} values (n!), got ${f.length}`,
    );
  }
  const order = cosetOrder(n);
  const values = new Float64Array(size);
  for (let p = 0; p < size; p++) values[p] = f[order[p] as number] as number;
  const blocks = forward(values, 0, n);
  return level(n).irreps.map((irrep, i) => ({
    label: irrep.partition,
    dim: irrep.dim,
    re: blocks[i] as Float64Array,
    im: null,
  }));
}

/**
 * Computes the inverse of {@link fastSymmetricFourierTransform},
 * `f(s) = (1/n!) sum_lambda d_lambda tr(rho_lambda(s)^T f^(lambda))`, by the same coset
 * recursion run backwards: `f_i^(mu) = (1/n) sum_lambda (d_lambda / d_mu)
 * [rho_lambda(c_i)^T f^(lambda)]_(mu, mu)`, where `[.]_(mu, mu)` is the diagonal block of the
 * branching rule.
 *
 * @param fhat one real block per partition of n, in the order of `irrepLabels()`.
 * @returns `[n!]` values in lexicographic order.
 * @throws {ArgumentError} when n is outside 1..9 or a block is complex.
 * @throws {ShapeError} when the blocks do not match the irreps of S_n.
 */
export function inverseFastSymmetricFourierTransform(
  n: number,
  fhat: FourierCoefficients<Partition>,
): Float64Array {
  checkDegree(n);
  const { irreps } = level(n);
  if (fhat.length !== irreps.length) {
    throw new ShapeError(
      `invalid Fourier coefficients on S${n}: expected ${irreps.length} blocks (one per partition), got ${fhat.length}`,
    );
  }
  irreps.forEach((irrep, i) => {
    const block = fhat[i] as FourierBlock<Partition>;
    if (block.re.length !== irrep.dim * irrep.dim) {
      throw new ShapeError(
        `invalid Fourier coefficients on S${n}: block [${irrep.partition.join(",")}] must be ${irrep.dim}x${irrep.dim}, got ${block.re.length} values`,
      );
    }
    if (block.im?.some((v) => v !== 0)) {
      throw new ArgumentError(
        `invalid Fourier coefficients on S${n}: block [${irrep.partition.join(",")}] is complex; the fast transform is for real functions`,
      );
    }
  });
  const size = factorial(n);
  const values = new Float64Array(size);
  inverse(
    fhat.map((b) => b.re),
    values,
    0,
    n,
  );
  const order = cosetOrder(n);
  const out = new Float64Array(size);
  for (let p = 0; p < size; p++) out[order[p] as number] = values[p] as number;
  return out;
}

/**
 * Computes the same transform as {@link fastSymmetricFourierTransform} by direct summation over
 * the n! elements, `O(n! sum_lambda d_lambda^2) = O(n!^2)`. Each `rho_lambda(s)` is obtained
 * from its parent in the coset tree by a few sparse generator products, so the cost is the
 * summation itself. Used as the baseline in benchmarks.
 *
 * @throws {ArgumentError} when n is outside 1..9.
 * @throws {ShapeError} when `f` does not have n! values.
 */
export function naiveSymmetricFourierTransform(
  n: number,
  f: ArrayLike<number>,
): FourierBlock<Partition>[] {
  checkDegree(n);
  const size = factorial(n);
  if (f.length !== size) {
    throw new ShapeError(
      `invalid function on S${n}: expected ${size} values (n!), got ${f.length}`,
    );
  }
  const { irreps } = level(n);
  const order = cosetOrder(n);
  const out = irreps.map((irrep) => new Float64Array(irrep.dim * irrep.dim));
  const scratch = irreps.map((irrep) => new Float64Array(irrep.dim * irrep.dim));
  const factorials = Array.from({ length: n + 1 }, (_, i) => factorial(i));
  // current[k] holds rho(c_(i_n) ... c_(i_(k+1))) for every irrep; buffers are reused.
  const current: Float64Array[][] = [];
  for (let k = 1; k <= n; k++) {
    current[k] = irreps.map((irrep) => new Float64Array(irrep.dim * irrep.dim));
  }
  (current[n] as Float64Array[]).forEach((m, li) => {
    const d = (irreps[li] as IrrepData).dim;
    for (let i = 0; i < d; i++) m[i * d + i] = 1;
  });
  const visit = (k: number, position: number): void => {
    const parent = current[k] as Float64Array[];
    if (k === 1) {
      const v = f[order[position] as number] as number;
      if (v === 0) return;
      parent.forEach((m, li) => {
        const acc = out[li] as Float64Array;
        for (let x = 0; x < m.length; x++) acc[x] = (acc[x] as number) + v * (m[x] as number);
      });
      return;
    }
    const child = current[k - 1] as Float64Array[];
    for (let i = 1; i <= k; i++) {
      // rho(P c_i) = rho(P) rho(s_i) rho(s_(i+1)) ... rho(s_(k-1)).
      parent.forEach((m, li) => {
        const irrep = irreps[li] as IrrepData;
        const next = child[li] as Float64Array;
        next.set(m);
        for (let j = i; j <= k - 1; j++) {
          applyRight(
            irrep.generators[j - 1] as SparseGenerator,
            next,
            scratch[li] as Float64Array,
            irrep.dim,
          );
        }
      });
      visit(k - 1, position + (i - 1) * (factorials[k - 1] as number));
    }
  };
  visit(n, 0);
  return irreps.map((irrep, i) => ({
    label: irrep.partition,
    dim: irrep.dim,
    re: out[i] as Float64Array,
    im: null,
  }));
}
