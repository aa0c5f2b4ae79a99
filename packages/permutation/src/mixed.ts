/**
 * The covariant reductions of `x (x) A` followed by a learned channel mixing, computed without
 * forming each reduced tensor.
 *
 * A reduction of `x (x) A` factors into a partial reduction of `x` alone (diagonals and sums of
 * its indices) and an expansion that combines the result with a reduction of `A` (products,
 * contractions over shared indices, placement on the output indices). Channel mixing commutes
 * with both steps, so reductions that share an expansion are mixed while they are still small
 * partial reductions of `x` and expanded once: `sum_r R_r(x) W_r = sum_E E(sum_{r in E} P_r(x) W_r)`.
 *
 * @module
 */
import {
  ArgumentError,
  add,
  broadcastTo,
  concat,
  formatShape,
  gather,
  matmul,
  mul,
  reshape,
  ShapeError,
  sum,
  type Tensor,
  transpose,
} from "@covnet/core";
import type { LabelSpec } from "./internal/indexing.js";
import { contractPair, fieldShape, partitionMap, reductionSpec } from "./ops.js";
import type { Reduction } from "./partitions.js";

/** One expansion shared by several reductions, with their partial reductions of `x`. */
export interface ReductionGroup {
  /** Labels of the partial reduction's output axes, ascending. */
  readonly xOut: readonly number[];
  /** Reduction of the adjacency factor. */
  readonly a: LabelSpec;
  /** Output labels of the expansion. */
  readonly outputs: readonly number[];
  /** Members: position in the reduction list and the partial reduction of `x`. */
  readonly members: readonly { readonly index: number; readonly x: LabelSpec }[];
}

/**
 * Groups reductions of the order `order + 2` tensor `x (x) A` (the last two indices are those of
 * `A`) by their expansion, with labels renamed canonically so that equal steps get equal keys.
 *
 * @throws {ArgumentError} when a reduction does not have order `order + 2`.
 */
export function groupReductions(order: number, reductions: readonly Reduction[]): ReductionGroup[] {
  const groups = new Map<string, { -readonly [K in keyof ReductionGroup]: ReductionGroup[K] }>();
  reductions.forEach((r, index) => {
    if (r.order !== order + 2) {
      throw new ArgumentError(
        `groupReductions: reduction of order ${r.order} does not fit x (x) A of order ${order + 2}`,
      );
    }
    const { inputs, outputs } = reductionSpec(r);
    const xLabels = inputs.slice(0, order);
    const aLabels = inputs.slice(order);
    const keep = (labels: readonly number[], other: readonly number[]) =>
      [...new Set(labels)].filter((l) => outputs.includes(l) || other.includes(l));
    const xOut = keep(xLabels, aLabels);
    const aOut = keep(aLabels, xLabels);
    // Outputs are named first and the partial reduction's axes are sorted by name, so that
    // reductions that differ only in the order of those axes share one expansion.
    const names = new Map<number, number>();
    for (const l of [...outputs, ...aLabels, ...xLabels]) {
      if (!names.has(l)) names.set(l, names.size);
    }
    const rename = (labels: readonly number[]) => labels.map((l) => names.get(l) as number);
    const a = { inputs: rename(aLabels), outputs: rename(aOut) };
    const xAxes = rename(xOut).sort((p, q) => p - q);
    const key = `${xAxes}|${a.inputs}|${a.outputs}|${rename(outputs)}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { xOut: xAxes, a, outputs: rename(outputs), members: [] };
      groups.set(key, group);
    }
    (group.members as { index: number; x: LabelSpec }[]).push({
      index,
      x: { inputs: rename(xLabels), outputs: xAxes },
    });
  });
  return [...groups.values()];
}

/**
 * Applies every reduction of `reductions` to `x (x) A` and mixes the results with `weight`:
 * equal to `matmul(reduceAllAdjacencyProduct(x, order, A, reductions, scale), weight)` up to
 * rounding, but each expansion with `A` runs once per group of reductions that share it (see
 * {@link groupReductions}) on the mixed channels. Shapes: `x [L, n^order, C]` (one lead axis),
 * `A [L, n, n]`, `weight [reductions.length * C, D]` (reduction-major rows), result
 * `[L, n^target, D]`. `scale(r)` optionally multiplies reduction `r` by one value per lead entry
 * (a tensor of `L` elements, such as a power of the inverse field size).
 *
 * @param groups From {@link groupReductions}; pass them to reuse them across calls.
 * @throws {ShapeError} when the shapes do not fit.
 */
export function mixedAdjacencyProductReductions(
  x: Tensor,
  order: number,
  adjacency: Tensor,
  reductions: readonly Reduction[],
  weight: Tensor,
  scale?: (r: Reduction) => Tensor | null,
  groups?: readonly ReductionGroup[],
): Tensor {
  const { n, lead } = fieldShape("mixedAdjacencyProductReductions", x, order);
  const channels = x.shape[x.rank - 1] as number;
  if (lead !== 1 || adjacency.rank !== 3 || adjacency.shape[1] !== n) {
    throw new ShapeError(
      `mixedAdjacencyProductReductions: expected x [L, ${n}^${order}, C] and A [L, ${n}, ${n}], got ${formatShape(x.shape)} and ${formatShape(adjacency.shape)}`,
    );
  }
  if (weight.rank !== 2 || weight.shape[0] !== reductions.length * channels) {
    throw new ShapeError(
      `mixedAdjacencyProductReductions: weight ${formatShape(weight.shape)} must be [${reductions.length * channels}, D] for ${reductions.length} reductions of ${channels} channels`,
    );
  }
  const rows = x.shape[0] as number;
  const mixedChannels = weight.shape[1] as number;
  const a1 = reshape(adjacency, [...adjacency.shape, 1]);
  const partials = new PartialReductions(x, order, n);
  const adjacencyFactors = new Map<string, Tensor>();
  const adjacencyFactor = (spec: LabelSpec) => {
    const key = `${spec.inputs}|${spec.outputs}`;
    let a = adjacencyFactors.get(key);
    if (a === undefined) {
      const reduced = partitionMap(a1, spec);
      a = reshape(reduced, reduced.shape.slice(0, -1));
      adjacencyFactors.set(key, a);
    }
    return a;
  };
  const rowsOf = (members: ReductionGroup["members"]) => {
    const rowIndex = Int32Array.from(
      members.flatMap(({ index }) =>
        Array.from({ length: channels }, (_, c) => index * channels + c),
      ),
    );
    return gather(weight, x.engine.makeTensor(rowIndex, [rowIndex.length], "int32"), 0);
  };
  const scaled = (t: Tensor, factors: readonly (Tensor | null)[], order: number) => {
    if (factors.every((f) => f === null)) return t;
    // One multiplication: column block `j` of the scale holds member j's factor.
    const ones = x.engine.makeTensor(new Float64Array(rows).fill(1), [rows], x.dtype);
    const columns = factors.map((f) =>
      broadcastTo(reshape(f ?? ones, [rows, 1]), [rows, channels]),
    );
    const shape = [rows, ...new Array<number>(order).fill(1), columns.length * channels];
    return mul(t, reshape(concat(columns, 1), shape));
  };
  const target = reductions[0]?.kept.length ?? 0;
  let out: Tensor | null = null;
  // Groups whose partial reductions have a higher order than the output are expanded per
  // reduction first, so that no mixed tensor of that higher order is formed, and their reduced
  // tensors are mixed together at the end.
  const direct: Tensor[] = [];
  const directMembers: ReductionGroup["members"][number][] = [];
  const directFactors: (Tensor | null)[] = [];
  for (const group of groups ?? groupReductions(order, reductions)) {
    const m = group.xOut.length;
    const factors = group.members.map(
      ({ index }) => scale?.(reductions[index] as Reduction) ?? null,
    );
    const a = adjacencyFactor(group.a);
    if (m > target) {
      for (const member of group.members) {
        const p = partials.get(member.x);
        direct.push(contractPair(p, group.xOut, a, group.a.outputs, group.outputs, n));
        directMembers.push(member);
      }
      directFactors.push(...factors);
      continue;
    }
    const parts = group.members.map(({ x: spec }) => partials.get(spec));
    const stacked = scaled(
      parts.length === 1 ? (parts[0] as Tensor) : concat(parts, 1 + m),
      factors,
      m,
    );
    const fieldRows = rows * n ** m;
    const mixed = reshape(
      matmul(reshape(stacked, [fieldRows, parts.length * channels]), rowsOf(group.members)),
      [rows, ...new Array<number>(m).fill(n), mixedChannels],
    );
    const expanded = contractPair(mixed, group.xOut, a, group.a.outputs, group.outputs, n);
    out = out === null ? expanded : add(out, expanded);
  }
  if (direct.length > 0) {
    const stacked = scaled(concat(direct, 1 + target), directFactors, target);
    const fieldRows = rows * n ** target;
    const mixed = reshape(
      matmul(reshape(stacked, [fieldRows, direct.length * channels]), rowsOf(directMembers)),
      [rows, ...new Array<number>(target).fill(n), mixedChannels],
    );
    out = out === null ? mixed : add(out, mixed);
  }
  if (out === null) throw new ArgumentError("mixedAdjacencyProductReductions: no reductions given");
  return out;
}

/**
 * The partial reductions of one tensor `x`, computed so that they share work and gradients: one
 * diagonal per pattern of identified indices, then sums over one axis at a time from the nearest
 * cached tensor, then a transpose to the requested axis order. Only the diagonals and the first
 * sums read `x` itself, so few full-size gradients flow back into it.
 */
class PartialReductions {
  readonly #x: Tensor;
  readonly #order: number;
  readonly #n: number;
  readonly #cache = new Map<string, Tensor>();

  constructor(x: Tensor, order: number, n: number) {
    this.#x = x;
    this.#order = order;
    this.#n = n;
  }

  /** `partitionMap(x, spec)` for a spec whose output labels are distinct input labels. */
  get(spec: LabelSpec): Tensor {
    const key = `p${spec.inputs}|${spec.outputs}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const blocks = [...new Set(spec.inputs)];
    if (!spec.outputs.every((l) => blocks.includes(l)) || spec.inputs.length !== this.#order) {
      throw new ArgumentError(
        `PartialReductions: outputs [${spec.outputs}] are not distinct labels of inputs [${spec.inputs}]`,
      );
    }
    const summed = blocks.filter((l) => !spec.outputs.includes(l));
    const y = this.#summed(spec.inputs, blocks, summed);
    const remaining = blocks.filter((l) => spec.outputs.includes(l));
    const perm = spec.outputs.map((l) => 1 + remaining.indexOf(l));
    const result = perm.every((axis, i) => axis === 1 + i)
      ? y
      : transpose(y, [0, ...perm, y.rank - 1]);
    this.#cache.set(key, result);
    return result;
  }

  /** The diagonal of `inputs` with axes `blocks`, summed over the labels `summed`. */
  #summed(inputs: readonly number[], blocks: readonly number[], summed: readonly number[]): Tensor {
    const key = `s${inputs}|${summed}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    let result: Tensor;
    const last = summed[summed.length - 1];
    if (last === undefined) {
      result = partitionMap(this.#x, { inputs, outputs: blocks }, this.#n);
    } else {
      const rest = summed.slice(0, -1);
      const parent = this.#summed(inputs, blocks, rest);
      const axes = blocks.filter((l) => !rest.includes(l));
      result = sum(parent, [1 + axes.indexOf(last)]);
    }
    this.#cache.set(key, result);
    return result;
  }
}
