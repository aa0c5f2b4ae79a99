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
 * Sparse operator of one level, as a `[outputRows, inputRows * reductions]` matrix in compressed
 * sparse rows. Entry `t` of row `r` adds `weight[t]` times reduction `columns[t] % R` of the
 * previous level's packed row `floor(columns[t] / R)` to this level's packed row `r`, where `R`
 * is the number of reductions. A model that mixes the channels of each reduction first (rows
 * `[inputRows * R, C']`) multiplies them by this matrix, without materialising the
 * `[rows, R * C]` reductions.
 */
export interface ReductionOperator {
  /** `[outputRows + 1]`: the entries of row `r` are `rowStart[r] .. rowStart[r + 1] - 1`. */
  readonly rowStart: Int32Array;
  /** Source column of each entry: previous packed row times `R` plus the reduction. */
  readonly columns: Int32Array;
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
  /** Whether each adjacency index's block is kept in the output. */
  readonly aKept: boolean;
  readonly bKept: boolean;
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
      aKept: r.kept.includes(block[order + 1] as number),
      bKept: r.kept.includes(block[order + 2] as number),
    };
  });
}

/** Growable parallel arrays of the entries of one vertex: source column, output cell, weight. */
class EntryList {
  source = new Int32Array(1024);
  cell = new Int32Array(1024);
  weight = new Float64Array(1024);
  length = 0;

  push(source: number, cell: number, weight: number): void {
    if (this.length === this.source.length) {
      this.source = grow(this.source, this.length * 2);
      this.cell = grow(this.cell, this.length * 2);
      this.weight = grow(this.weight, this.length * 2);
    }
    this.source[this.length] = source;
    this.cell[this.length] = cell;
    this.weight[this.length] = weight;
    this.length++;
  }
}

/** Copies `a` into a new array of `size` elements. */
function grow<T extends Int32Array | Float64Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a.subarray(0, Math.min(a.length, size)));
  return b;
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
   * Adds `weight` to the output cell that the current block values select, and returns the
   * number of touched cells.
   */
  #add(count: number, r: CompiledReduction, weight: number): number {
    const { values, accumulated, touched } = this;
    let cell = values[r.kept[0] as number] as number;
    if (this.order === 2) cell = cell * this.field.length + (values[r.kept[1] as number] as number);
    let touchedCount = count;
    if (accumulated[cell] === 0) touched[touchedCount++] = cell;
    accumulated[cell] = (accumulated[cell] as number) + weight;
    return touchedCount;
  }

  /**
   * Appends the entries of reduction `ri` of the loaded vertex, with output cells numbered
   * from 0 within the vertex's rows.
   */
  append(entries: EntryList, r: CompiledReduction, ri: number, numReductions: number): void {
    const { order, values, accumulated, touched, rowStart, columns, stack } = this;
    const k = this.field.length;
    const weight = k ** -r.power;
    const blockA = r.block[order + 1] as number;
    const blockB = r.block[order + 2] as number;
    const equalities = r.equalities;
    for (let e = 0; e < stack.length; e += 5) {
      if (((stack[e + 4] as number) & equalities) !== equalities) continue;
      for (let i = 0; i <= order; i++) values[r.block[i] as number] = stack[e + i] as number;
      // Sum over the adjacency entries A[a, b] = 1 that agree with the blocks fixed so far, per
      // output cell. A is symmetric, so the entries with a given b are row b. An adjacency index
      // that is neither fixed nor kept only counts entries: its sum is a degree or the number
      // of entries.
      let count = 0;
      const a0 = r.aFixed ? (values[blockA] as number) : -1;
      const b0 = r.bFixed ? (values[blockB] as number) : -1;
      if (a0 >= 0 && b0 >= 0) {
        for (let t = rowStart[a0] as number; t < (rowStart[a0 + 1] as number); t++) {
          if (columns[t] === b0) count = this.#add(count, r, weight);
        }
      } else if (a0 >= 0 || b0 >= 0) {
        const fixed = a0 >= 0 ? a0 : b0;
        const freeBlock = a0 >= 0 ? blockB : blockA;
        const freeKept = a0 >= 0 ? r.bKept : r.aKept;
        const begin = rowStart[fixed] as number;
        const finish = rowStart[fixed + 1] as number;
        if (!freeKept) {
          if (finish > begin) count = this.#add(count, r, weight * (finish - begin));
        } else {
          for (let t = begin; t < finish; t++) {
            values[freeBlock] = columns[t] as number;
            count = this.#add(count, r, weight);
          }
        }
      } else if (!r.aKept && !r.bKept) {
        const entries = rowStart[k] as number;
        if (entries > 0) count = this.#add(count, r, weight * entries);
      } else if (r.aKept !== r.bKept) {
        const keptBlock = r.aKept ? blockA : blockB;
        for (let a = 0; a < k; a++) {
          const degree = (rowStart[a + 1] as number) - (rowStart[a] as number);
          if (degree === 0) continue;
          values[keptBlock] = a;
          count = this.#add(count, r, weight * degree);
        }
      } else {
        for (let a = 0; a < k; a++) {
          values[blockA] = a;
          const finish = rowStart[a + 1] as number;
          for (let t = rowStart[a] as number; t < finish; t++) {
            values[blockB] = columns[t] as number;
            count = this.#add(count, r, weight);
          }
        }
      }
      const source = (stack[e + 3] as number) * numReductions + ri;
      for (let t = 0; t < count; t++) {
        const cell = touched[t] as number;
        entries.push(source, cell, accumulated[cell] as number);
        accumulated[cell] = 0;
      }
    }
  }
}

/**
 * Compressed sparse rows filled front to back, one block of consecutive rows at a time (the
 * rows of one vertex).
 */
class RowBuilder {
  readonly rowStart: Int32Array;
  columns: Int32Array;
  weight: Float64Array;
  nnz = 0;

  constructor(rows: number, capacity: number) {
    this.rowStart = new Int32Array(rows + 1);
    this.columns = new Int32Array(capacity + 1024);
    this.weight = new Float64Array(capacity + 1024);
  }

  /**
   * Appends the entries of rows `base .. base + cells - 1`, given with cells numbered from 0,
   * by a counting sort on the cell that keeps the order of the entries within a cell.
   */
  appendBlock(base: number, cells: number, entries: EntryList): void {
    const { rowStart } = this;
    const nnz = this.nnz;
    for (let c = 0; c <= cells; c++) rowStart[base + c] = nnz;
    for (let t = 0; t < entries.length; t++) {
      const row = base + (entries.cell[t] as number) + 1;
      rowStart[row] = (rowStart[row] as number) + 1;
    }
    for (let c = 1; c <= cells; c++) {
      rowStart[base + c] =
        (rowStart[base + c] as number) + (rowStart[base + c - 1] as number) - nnz;
    }
    const end = nnz + entries.length;
    if (end > this.columns.length) {
      const size = Math.max(end, 2 * this.columns.length);
      this.columns = grow(this.columns, size);
      this.weight = grow(this.weight, size);
    }
    // rowStart[base + c] is the next free slot of cell c until all entries are placed.
    const { columns, weight } = this;
    for (let t = 0; t < entries.length; t++) {
      const row = base + (entries.cell[t] as number);
      const at = rowStart[row] as number;
      columns[at] = entries.source[t] as number;
      weight[at] = entries.weight[t] as number;
      rowStart[row] = at + 1;
    }
    for (let c = cells; c > 0; c--) rowStart[base + c] = rowStart[base + c - 1] as number;
    rowStart[base] = nnz;
    this.nnz = end;
  }

  /** Closes the last row and returns the arrays, trimmed to the entries. */
  finish(): { rowStart: Int32Array; columns: Int32Array; weight: Float64Array } {
    const rows = this.rowStart.length - 1;
    this.rowStart[rows] = this.nnz;
    return {
      rowStart: this.rowStart,
      columns: this.columns.subarray(0, this.nnz),
      weight: this.weight.subarray(0, this.nnz),
    };
  }
}

const cache = new WeakMap<object, Map<string, ReductionOperator>>();

/**
 * Entries per output row of the last operator built for each order, level and reduction count:
 * the initial size of the next one's arrays, so that they rarely grow.
 */
const entriesPerRow = new Map<string, number>();

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
  const numReductions = compiled.length;
  const local = new EntryList();
  const vertex = new VertexEntries(order, batch.numVertices, current.fields.size);
  // Visiting the vertices in the order of their packed rows fills the rows front to back.
  const byRow = Int32Array.from({ length: batch.numVertices }, (_, v) => v).sort(
    (a, b) => (offsets[a] as number) - (offsets[b] as number),
  );
  const hintKey = `${order}:${level}:${numReductions}`;
  const builder = new RowBuilder(rows, Math.ceil(rows * (entriesPerRow.get(hintKey) ?? 16) * 1.05));
  for (const v of byRow) {
    vertex.load(batch, level, v);
    local.length = 0;
    for (let ri = 0; ri < numReductions; ri++) {
      vertex.append(local, compiled[ri] as CompiledReduction, ri, numReductions);
    }
    builder.appendBlock(offsets[v] as number, vertex.field.length ** order, local);
  }
  const { rowStart, columns, weight } = builder.finish();
  entriesPerRow.set(hintKey, columns.length / Math.max(rows, 1));

  const operator: ReductionOperator = {
    rowStart,
    columns,
    weight,
    reductions: numReductions,
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
