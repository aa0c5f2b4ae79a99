/**
 * Set partitions and the covariant reductions they index.
 *
 * A permutation-covariant map between tensors over one receptive field can only identify
 * indices (take diagonals), sum them out, or broadcast along them. Which indices move together
 * is a set partition of the index set, so set partitions enumerate both the reductions of a
 * tensor and the basis of the equivariant linear maps between two orders.
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";

/** A set partition of `0..n-1`: disjoint, non-empty blocks, each sorted, blocks by first element. */
export type SetPartition = readonly (readonly number[])[];

/**
 * Enumerates every set partition of `0..n-1` in the order of their restricted growth strings.
 * There are `bellNumber(n)` of them.
 *
 * @throws {ArgumentError} unless `n` is an integer in `0..12`.
 */
export function setPartitions(n: number): SetPartition[] {
  if (!Number.isInteger(n) || n < 0 || n > 12) {
    throw new ArgumentError(`setPartitions: n must be an integer in 0..12, got ${n}`);
  }
  const out: SetPartition[] = [];
  const labels = new Array<number>(n).fill(0);
  const visit = (i: number, blocks: number): void => {
    if (i === n) {
      const partition: number[][] = Array.from({ length: blocks }, () => []);
      labels.forEach((b, index) => partition[b]?.push(index));
      out.push(partition);
      return;
    }
    for (let b = 0; b <= blocks; b++) {
      labels[i] = b;
      visit(i + 1, b === blocks ? blocks + 1 : blocks);
    }
  };
  visit(0, 0);
  return out;
}

/** The Bell number `B(n)`, computed with the Bell triangle (independently of {@link setPartitions}). */
export function bellNumber(n: number): number {
  let row = [1];
  for (let i = 0; i < n; i++) {
    const next = [row[row.length - 1] as number];
    for (const v of row) next.push((next[next.length - 1] as number) + v);
    row = next;
  }
  return row[0] as number;
}

/** The Stirling number of the second kind `S(n, k)`: partitions of n elements into k blocks. */
export function stirling2(n: number, k: number): number {
  const table: number[][] = [[1]];
  for (let i = 1; i <= n; i++) {
    const row = [0];
    for (let j = 1; j <= i; j++) {
      const prev = table[i - 1] as number[];
      row.push(j * (prev[j] ?? 0) + (prev[j - 1] ?? 0));
    }
    table.push(row);
  }
  return table[n]?.[k] ?? 0;
}

/**
 * A covariant reduction of a tensor of order `order` to order `kept.length`: indices in one
 * block of `blocks` are identified (a diagonal), blocks named in `kept` become the output
 * indices in that order, and every other block is summed out.
 */
export interface Reduction {
  /** Order of the input tensor. */
  readonly order: number;
  /** Set partition of the input indices `0..order-1`. */
  readonly blocks: SetPartition;
  /** Indices into `blocks` of the output indices, in output order. */
  readonly kept: readonly number[];
}

/** Options of {@link enumerateReductions}. */
export interface ReductionFilter {
  /**
   * Drop reductions that put these two input indices in one block. The CCN product with an
   * adjacency matrix that has a zero diagonal uses it: such reductions vanish identically.
   */
  readonly separate?: readonly [number, number];
  /**
   * Keep one reduction of each pair that differ only by exchanging these two input indices.
   * The CCN product with a symmetric adjacency matrix uses it: such pairs are equal.
   */
  readonly symmetric?: readonly [number, number];
}

/**
 * Enumerates the covariant reductions of an order-`order` tensor to order `target`: every set
 * partition of the indices, with every ordered choice of `target` distinct blocks as outputs.
 * Their number is `sum_b S(order, b) * b! / (b - target)!`.
 *
 * @throws {ArgumentError} unless `0 <= target` and `order <= 8`.
 * @example
 * ```ts
 * enumerateReductions(2, 1).length; // 3: row sums, column sums, the diagonal
 * ```
 */
export function enumerateReductions(
  order: number,
  target: number,
  filter: ReductionFilter = {},
): Reduction[] {
  if (!Number.isInteger(order) || order < 0 || order > 8) {
    throw new ArgumentError(`enumerateReductions: order must be an integer in 0..8, got ${order}`);
  }
  if (!Number.isInteger(target) || target < 0) {
    throw new ArgumentError(`enumerateReductions: target must be an integer >= 0, got ${target}`);
  }
  const out: Reduction[] = [];
  const seen = new Set<string>();
  for (const blocks of setPartitions(order)) {
    if (filter.separate !== undefined && sameBlock(blocks, filter.separate)) continue;
    for (const kept of orderedSelections(blocks.length, target)) {
      const reduction: Reduction = { order, blocks, kept };
      if (filter.symmetric !== undefined) {
        const key = reductionKey(reduction);
        if (seen.has(reductionKey(swapIndices(reduction, filter.symmetric)))) continue;
        seen.add(key);
      }
      out.push(reduction);
    }
  }
  return out;
}

/** Number of reductions from order `order` to `target`, from Stirling numbers. */
export function countReductions(order: number, target: number): number {
  let total = 0;
  for (let b = target; b <= order; b++) {
    let falling = 1;
    for (let i = 0; i < target; i++) falling *= b - i;
    total += stirling2(order, b) * falling;
  }
  return total;
}

/** Output-order labels of each input index: the block index, or -1 for a summed block. */
export function reductionLabels(r: Reduction): { readonly blockOf: number[] } {
  const blockOf = new Array<number>(r.order).fill(-1);
  r.blocks.forEach((block, b) => {
    for (const i of block) blockOf[i] = b;
  });
  return { blockOf };
}

/** A readable form: `[[0,2],[1]] -> (1)` keeps block 1 and sums block 0's diagonal. */
export function formatReduction(r: Reduction): string {
  const blocks = r.blocks.map((b) => `{${b.join(",")}}`).join("");
  return `${blocks}->(${r.kept.join(",")})`;
}

function sameBlock(blocks: SetPartition, [a, b]: readonly [number, number]): boolean {
  return blocks.some((block) => block.includes(a) && block.includes(b));
}

function orderedSelections(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (const rest of orderedSelections(n, k - 1)) {
    for (let i = 0; i < n; i++) if (!rest.includes(i)) out.push([...rest, i]);
  }
  return out;
}

/** Canonical key: for each input index its block, relabelled as output slot or summed. */
function reductionKey(r: Reduction): string {
  const { blockOf } = reductionLabels(r);
  const slot = (b: number) => {
    const k = r.kept.indexOf(b);
    return k >= 0 ? `o${k}` : "";
  };
  const firstOf = new Map<number, number>();
  return blockOf
    .map((b, i) => {
      if (!firstOf.has(b)) firstOf.set(b, i);
      return `${firstOf.get(b)}${slot(b)}`;
    })
    .join(" ");
}

function swapIndices(r: Reduction, [a, b]: readonly [number, number]): Reduction {
  const swap = (i: number) => (i === a ? b : i === b ? a : i);
  const moved = r.blocks.map((block) => block.map(swap).sort((x, y) => x - y));
  const order = moved
    .map((block, index) => ({ block, index }))
    .sort((x, y) => (x.block[0] as number) - (y.block[0] as number));
  const newIndex = new Map(order.map((o, i) => [o.index, i]));
  return {
    order: r.order,
    blocks: order.map((o) => o.block),
    kept: r.kept.map((k) => newIndex.get(k) as number),
  };
}
