/**
 * The symmetric group S_n as a {@link FiniteGroup} plugin: permutations, partitions, standard
 * Young tableaux, Young's orthogonal form, Murnaghan-Nakayama characters and branching.
 *
 * @module
 */
import { ArgumentError, bindNamed, Random, TOKENS } from "@covnet/core";
import { ContainerModule } from "inversify";
import {
  type FiniteGroup,
  finiteQuadrature,
  integrateWith,
  type LabelMultiplicity,
  type Quadrature,
  type RepresentationMatrix,
} from "./group.js";
import {
  hookLengthDimension,
  murnaghanNakayama,
  partitionsOf,
  standardTableaux,
} from "./internal/partitions.js";
import type { Complex } from "./matrix.js";

/** A permutation in one-line notation, 1-based: `p[i-1] = p(i)`. */
export type Permutation = readonly number[];

/** A partition of n: positive integers in non-increasing order summing to n. */
export type Partition = readonly number[];

/** A conjugacy class of S_n, labelled by its cycle type. */
export interface SymmetricClass {
  /** Cycle lengths in non-increasing order, fixed points included as 1's. */
  readonly cycleType: Partition;
  /** Number of permutations in the class, `n! / z`. */
  readonly size: number;
  /** Centralizer order `z = prod_i i^(m_i) m_i!`, with `m_i` the number of cycles of length i. */
  readonly centralizerOrder: number;
  /** One permutation of the class: its cycles written on consecutive letters. */
  readonly representative: Permutation;
}

/** One block of the restriction of an S_n irrep to S_(n-1). */
export interface BranchingBlock {
  /** The partition of n-1 obtained by removing one corner. */
  readonly partition: Partition;
  /** First basis index of the block in Young's orthogonal form of the parent irrep. */
  readonly offset: number;
  /** Dimension of the block. */
  readonly dim: number;
}

interface YoungData {
  readonly tableaux: number[][][];
  /** `generators[k-1]` describes `rho(s_k)`: diagonal `1/r`, partner index or -1, off-diagonal. */
  readonly generators: ReadonlyArray<{
    diag: Float64Array;
    partner: Int32Array;
    off: Float64Array;
  }>;
}

const MAX_ENUMERATED_DEGREE = 9;

function factorial(n: number): number {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k;
  return f;
}

/**
 * The symmetric group `S_n` (`new SymmetricGroup(n)`), registered as `Sn`.
 *
 * - Permutations are 1-based one-line arrays `[s(1), ..., s(n)]`, composed right to left:
 *   `compose(s, t)(i) = s(t(i))`.
 * - Irrep labels are partitions of n, listed in decreasing lexicographic order (`[n]` first).
 * - Irrep matrices are Young's orthogonal form in the basis of standard Young tableaux in
 *   last-letter order: `rho(s_k) e_T = (1/r) e_T + sqrt(1 - 1/r^2) e_T'` for the adjacent
 *   transposition `s_k = (k, k+1)`, where `r = c_T(k+1) - c_T(k)` is the axial distance
 *   (content `c = column - row`) and `T'` is `T` with k and k+1 exchanged. A general
 *   permutation uses its adjacent-transposition word, so no `n! x dim^2` table is built.
 */
export class SymmetricGroup implements FiniteGroup<Permutation, Partition> {
  readonly name: string;
  readonly order: number;
  readonly #young = new Map<string, YoungData>();

  /** @throws {ArgumentError} unless `n` is an integer >= 1. */
  constructor(readonly n: number) {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new ArgumentError(`invalid symmetric group degree ${n}: expected an integer >= 1`);
    }
    this.name = `S${n}`;
    this.order = factorial(n);
  }

  // ---- permutations ----

  /**
   * Checks that `p` is a permutation of `1..n` in one-line notation.
   *
   * @throws {ArgumentError} naming the permutation and the broken constraint.
   */
  checkPermutation(p: Permutation): void {
    if (p.length !== this.n) {
      throw new ArgumentError(
        `invalid permutation [${p.join(", ")}] of ${this.name}: expected ${this.n} entries, got ${p.length}`,
      );
    }
    const seen = new Array<boolean>(this.n + 1).fill(false);
    for (const v of p) {
      if (!Number.isInteger(v) || v < 1 || v > this.n || seen[v]) {
        throw new ArgumentError(
          `invalid permutation [${p.join(", ")}] of ${this.name}: expected each of 1..${this.n} exactly once`,
        );
      }
      seen[v] = true;
    }
  }

  identity(): number[] {
    return Array.from({ length: this.n }, (_, i) => i + 1);
  }

  /** `(s t)(i) = s(t(i))`. */
  compose(s: Permutation, t: Permutation): number[] {
    return t.map((v) => s[v - 1] as number);
  }

  inverse(s: Permutation): number[] {
    const out = new Array<number>(this.n).fill(0);
    s.forEach((v, i) => {
      out[v - 1] = i + 1;
    });
    return out;
  }

  equals(a: Permutation, b: Permutation): boolean {
    return a.length === b.length && a.every((v, i) => v === b[i]);
  }

  /** Draws a uniformly random permutation (Fisher-Yates). */
  random(random: Random): number[] {
    return random.shuffle(this.identity());
  }

  /**
   * Returns every element for n <= 4; otherwise the identity, every `s_k`, the n-cycle
   * `(1 2 ... n)`, the reversal and four permutations from a fixed seed.
   */
  testingElements(): number[][] {
    if (this.n <= 4) return this.elements();
    const out: number[][] = [this.identity()];
    for (let k = 1; k < this.n; k++) out.push(this.transposition(k));
    out.push(this.identity().map((v) => (v % this.n) + 1));
    out.push(this.identity().reverse());
    const random = new Random(20240611);
    for (let i = 0; i < 4; i++) out.push(this.random(random));
    return out;
  }

  /**
   * Lists every permutation in lexicographic order of the one-line notation.
   *
   * @throws {ArgumentError} when n > 9 (more than 362880 elements).
   */
  elements(): number[][] {
    if (this.n > MAX_ENUMERATED_DEGREE) {
      throw new ArgumentError(
        `${this.name} has ${this.order} elements; enumeration is limited to n <= ${MAX_ENUMERATED_DEGREE}`,
      );
    }
    const out: number[][] = [];
    const current: number[] = [];
    const used = new Array<boolean>(this.n + 1).fill(false);
    const build = () => {
      if (current.length === this.n) {
        out.push(current.slice());
        return;
      }
      for (let v = 1; v <= this.n; v++) {
        if (used[v]) continue;
        used[v] = true;
        current.push(v);
        build();
        current.pop();
        used[v] = false;
      }
    };
    build();
    return out;
  }

  /** Returns the adjacent transposition `s_k = (k, k+1)` for `k = 1..n-1`. */
  transposition(k: number): number[] {
    if (!Number.isInteger(k) || k < 1 || k >= this.n) {
      throw new ArgumentError(
        `invalid adjacent transposition s_${k} of ${this.name}: expected k in 1..${this.n - 1}`,
      );
    }
    const p = this.identity();
    p[k - 1] = k + 1;
    p[k] = k;
    return p;
  }

  /**
   * Computes a reduced word `[k1, ..., km]` with `s = s_k1 s_k2 ... s_km` (composition of
   * functions). Its length equals the number of inversions.
   */
  adjacentTranspositionWord(s: Permutation): number[] {
    this.checkPermutation(s);
    const p = s.slice();
    const steps: number[] = [];
    let changed = true;
    while (changed) {
      changed = false;
      for (let k = 1; k < this.n; k++) {
        if ((p[k - 1] as number) > (p[k] as number)) {
          // p s_k swaps the entries at positions k and k+1 and removes one inversion.
          const tmp = p[k - 1] as number;
          p[k - 1] = p[k] as number;
          p[k] = tmp;
          steps.push(k);
          changed = true;
        }
      }
    }
    return steps.reverse();
  }

  /** Multiplies out a word: returns `s_k1 s_k2 ... s_km`. */
  fromAdjacentTranspositionWord(word: readonly number[]): number[] {
    let p = this.identity();
    for (const k of word) p = this.compose(p, this.transposition(k));
    return p;
  }

  /** Cycles of length >= 2, each starting at its smallest letter, ordered by that letter. */
  cycles(s: Permutation): number[][] {
    this.checkPermutation(s);
    const seen = new Array<boolean>(this.n + 1).fill(false);
    const out: number[][] = [];
    for (let start = 1; start <= this.n; start++) {
      if (seen[start]) continue;
      const cycle: number[] = [];
      let x = start;
      while (!seen[x]) {
        seen[x] = true;
        cycle.push(x);
        x = s[x - 1] as number;
      }
      if (cycle.length > 1) out.push(cycle);
    }
    return out;
  }

  /**
   * Cycle notation such as `(1 2 3)(4 5)`, where `(a b c)` maps a to b, b to c, c to a; `()` is the
   * identity.
   */
  toCycleNotation(s: Permutation): string {
    const cycles = this.cycles(s);
    if (cycles.length === 0) return "()";
    return cycles.map((c) => `(${c.join(" ")})`).join("");
  }

  /**
   * Builds the permutation of cycles given as text (`(1 2 3)(4 5)`, commas allowed) or as lists of
   * letters. Cycles are composed right to left, so they may overlap.
   *
   * @throws {ArgumentError} on malformed text, letters outside `1..n`, or a repeated letter
   *   within one cycle.
   */
  fromCycles(cycles: string | readonly (readonly number[])[]): number[] {
    let list: number[][];
    if (typeof cycles === "string") {
      const text = cycles.trim();
      if (!/^(\(\s*(\d+(\s*,?\s*\d+)*)?\s*\)\s*)*$/.test(text)) {
        throw new ArgumentError(
          `invalid cycle notation "${cycles}": expected cycles such as (1 2 3)(4 5)`,
        );
      }
      list = [...text.matchAll(/\(([^)]*)\)/g)].map((m) =>
        (m[1] ?? "")
          .split(/[\s,]+/)
          .filter((x) => x !== "")
          .map(Number),
      );
    } else {
      list = cycles.map((c) => c.slice());
    }
    let p = this.identity();
    for (const cycle of [...list].reverse()) {
      if (
        new Set(cycle).size !== cycle.length ||
        cycle.some((v) => !Number.isInteger(v) || v < 1 || v > this.n)
      ) {
        throw new ArgumentError(
          `invalid cycle (${cycle.join(" ")}) of ${this.name}: expected distinct letters in 1..${this.n}`,
        );
      }
      const c = this.identity();
      cycle.forEach((v, i) => {
        c[v - 1] = cycle[(i + 1) % cycle.length] as number;
      });
      p = this.compose(c, p);
    }
    return p;
  }

  /** Cycle type: cycle lengths in non-increasing order, fixed points included as 1's. */
  cycleType(s: Permutation): number[] {
    const lengths = this.cycles(s).map((c) => c.length);
    const fixed = this.n - lengths.reduce((a, b) => a + b, 0);
    return [...lengths.sort((a, b) => b - a), ...new Array<number>(fixed).fill(1)];
  }

  /** Computes the sign `(-1)^(n - number of cycles)`. */
  sign(s: Permutation): 1 | -1 {
    const t = this.cycleType(s);
    return (this.n - t.length) % 2 === 0 ? 1 : -1;
  }

  // ---- partitions and tableaux ----

  /**
   * Checks that `partition` is a partition of n.
   *
   * @throws {ArgumentError} naming the partition and the broken constraint.
   */
  checkPartition(partition: Partition): void {
    const sum = partition.reduce((a, b) => a + b, 0);
    const ok =
      partition.every(
        (p, i) => Number.isInteger(p) && p >= 1 && (i === 0 || p <= (partition[i - 1] as number)),
      ) && sum === this.n;
    if (!ok) {
      throw new ArgumentError(
        `invalid partition [${partition.join(", ")}] of ${this.n}: expected positive integers in ` +
          `non-increasing order summing to ${this.n}`,
      );
    }
  }

  /** Partitions of n in decreasing lexicographic order: `[n]` first, `[1, ..., 1]` last. */
  partitions(): number[][] {
    return partitionsOf(this.n);
  }

  /** Standard Young tableaux of the shape in last-letter order (rows top to bottom). */
  standardTableaux(partition: Partition): number[][][] {
    return this.#youngData(partition).tableaux.map((t) => t.map((row) => row.slice()));
  }

  /** Dimension of the irrep by the hook-length formula. */
  hookLengthDimension(partition: Partition): number {
    this.checkPartition(partition);
    return hookLengthDimension(partition);
  }

  #youngData(partition: Partition): YoungData {
    this.checkPartition(partition);
    const key = partition.join(",");
    const cached = this.#young.get(key);
    if (cached !== undefined) return cached;
    const tableaux = standardTableaux(partition);
    const index = new Map(tableaux.map((t, i) => [JSON.stringify(t), i]));
    const dim = tableaux.length;
    const generators: YoungData["generators"][number][] = [];
    for (let k = 1; k < this.n; k++) {
      const diag = new Float64Array(dim);
      const partner = new Int32Array(dim).fill(-1);
      const off = new Float64Array(dim);
      tableaux.forEach((t, i) => {
        const position = (letter: number) => {
          const row = t.findIndex((r) => r.includes(letter));
          return { row, col: (t[row] as number[]).indexOf(letter) };
        };
        const a = position(k);
        const b = position(k + 1);
        const r = b.col - b.row - (a.col - a.row);
        diag[i] = 1 / r;
        if (a.row !== b.row && a.col !== b.col) {
          const exchange = (v: number) => {
            if (v === k) return k + 1;
            if (v === k + 1) return k;
            return v;
          };
          const swapped = t.map((row) => row.map(exchange));
          const j = index.get(JSON.stringify(swapped));
          if (j !== undefined) {
            partner[i] = j;
            off[i] = Math.sqrt(1 - 1 / (r * r));
          }
        }
      });
      generators.push({ diag, partner, off });
    }
    const data = { tableaux, generators };
    this.#young.set(key, data);
    return data;
  }

  /**
   * Young's orthogonal form `rho_partition(s)` as a row-major `[dim, dim]` array, built from the
   * adjacent-transposition word of `s` in `O(n^2 dim^2)`.
   */
  #youngMatrix(partition: Partition, s: Permutation): { dim: number; data: Float64Array } {
    const young = this.#youngData(partition);
    const word = this.adjacentTranspositionWord(s);
    const dim = young.tableaux.length;
    let m = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) m[i * dim + i] = 1;
    // rho(s) = rho(s_k1) ... rho(s_km): apply the generators to the identity from the right end.
    for (let w = word.length - 1; w >= 0; w--) {
      const g = young.generators[(word[w] as number) - 1];
      if (g === undefined) continue;
      const next = new Float64Array(dim * dim);
      for (let i = 0; i < dim; i++) {
        const d = g.diag[i] as number;
        const p = g.partner[i] as number;
        const o = g.off[i] as number;
        for (let c = 0; c < dim; c++) {
          const own = d * (m[i * dim + c] as number);
          next[i * dim + c] = p >= 0 ? own + o * (m[p * dim + c] as number) : own;
        }
      }
      m = next;
    }
    return { dim, data: m };
  }

  /**
   * Young's orthogonal form of `permutation` (1-based one-line) for the irrep `partition`, as an
   * array of rows; basis vector i belongs to tableau i of {@link standardTableaux}.
   *
   * @throws {ArgumentError} when the partition or the permutation is invalid for this n.
   */
  irrepMatrix(partition: number[], permutation: number[]): number[][] {
    this.checkPermutation(permutation);
    const { dim, data } = this.#youngMatrix(partition, permutation);
    const rows: number[][] = [];
    for (let i = 0; i < dim; i++) rows.push(Array.from(data.subarray(i * dim, (i + 1) * dim)));
    return rows;
  }

  /**
   * Computes the character `chi^partition(permutation)` by the Murnaghan-Nakayama rule.
   *
   * @throws {ArgumentError} when the partition or the permutation is invalid for this n.
   */
  character(partition: number[], permutation: number[]): number {
    this.checkPartition(partition);
    this.checkPermutation(permutation);
    return murnaghanNakayama(partition, this.cycleType(permutation));
  }

  /** Computes the character `chi^partition` on the class of cycle type `cycleType`. */
  characterOfClass(partition: Partition, cycleType: Partition): number {
    this.checkPartition(partition);
    this.checkPartition(cycleType);
    return murnaghanNakayama(partition, cycleType);
  }

  /** Conjugacy classes by cycle type in increasing lexicographic order (identity first). */
  classes(): SymmetricClass[] {
    return this.partitions()
      .reverse()
      .map((cycleType) => {
        const counts = new Map<number, number>();
        for (const c of cycleType) counts.set(c, (counts.get(c) ?? 0) + 1);
        let z = 1;
        for (const [length, count] of counts) z *= length ** count * factorial(count);
        const representative: number[] = [];
        let start = 1;
        for (const length of cycleType) {
          for (let i = 0; i < length; i++) representative.push(start + ((i + 1) % length));
          start += length;
        }
        return { cycleType, size: this.order / z, centralizerOrder: z, representative };
      });
  }

  /**
   * Lists the elements of each class of {@link classes}, in the same order.
   *
   * @throws {ArgumentError} when n > 9.
   */
  conjugacyClasses(): number[][][] {
    const keys = this.classes().map((c) => c.cycleType.join(","));
    const out = keys.map(() => [] as number[][]);
    for (const s of this.elements()) out[keys.indexOf(this.cycleType(s).join(","))]?.push(s);
    return out;
  }

  /**
   * Lists the blocks of the restriction of the irrep `partition` to `S_(n-1)`, the permutations
   * fixing n. In Young's orthogonal form with last-letter order the restriction is block
   * diagonal. There is one block per removable corner (lowest row first), and each block equals
   * Young's orthogonal form of the smaller partition. Applying this recursively gives the chain
   * `S_n > S_(n-1) > ... > S_1` used by Clausen's fast Fourier transform.
   */
  branching(partition: Partition): BranchingBlock[] {
    this.checkPartition(partition);
    const blocks: BranchingBlock[] = [];
    let offset = 0;
    for (let row = partition.length - 1; row >= 0; row--) {
      const len = partition[row] as number;
      if ((partition[row + 1] ?? 0) >= len) continue;
      const smaller = partition.slice();
      smaller[row] = len - 1;
      const child = smaller.filter((p) => p > 0);
      const dim = hookLengthDimension(child);
      blocks.push({ partition: child, offset, dim });
      offset += dim;
    }
    return blocks;
  }

  // ---- group interface ----

  irrepLabels(): number[][] {
    return this.partitions();
  }

  irrepDim(partition: Partition): number {
    return this.hookLengthDimension(partition);
  }

  representation(partition: Partition, s: Permutation): RepresentationMatrix {
    this.checkPermutation(s);
    const { dim, data } = this.#youngMatrix(partition, s);
    return { dim, re: data, im: null };
  }

  irrepCharacter(partition: Partition, s: Permutation): Complex {
    this.checkPartition(partition);
    this.checkPermutation(s);
    return { re: murnaghanNakayama(partition, this.cycleType(s)), im: 0 };
  }

  /** Kronecker coefficients `g(a, b, c) = sum over classes C of chi_a chi_b chi_c / z_C`. */
  tensorProductMultiplicities(a: Partition, b: Partition): LabelMultiplicity<Partition>[] {
    this.checkPartition(a);
    this.checkPartition(b);
    const classes = this.classes();
    const out: LabelMultiplicity<Partition>[] = [];
    for (const c of this.partitions()) {
      let sum = 0;
      for (const k of classes) {
        sum +=
          (murnaghanNakayama(a, k.cycleType) *
            murnaghanNakayama(b, k.cycleType) *
            murnaghanNakayama(c, k.cycleType)) /
          k.centralizerOrder;
      }
      const multiplicity = Math.round(sum);
      if (multiplicity > 0) out.push({ label: c, multiplicity });
    }
    return out;
  }

  formatLabel(partition: Partition): string {
    return `[${partition.join(",")}]`;
  }

  /** Returns every element with weight `1/n!`. @throws {ArgumentError} when n > 9. */
  quadrature(): Quadrature<Permutation> {
    return finiteQuadrature(this.elements());
  }

  /** Averages `f` over the group. @throws {ArgumentError} when n > 9. */
  integrate(f: (g: Permutation) => number): number {
    return integrateWith(this.quadrature(), f);
  }
}

/**
 * Creates a `ContainerModule` that registers `new SymmetricGroup(n)` under `TOKENS.Group` with the
 * name `Sn`.
 *
 * @throws {DuplicateRegistrationError} on load when a group of that name is already registered.
 */
export function symmetricGroupModule(n: number): ContainerModule {
  const group = new SymmetricGroup(n);
  return new ContainerModule((options) => {
    bindNamed(options, "group", TOKENS.Group, group.name, group);
  });
}
