/**
 * A CCN level's reductions as one sparse linear operator on the previous level's packed
 * activations.
 *
 * Every reduction of `T (x) A` is linear in the stacked children `T`, and `T` is a 0/1 selection
 * of rows of the previous level. So for fixed fields and adjacency, "promote, stack, take every
 * reduction, normalise by the field size" is one sparse matrix from previous rows to output rows
 * (vertex entry by reduction), shared by all channels. Applying it is a gather, a multiply by the
 * weights and a segment sum. The dense path materialises `T`, a `k^(order + 1)` tensor per vertex
 * that is mostly zero, because only the vertex and its neighbours are children and each child
 * fills only the entries of its own smaller field. This operator visits only the nonzero entries.
 *
 * @module
 */
import type { Reduction } from "@covnet/permutation";
import { summedBlocks } from "@covnet/permutation";
import type { CcnBatch } from "./graph_batch.js";

/**
 * Sparse operator of one level. Entry `e` adds `weight[e]` times reduction `source[e] % R` of
 * the previous level's packed row `floor(source[e] / R)` to this level's packed row
 * `target[e]`, where `R` is the number of reductions. A model that mixes the channels of each
 * reduction first (rows `[prevRows * R, C']`) applies it as a gather, a multiply and a segment
 * sum into `[rows, C']`, without materialising the `[rows, R * C]` reductions.
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
    return { block, blocks: r.blocks.length, kept: r.kept, power: summedBlocks(r) };
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
  const previousOffsets = previous.rowOffset.get(order);
  const rows = current.rows.get(order);
  if (offsets === undefined || previousOffsets === undefined || rows === undefined) {
    throw new RangeError(`reductionOperator: the batch has no packed layout of order ${order}`);
  }
  const compiled = compile(reductions, order);
  const numReductions = compiled.length;
  const fields = current.fields.fields;
  const childFields = previous.fields.fields;
  const position = new Int32Array(batch.numVertices).fill(-1);
  const entries = new EntryList();
  // Scratch space: block values, and the weights gathered per output entry of one input entry.
  const values = new Int32Array(order + 3);
  const largest = current.fields.size;
  const accumulated = new Float64Array(largest ** order);
  const touched = new Int32Array(largest ** order);
  const rowStart = new Int32Array(largest + 1);
  const columns = new Int32Array(largest * largest);
  // Nonzero entries of the stacked tensor of one vertex: stack position, field multi-index, and
  // the previous level's packed row.
  const stack: number[] = [];
  for (let v = 0; v < batch.numVertices; v++) {
    const field = fields[v] as readonly number[];
    const k = field.length;
    field.forEach((u, p) => {
      position[u] = p;
    });
    // The restricted adjacency matrix in compressed sparse rows.
    let nonzeros = 0;
    for (let p = 0; p < k; p++) {
      rowStart[p] = nonzeros;
      for (const w of batch.neighbours[field[p] as number] ?? []) {
        const q = position[w] as number;
        if (q >= 0) columns[nonzeros++] = q;
      }
    }
    rowStart[k] = nonzeros;
    stack.length = 0;
    for (const { child, position: s } of current.children[v] ?? []) {
      const childField = childFields[child] as readonly number[];
      const kc = childField.length;
      const base = previousOffsets[child] as number;
      if (order === 1) {
        childField.forEach((u, i) => {
          stack.push(s, position[u] as number, 0, base + i);
        });
      } else {
        childField.forEach((u, i) => {
          childField.forEach((w, j) => {
            stack.push(s, position[u] as number, position[w] as number, base + i * kc + j);
          });
        });
      }
    }
    const outBase = offsets[v] as number;
    for (let ri = 0; ri < numReductions; ri++) {
      const r = compiled[ri] as CompiledReduction;
      const weight = k ** -r.power;
      const blockA = r.block[order + 1] as number;
      const blockB = r.block[order + 2] as number;
      const kept0 = r.kept[0] as number;
      const kept1 = order === 2 ? (r.kept[1] as number) : -1;
      for (let e = 0; e < stack.length; e += 4) {
        values.fill(-1, 0, r.blocks);
        let consistent = true;
        for (let i = 0; i <= order && consistent; i++) {
          const b = r.block[i] as number;
          const value = stack[e + i] as number;
          if (values[b] === -1) values[b] = value;
          else if (values[b] !== value) consistent = false;
        }
        if (!consistent) continue;
        // Enumerate the adjacency entries A[a, b] = 1 that agree with the blocks fixed so far,
        // summing the weight of each output cell they reach.
        let count = 0;
        const a0 = values[blockA] as number;
        const b0 = values[blockB] as number;
        const aFrom = Math.max(a0, 0);
        const aTo = a0 >= 0 ? a0 + 1 : k;
        for (let a = aFrom; a < aTo; a++) {
          values[blockA] = a;
          const begin = rowStart[a] as number;
          const finish = rowStart[a + 1] as number;
          for (let t = begin; t < finish; t++) {
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
    for (const u of field) position[u] = -1;
  }
  const operator: ReductionOperator = {
    source: entries.source.slice(0, entries.length),
    target: entries.target.slice(0, entries.length),
    weight: entries.weight.slice(0, entries.length),
    reductions: numReductions,
    inputRows: previous.rows.get(order) as number,
    outputRows: rows,
  };
  if (perLevel === undefined) {
    perLevel = new Map();
    cache.set(current, perLevel);
  }
  perLevel.set(key, operator);
  return operator;
}
