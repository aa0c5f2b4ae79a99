/**
 * Covariant operations on permutation-covariant tensors.
 *
 * Layout: a tensor of order `k` over a receptive field of size `n` has shape
 * `[...lead, n, ..., n, channels]` with `k` field axes just before the channel axis. The leading
 * axes (often one axis of fields in a batch) pass through unchanged. A permutation `sigma` of
 * the field acts on every field axis at once, and each operation here commutes with it.
 *
 * @module
 */
import {
  ArgumentError,
  add,
  concat,
  formatShape,
  gather,
  matmul,
  mul,
  reshape,
  ShapeError,
  segmentSum,
  stack,
  sum,
  type Tensor,
  transpose,
} from "@covnet/core";
import { type LabelSpec, partitionTable } from "./internal/indexing.js";
import type { Reduction } from "./partitions.js";

/**
 * Checks that `x` has `order` field axes of one size before its channel axis and returns that
 * size and the number of leading axes.
 *
 * @throws {ShapeError} when the field axes are missing or differ in size.
 */
export function fieldShape(op: string, x: Tensor, order: number): { n: number; lead: number } {
  if (!Number.isInteger(order) || order < 0) {
    throw new ArgumentError(`${op}: order must be an integer >= 0, got ${order}`);
  }
  if (x.rank < order + 1) {
    throw new ShapeError(
      `${op}: a tensor of order ${order} needs ${order} field axes and a channel axis, got shape ${formatShape(x.shape)}`,
    );
  }
  const lead = x.rank - order - 1;
  const n = order === 0 ? 1 : (x.shape[lead] as number);
  for (let i = 0; i < order; i++) {
    if (x.shape[lead + i] !== n) {
      throw new ShapeError(
        `${op}: field axes of shape ${formatShape(x.shape)} differ in size (order ${order}, channels last)`,
      );
    }
  }
  return { n, lead };
}

/**
 * Applies the partition map that sends input index `t` to the label `spec.inputs[t]` and output
 * index `s` to `spec.outputs[s]`: `y[out] = sum over label values consistent with out of
 * x[in]`. Input indices that share a label are identified (a diagonal), labels absent from the
 * outputs are summed, and labels absent from the inputs broadcast. Shapes:
 * `[...lead, n^inOrder, C] -> [...lead, n^outOrder, C]`. Differentiable (gather and segment sum).
 *
 * @param n Field size; needed when the input has order 0.
 * @throws {ShapeError} when `x` does not have `spec.inputs.length` field axes of size `n`.
 */
export function partitionMap(x: Tensor, spec: LabelSpec, n?: number): Tensor {
  const order = spec.inputs.length;
  const shape = fieldShape("partitionMap", x, order);
  const size = order === 0 ? (n ?? 1) : shape.n;
  if (n !== undefined && order > 0 && n !== shape.n) {
    throw new ShapeError(`partitionMap: field size is ${shape.n}, expected ${n}`);
  }
  const leadShape = x.shape.slice(0, shape.lead);
  const channels = x.shape[x.rank - 1] as number;
  const fast = sumOrTranspose(x, spec, shape.lead);
  if (fast !== null) return fast;
  const rows = leadShape.reduce((a, b) => a * b, 1);
  const table = partitionTable(spec, size);
  const engine = x.engine;
  const flat = transpose(reshape(x, [rows, size ** order, channels]), [1, 0, 2]);
  const sources = engine.makeTensor(table.sources, [table.sources.length], "int32");
  const targets = engine.makeTensor(table.targets, [table.targets.length], "int32");
  const outSize = size ** spec.outputs.length;
  const y = segmentSum(gather(flat, sources, 0), targets, outSize);
  const outFieldShape = new Array<number>(spec.outputs.length).fill(size);
  return reshape(transpose(y, [1, 0, 2]), [...leadShape, ...outFieldShape, channels]);
}

/**
 * Handles the partition maps without diagonals or broadcasts (distinct input labels, outputs a
 * subset of them) with a sum and a transpose, which is much cheaper than a gather.
 */
function sumOrTranspose(x: Tensor, spec: LabelSpec, lead: number): Tensor | null {
  const distinct = new Set(spec.inputs).size === spec.inputs.length;
  if (!distinct || !spec.outputs.every((l) => spec.inputs.includes(l))) return null;
  if (new Set(spec.outputs).size !== spec.outputs.length) return null;
  const summed = spec.inputs
    .map((l, i) => (spec.outputs.includes(l) ? -1 : lead + i))
    .filter((a) => a >= 0);
  const y = summed.length === 0 ? x : sum(x, summed);
  const remaining = spec.inputs.filter((l) => spec.outputs.includes(l));
  const perm = spec.outputs.map((l) => lead + remaining.indexOf(l));
  if (perm.every((a, i) => a === lead + i)) return y;
  const leadAxes = Array.from({ length: lead }, (_, i) => i);
  return transpose(y, [...leadAxes, ...perm, y.rank - 1]);
}

/**
 * Sums a tensor of order `order` over the field indices `indices` (0-based among the field
 * axes): order `k` becomes order `k - indices.length`.
 *
 * @throws {ArgumentError} when an index is repeated or out of range.
 */
export function sumIndices(x: Tensor, order: number, indices: readonly number[]): Tensor {
  const { lead } = fieldShape("sumIndices", x, order);
  checkIndices("sumIndices", order, indices);
  if (indices.length === 0) return x;
  return sum(
    x,
    indices.map((i) => lead + i),
  );
}

/**
 * Identifies the field indices `indices` (a generalised diagonal): the result has order
 * `order - indices.length + 1`, and the identified index takes the place of the first of them.
 *
 * @throws {ArgumentError} when fewer than one index is given, or one repeats.
 */
export function diagonal(x: Tensor, order: number, indices: readonly number[]): Tensor {
  fieldShape("diagonal", x, order);
  checkIndices("diagonal", order, indices);
  if (indices.length === 0) throw new ArgumentError("diagonal: give at least one index");
  const first = Math.min(...indices);
  const inputs = Array.from({ length: order }, (_, i) => (indices.includes(i) ? first : i));
  const outputs = inputs.filter((l, i) => l === i);
  return partitionMap(x, { inputs, outputs });
}

/**
 * Elementwise (Hadamard) product of two tensors of the same order over the same field. Both
 * may carry channels; they broadcast.
 *
 * @throws {ShapeError} when the field axes differ.
 */
export function hadamard(a: Tensor, b: Tensor, order: number): Tensor {
  const fa = fieldShape("hadamard", a, order);
  const fb = fieldShape("hadamard", b, order);
  if (fa.n !== fb.n) {
    throw new ShapeError(
      `hadamard: field sizes differ: ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  return mul(a, b);
}

/**
 * Stacks tensors of one order along a new leading field index: entry `a` of the result is
 * `children[a]`, or zeros where `children[a]` is null. With one child per vertex of the field
 * (already promoted into it), the result is a covariant tensor of order `order + 1`.
 * Shapes: `k` tensors `[...lead, n^order, C]` give `[...lead, k, n^order, C]`.
 *
 * @throws {ArgumentError} when every entry is null.
 */
export function stackChildren(children: readonly (Tensor | null)[], order: number): Tensor {
  const present = children.find((c): c is Tensor => c !== null);
  if (present === undefined) throw new ArgumentError("stackChildren: every child is null");
  const { lead } = fieldShape("stackChildren", present, order);
  const zero = mul(present, 0);
  return stack(
    children.map((c) => c ?? zero),
    lead,
  );
}

/**
 * Tensor product with a matrix over the same field, usually the adjacency matrix restricted to
 * the field: `y[..., i_1..i_k, p, q, c] = x[..., i_1..i_k, c] * A[..., p, q]`. Order `k`
 * becomes `k + 2`. Shapes: `x [...lead, n^k, C]`, `A [...lead, n, n]`.
 *
 * @throws {ShapeError} when `A` is not `[...lead, n, n]`.
 */
export function adjacencyProduct(x: Tensor, order: number, adjacency: Tensor): Tensor {
  const { n, lead } = fieldShape("adjacencyProduct", x, order);
  if (
    adjacency.rank !== lead + 2 ||
    adjacency.shape[lead] !== n ||
    adjacency.shape[lead + 1] !== n
  ) {
    throw new ShapeError(
      `adjacencyProduct: adjacency ${formatShape(adjacency.shape)} must be [...lead, ${n}, ${n}] for x ${formatShape(x.shape)}`,
    );
  }
  const xs = reshape(x, [...x.shape.slice(0, -1), 1, 1, x.shape[x.rank - 1] as number]);
  const leadShape = x.shape.slice(0, lead);
  const as = reshape(adjacency, [...leadShape, ...new Array<number>(order).fill(1), n, n, 1]);
  return mul(xs, as);
}

/**
 * Applies one covariant reduction (see {@link enumerateReductions}) to a tensor of order
 * `r.order`: `[...lead, n^order, C] -> [...lead, n^kept, C]`.
 */
export function reduce(x: Tensor, r: Reduction): Tensor {
  const { inputs, outputs } = reductionSpec(r);
  return partitionMap(x, { inputs, outputs });
}

/**
 * Applies every reduction of `reductions` and concatenates the results on the channel axis:
 * `[...lead, n^order, C] -> [...lead, n^target, reductions.length * C]`, reduction-major.
 *
 * @throws {ArgumentError} when the reductions differ in input or output order.
 */
export function reduceAll(x: Tensor, reductions: readonly Reduction[]): Tensor {
  const first = reductions[0];
  if (first === undefined) throw new ArgumentError("reduceAll: no reductions given");
  for (const r of reductions) {
    if (r.order !== first.order || r.kept.length !== first.kept.length) {
      throw new ArgumentError("reduceAll: reductions must share input and output orders");
    }
  }
  return concat(
    reductions.map((r) => reduce(x, r)),
    x.rank - 1 - first.order + first.kept.length,
  );
}

/**
 * Applies a reduction of the order `order + 2` tensor `x (x) A` (see {@link adjacencyProduct})
 * without forming it: the indices `order` and `order + 1` of `r` are those of `A`. Diagonals and
 * sums are taken on each factor first, and indices shared by both factors are contracted with
 * a batched matrix product. Shapes: `x [lead, n^order, C]` (one lead axis), `A [lead, n, n]`,
 * result `[lead, n^kept, C]`.
 *
 * @throws {ShapeError} when `x` has other than one lead axis or `A` does not match.
 */
export function reduceAdjacencyProduct(
  x: Tensor,
  order: number,
  adjacency: Tensor,
  r: Reduction,
): Tensor {
  const { n, lead } = fieldShape("reduceAdjacencyProduct", x, order);
  if (lead !== 1 || adjacency.rank !== 2 + lead || adjacency.shape[1] !== n) {
    throw new ShapeError(
      `reduceAdjacencyProduct: expected x [L, ${n}^${order}, C] and A [L, ${n}, ${n}], got ${formatShape(x.shape)} and ${formatShape(adjacency.shape)}`,
    );
  }
  if (r.order !== order + 2) {
    throw new ArgumentError(
      `reduceAdjacencyProduct: reduction of order ${r.order} does not fit x (x) A of order ${order + 2}`,
    );
  }
  const { inputs, outputs } = reductionSpec(r);
  const xLabels = inputs.slice(0, order);
  const aLabels = inputs.slice(order);
  const keep = (labels: readonly number[], other: readonly number[]) =>
    [...new Set(labels)].filter((l) => outputs.includes(l) || other.includes(l));
  const xOut = keep(xLabels, aLabels);
  const aOut = keep(aLabels, xLabels);
  const xr = partitionMap(x, { inputs: xLabels, outputs: xOut }, n);
  const ar = partitionMap(reshape(adjacency, [...adjacency.shape, 1]), {
    inputs: aLabels,
    outputs: aOut,
  });
  return contractPair(xr, xOut, reshape(ar, ar.shape.slice(0, -1)), aOut, outputs, n);
}

/**
 * Applies every reduction of `reductions` to `x (x) A` (see {@link reduceAdjacencyProduct}) and
 * concatenates the results on the channel axis, reduction-major:
 * `[lead, n^order, C] -> [lead, n^target, reductions.length * C]`. Factors shared by several
 * reductions are computed once. `scale(r)` optionally multiplies each result (for example by a
 * power of the inverse field size, to normalise sums).
 */
export function reduceAllAdjacencyProduct(
  x: Tensor,
  order: number,
  adjacency: Tensor,
  reductions: readonly Reduction[],
  scale?: (r: Reduction) => Tensor | null,
): Tensor {
  const { n } = fieldShape("reduceAllAdjacencyProduct", x, order);
  const cache = new Map<string, Tensor>();
  const cached = (key: string, make: () => Tensor) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const made = make();
    cache.set(key, made);
    return made;
  };
  const a1 = reshape(adjacency, [...adjacency.shape, 1]);
  const parts = reductions.map((r) => {
    if (r.order !== order + 2) {
      throw new ArgumentError(
        `reduceAllAdjacencyProduct: reduction of order ${r.order} does not fit order ${order + 2}`,
      );
    }
    const { inputs, outputs } = reductionSpec(r);
    const xLabels = inputs.slice(0, order);
    const aLabels = inputs.slice(order);
    const keep = (labels: readonly number[], other: readonly number[]) =>
      [...new Set(labels)].filter((l) => outputs.includes(l) || other.includes(l));
    const xOut = keep(xLabels, aLabels);
    const aOut = keep(aLabels, xLabels);
    const xr = cached(`x${xLabels}|${xOut}`, () =>
      partitionMap(x, { inputs: xLabels, outputs: xOut }, n),
    );
    const ar = cached(`a${aLabels}|${aOut}`, () => {
      const m = partitionMap(a1, { inputs: aLabels, outputs: aOut });
      return reshape(m, m.shape.slice(0, -1));
    });
    const y = contractPair(xr, xOut, ar, aOut, outputs, n);
    const s = scale?.(r) ?? null;
    return s === null ? y : mul(y, s);
  });
  const first = reductions[0];
  if (first === undefined)
    throw new ArgumentError("reduceAllAdjacencyProduct: no reductions given");
  return concat(parts, 1 + first.kept.length);
}

/**
 * `out[L, outLabels, C] = sum over contracted labels of a[L, aLabels, C] * b[L, bLabels]`, where
 * every label not in `outLabels` appears in both factors.
 */
export function contractPair(
  a: Tensor,
  aLabels: readonly number[],
  b: Tensor,
  bLabels: readonly number[],
  outLabels: readonly number[],
  n: number,
): Tensor {
  const rows = a.shape[0] as number;
  const channels = a.shape[a.rank - 1] as number;
  const shared = aLabels.filter((l) => bLabels.includes(l));
  const batch = shared.filter((l) => outLabels.includes(l));
  const contracted = shared.filter((l) => !outLabels.includes(l));
  const aFree = aLabels.filter((l) => !bLabels.includes(l));
  const bFree = bLabels.filter((l) => !aLabels.includes(l));
  const axisA = (l: number) => 1 + aLabels.indexOf(l);
  const axisB = (l: number) => 1 + bLabels.indexOf(l);
  const at = transpose(a, [
    0,
    ...batch.map(axisA),
    ...aFree.map(axisA),
    a.rank - 1,
    ...contracted.map(axisA),
  ]);
  const bt = transpose(b, [0, ...batch.map(axisB), ...contracted.map(axisB), ...bFree.map(axisB)]);
  const nb = n ** batch.length;
  const m = n ** aFree.length * channels;
  const kc = n ** contracted.length;
  const nf = n ** bFree.length;
  const y = matmul(reshape(at, [rows * nb, m, kc]), reshape(bt, [rows * nb, kc, nf]));
  const labels = [...batch, ...aFree, -1, ...bFree];
  const shaped = reshape(y, [
    rows,
    ...batch.map(() => n),
    ...aFree.map(() => n),
    channels,
    ...bFree.map(() => n),
  ]);
  const perm = [0, ...outLabels.map((l) => 1 + labels.indexOf(l)), 1 + labels.indexOf(-1)];
  return transpose(shaped, perm);
}

/** Labels of a reduction: input index to block, output slot to block. */
export function reductionSpec(r: Reduction): LabelSpec {
  const inputs = new Array<number>(r.order).fill(0);
  r.blocks.forEach((block, b) => {
    for (const i of block) inputs[i] = b;
  });
  return { inputs, outputs: [...r.kept] };
}

/** Number of summed blocks of a reduction (for normalising by the field size). */
export function summedBlocks(r: Reduction): number {
  return r.blocks.length - r.kept.length;
}

/** Adds tensors of one shape; a convenience for combining reductions. */
export function addAll(tensors: readonly Tensor[]): Tensor {
  const [first, ...rest] = tensors;
  if (first === undefined) throw new ArgumentError("addAll: no tensors given");
  return rest.reduce((acc, t) => add(acc, t), first);
}

function checkIndices(op: string, order: number, indices: readonly number[]): void {
  const seen = new Set<number>();
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= order || seen.has(i)) {
      throw new ArgumentError(
        `${op}: index ${i} of [${indices.join(", ")}] is repeated or outside the ${order} field indices`,
      );
    }
    seen.add(i);
  }
}
