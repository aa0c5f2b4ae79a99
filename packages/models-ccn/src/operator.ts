/**
 * A CCN level's reductions as one sparse linear operator on the previous level's packed
 * activations.
 *
 * Every reduction of `T (x) A` is linear in the stacked children `T`, and `T` is a 0/1 selection
 * of rows of the previous level. So for fixed fields and adjacency, "promote, stack, take every
 * reduction, normalise by the field size" is one sparse matrix from previous rows to output rows
 * (vertex entry by reduction), shared by all channels, applied with the `SparseMatMul` kernel. The dense path materialises `T`, a `k^(order + 1)` tensor per vertex
 * that is mostly zero, because only the vertex and its neighbours are children and each child
 * fills only the entries of its own smaller field. This operator visits only the nonzero entries.
 *
 * @module
 */
import type { Reduction } from "@covnet/permutation";
import { summedBlocks } from "@covnet/permutation";
import type { CcnBatch, LevelFields } from "./graph_batch.js";

/**
 * Sparse operator of one level. Entry `e` adds `weight[e]` times reduction `source[e] % R` of
 * the previous level's packed row `floor(source[e] / R)` to this level's packed row
 * `target[e]`, where `R` is the number of reductions. A model that mixes the channels of each
 * reduction first (rows `[prevRows * R, C']`) multiplies them by it as a sparse
 * `[rows, prevRows * R]` matrix, without materialising the `[rows, R * C]` reductions.
 */
export interface ReductionOperator {
  readonly source: Int32Array;
  readonly target: Int32Array;
  readonly weight: Float64Array;
  /** Number of reductions `R`. */
  readonly reductions: number;
  /** Packed rows of the previous level. */
  readonly inputRows: number;
  /** Packed rows of this level. */
  readonly outputRows: number;
}

/** Per-reduction data the builder needs, derived once from the partition. */
interface CompiledReduction {
  /** Block of each input index: stack, field indices, then the two adjacency indices. */
  readonly block: Int32Array;
  readonly blocks: number;
  readonly kept: readonly number[];
  /** Power of the inverse field size that normalises the sums of this reduction. */
  readonly power: number;
  /**
   * Pairs of stacked-tensor indices that share a block, as bits (see {@link pairBits}): an
   * entry contributes only when its indices are equal on all of them.
   */
  readonly equalities: number;
  /** Whether each adjacency index shares its block with a stacked-tensor index. */
  readonly aFixed: boolean;
  readonly bFixed: boolean;
}

/** Bits of the equal pairs among the indices `(s, i, j)` of a stacked entry. */
function pairBits(s: number, i: number, j: number): number {
  return (s === i ? 1 : 0) | (s === j ? 2 : 0) | (i === j ? 4 : 0);
}

function compile(reductions: readonly Reduction[], order: number): CompiledReduction[] {
  return reductions.map((r) => {
    if (r.order !== order + 3 || r.kept.length !== order) {
      throw new RangeError(
        `reductionOperator: reduction of order ${r.order} to ${r.kept.length} does not fit a level of order ${order}`,
      );
    }
    const block = new Int32Array(r.order);
    r.blocks.forEach((members, b) => {
      for (const i of members) block[i] = b;
    });
    if (block[order + 1] === block[order + 2]) {
      throw new RangeError(
        "reductionOperator: a reduction that identifies the two adjacency indices vanishes, because A has a zero diagonal; leave it out",
      );
    }
    // For order 1 the third stacked index does not exist: give it a block of its own.
    const third = order === 2 ? (block[2] as number) : -1;
    const xBlocks = [block[0], block[1], third];
    return {
      block,
      blocks: r.blocks.length,
      kept: r.kept,
      power: summedBlocks(r),
      equalities: pairBits(block[0] as number, block[1] as number, third),
      aFixed: xBlocks.includes(block[order + 1]),
      bFixed: xBlocks.includes(block[order + 2]),
    };
  });
}

/** Growable parallel arrays of operator entries. */
class EntryList {
  source = new Int32Array(1024);
  target = new Int32Array(1024);
  weight = new Float64Array(1024);
  length = 0;

  push(source: number, target: number, weight: number): void {
    if (this.length === this.source.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.source = grow(this.source, (n) => new Int32Array(n));
      this.target = grow(this.target, (n) => new Int32Array(n));
      this.weight = grow(this.weight, (n) => new Float64Array(n));
    }
    this.source[this.length] = source;
    this.target[this.length] = target;
    this.weight[this.length] = weight;
    this.length++;
  }
}

/**
 * Scratch state of {@link reductionOperator} for one vertex at a time: its restricted adjacency
 * matrix and the nonzero entries of its stacked children.
 */
class VertexEntries {
  /** Position of each global vertex id in the current field, or -1. */
  readonly position: Int32Array;
  /** The restricted adjacency matrix in compressed sparse rows. */
  readonly rowStart: Int32Array;
  readonly columns: Int32Array;
  /** Block values of one reduction while its entries are enumerated. */
  readonly values: Int32Array;
  /** Weights summed per output cell of one stacked entry, and the cells touched. */
  readonly accumulated: Float64Array;
  readonly touched: Int32Array;
  /**
   * Nonzero entries of the stacked tensor, five numbers each: stack position, field
   * multi-index (the second index -1 for order 1), the previous level's packed row, and the
   * {@link pairBits} of the three indices.
   */
  readonly stack: number[] = [];
  field: readonly number[] = [];

  constructor(
    readonly order: 1 | 2,
    numVertices: number,
    largest: number,
  ) {
    this.position = new Int32Array(numVertices).fill(-1);
    this.rowStart = new Int32Array(largest + 1);
    this.columns = new Int32Array(largest * largest);
    this.values = new Int32Array(order + 3);
    this.accumulated = new Float64Array(largest ** order);
    this.touched = new Int32Array(largest ** order);
  }

  /** Loads the field, restricted adjacency and stacked children of vertex `v`. */
  load(batch: CcnBatch, level: number, v: number): void {
    const current = batch.levels[level] as LevelFields;
    const previous = batch.levels[level - 1] as LevelFields;
    const previousOffsets = previous.rowOffset.get(this.order) as Int32Array;

    const position = this.position;
    for (const u of this.field) position[u] = -1;
    this.field = current.fields.fields[v] as readonly number[];
    const k = this.field.length;
    this.field.forEach((u, p) => {
      position[u] = p;
    });

    let nonzeros = 0;
    for (let p = 0; p < k; p++) {
      this.rowStart[p] = nonzeros;
      for (const w of batch.neighbours[this.field[p] as number] ?? []) {
        const q = position[w] as number;
        if (q >= 0) this.columns[nonzeros++] = q;
      }
    }
    this.rowStart[k] = nonzeros;

    const stack = this.stack;
    stack.length = 0;
    for (const { child, position: s } of current.children[v] ?? []) {
      const childField = previous.fields.fields[child] as readonly number[];
      const kc = childField.length;
      const base = previousOffsets[child] as number;
      childField.forEach((u, i) => {
        const p = position[u] as number;
        if (this.order === 1) {
          stack.push(s, p, -1, base + i, pairBits(s, p, -1));
          return;
        }
        childField.forEach((w, j) => {
          const q = position[w] as number;
          stack.push(s, p, q, base + i * kc + j, pairBits(s, p, q));
        });
      });
    }
  }

  /**
   * Appends the entries of reduction `ri` of the loaded vertex, whose packed rows start at
   * `outBase`.
   */
  append(
    entries: EntryList,
    r: CompiledReduction,
    ri: number,
    numReductions: number,
    outBase: number,
  ): void {
    const { order, values, accumulated, touched, rowStart, columns, stack } = this;
    const k = this.field.length;
    const weight = k ** -r.power;
    const blockA = r.block[order + 1] as number;
    const blockB = r.block[order + 2] as number;
    const kept0 = r.kept[0] as number;
    const kept1 = order === 2 ? (r.kept[1] as number) : -1;
    const equalities = r.equalities;
    for (let e = 0; e < stack.length; e += 5) {
      if (((stack[e + 4] as number) & equalities) !== equalities) continue;
      for (let i = 0; i <= order; i++) values[r.block[i] as number] = stack[e + i] as number;
      // Enumerate the adjacency entries A[a, b] = 1 that agree with the blocks fixed so far,
      // summing the weight of each output cell they reach.
      let count = 0;
      const a0 = r.aFixed ? (values[blockA] as number) : -1;
      const b0 = r.bFixed ? (values[blockB] as number) : -1;
      const aTo = a0 >= 0 ? a0 + 1 : k;
      for (let a = Math.max(a0, 0); a < aTo; a++) {
        values[blockA] = a;
        const finish = rowStart[a + 1] as number;
        for (let t = rowStart[a] as number; t < finish; t++) {
          const b = columns[t] as number;
          if (b0 >= 0 && b !== b0) continue;
          values[blockB] = b;
          let cell = values[kept0] as number;
          if (kept1 >= 0) cell = cell * k + (values[kept1] as number);
          if (accumulated[cell] === 0) touched[count++] = cell;
          accumulated[cell] = (accumulated[cell] as number) + weight;
        }
      }
      const source = (stack[e + 3] as number) * numReductions + ri;
      for (let t = 0; t < count; t++) {
        const cell = touched[t] as number;
        entries.push(source, outBase + cell, accumulated[cell] as number);
        accumulated[cell] = 0;
      }
    }
  }
}

const cache = new WeakMap<object, Map<string, ReductionOperator>>();

/**
 * Builds (or returns the cached) operator of level `level >= 1` of `batch` for activations of
 * `order` (1 or 2) and the given reductions of `T (x) A`, in the order the dense path
 * concatenates them. Sums over `s` blocks are scaled by `n^-s` for a field of size `n`.
 *
 * @throws {RangeError} when the batch has no packed layout of `order` or a reduction does not
 *   fit.
 */
export function reductionOperator(
  batch: CcnBatch,
  level: number,
  order: 1 | 2,
  reductions: readonly Reduction[],
): ReductionOperator {
  const current = batch.levels[level];
  const previous = batch.levels[level - 1];
  if (current === undefined || previous === undefined || level < 1) {
    throw new RangeError(`reductionOperator: the batch has no level ${level} above the atoms`);
  }
  const key = `${order}:${reductions.length}`;
  let perLevel = cache.get(current);
  const hit = perLevel?.get(key);
  if (hit !== undefined) return hit;

  const offsets = current.rowOffset.get(order);
  const rows = current.rows.get(order);
  const inputRows = previous.rows.get(order);
  if (offsets === undefined || rows === undefined || inputRows === undefined) {
    throw new RangeError(`reductionOperator: the batch has no packed layout of order ${order}`);
  }

  const compiled = compile(reductions, order);
  const entries = new EntryList();
  const vertex = new VertexEntries(order, batch.numVertices, current.fields.size);
  for (let v = 0; v < batch.numVertices; v++) {
    vertex.load(batch, level, v);
    compiled.forEach((r, ri) => {
      vertex.append(entries, r, ri, compiled.length, offsets[v] as number);
    });
  }

  const operator: ReductionOperator = {
    source: entries.source.slice(0, entries.length),
    target: entries.target.slice(0, entries.length),
    weight: entries.weight.slice(0, entries.length),
    reductions: compiled.length,
    inputRows,
    outputRows: rows,
  };
  if (perLevel === undefined) {
    perLevel = new Map();
    cache.set(current, perLevel);
  }
  perLevel.set(key, operator);
  return operator;
}
