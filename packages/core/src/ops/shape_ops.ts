/**
 * Shape and indexing operations: reshape, transpose, slice, concat, stack, pad, gather and
 * segment sums.
 *
 * @module
 */
import { ArgumentError, ShapeError } from "../errors.js";
import { assertValidShape, formatShape, normalizeAxis, type Shape, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { assertInt, assertNonNegativeInt, engineOf } from "./validate.js";

/**
 * A tensor with the same data in a new shape. One dimension may be -1 and is then inferred.
 *
 * @throws {ShapeError} when the sizes differ.
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const engine = engineOf("reshape", [x]);
  const target = [...shape];
  const inferred = target.indexOf(-1);
  if (inferred >= 0) {
    if (target.indexOf(-1, inferred + 1) >= 0) {
      throw new ShapeError(`reshape: only one dimension can be -1, got ${formatShape(shape)}`);
    }
    const known = sizeOf(target.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(
        `reshape: cannot reshape ${formatShape(x.shape)} to ${formatShape(shape)}`,
      );
    }
    target[inferred] = x.size / known;
  }
  assertValidShape(target, "reshape target");
  if (sizeOf(target) !== x.size) {
    throw new ShapeError(
      `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)} (${sizeOf(target)} elements)`,
    );
  }
  return engine.view(x, target);
}

/** Inserts an axis of size 1 at `axis` (negative counts from the end of the result). */
export function expandDims(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.rank + 1, "expandDims");
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Removes axes of size 1 (all of them when `axes` is omitted). */
export function squeeze(x: Tensor, axes?: readonly number[]): Tensor {
  const drop =
    axes === undefined
      ? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)
      : axes.map((a) => normalizeAxis(a, x.rank, "squeeze"));
  for (const a of drop) {
    if (x.shape[a] !== 1)
      throw new ShapeError(
        `squeeze: axis ${a} of ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`,
      );
  }
  return reshape(
    x,
    x.shape.filter((_, i) => !drop.includes(i)),
  );
}

/**
 * Permutes axes: output axis `i` is input axis `perm[i]`. Without `perm`, reverses the axes.
 *
 * @throws {ArgumentError} when `perm` is not a permutation of `0..rank-1`.
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const engine = engineOf("transpose", [x]);
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  const seen = new Set(p);
  if (
    p.length !== x.rank ||
    seen.size !== x.rank ||
    p.some((a) => !Number.isInteger(a) || a < 0 || a >= x.rank)
  ) {
    throw new ArgumentError(
      `transpose: [${p.join(", ")}] is not a permutation of the ${x.rank} axes of ${formatShape(x.shape)}`,
    );
  }
  if (p.every((a, i) => a === i)) return x;
  return engine.runKernel("Transpose", [x], { perm: [...p] });
}

/** Swaps the last two axes. */
export function matrixTranspose(x: Tensor): Tensor {
  if (x.rank < 2)
    throw new ShapeError(`matrixTranspose: needs rank >= 2, got ${formatShape(x.shape)}`);
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 1] = x.rank - 2;
  perm[x.rank - 2] = x.rank - 1;
  return transpose(x, perm);
}

/**
 * The box `[begin, begin + size)`; a `size` of -1 runs to the end of the axis.
 *
 * @throws {ShapeError} when the box leaves the tensor.
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  const engine = engineOf("slice", [x]);
  if (begin.length !== x.rank || (size !== undefined && size.length !== x.rank)) {
    throw new ShapeError(
      `slice: begin and size need ${x.rank} entries for ${formatShape(x.shape)}`,
    );
  }
  const sz = begin.map((b, i) => {
    const s = size?.[i] ?? -1;
    return s === -1 ? (x.shape[i] as number) - b : s;
  });
  for (let i = 0; i < x.rank; i++) {
    const b = begin[i] as number;
    const s = sz[i] as number;
    if (
      !Number.isInteger(b) ||
      !Number.isInteger(s) ||
      b < 0 ||
      s < 0 ||
      b + s > (x.shape[i] as number)
    ) {
      throw new ShapeError(
        `slice: box [${b}, ${b + s}) leaves axis ${i} of ${formatShape(x.shape)}`,
      );
    }
  }
  if (sz.every((s, i) => s === x.shape[i])) return x;
  return engine.runKernel("Slice", [x], { begin: [...begin], size: sz });
}

/**
 * Concatenates tensors along `axis`; all other axes must agree.
 *
 * @throws {ShapeError} on mismatched ranks or dimensions, or {DTypeError} on mixed dtypes.
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  const engine = engineOf("concat", tensors);
  const first = tensors[0] as Tensor;
  const a = normalizeAxis(axis, first.rank, "concat");
  for (const t of tensors) {
    if (t.dtype !== first.dtype)
      throw new ShapeError(`concat: dtypes differ: ${first.dtype} and ${t.dtype}`);
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(
        `concat: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} differ outside axis ${a}`,
      );
    }
  }
  if (tensors.length === 1) return first;
  return engine.runKernel("Concat", tensors, { axis: a });
}

/** Stacks tensors of one shape along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  const first = tensors[0];
  if (first === undefined) throw new ArgumentError("stack: expected at least one tensor");
  const a = normalizeAxis(axis, first.rank + 1, "stack");
  return concat(
    tensors.map((t) => expandDims(t, a)),
    a,
  );
}

/** Splits `x` along `axis` into pieces of the given sizes. */
export function split(x: Tensor, sizes: readonly number[], axis = 0): Tensor[] {
  const a = normalizeAxis(axis, x.rank, "split");
  const total = sizes.reduce((s, v) => s + v, 0);
  if (total !== x.shape[a]) {
    throw new ShapeError(
      `split: sizes [${sizes.join(", ")}] add to ${total}, but axis ${a} of ${formatShape(x.shape)} has ${x.shape[a]}`,
    );
  }
  let offset = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === a ? offset : 0));
    const size = x.shape.map((d, i) => (i === a ? s : d));
    offset += s;
    return slice(x, begin, size);
  });
}

/**
 * Pads with a constant: `paddings[i] = [before, after]` on axis `i`.
 *
 * @throws {ArgumentError} when paddings are negative or do not match the rank.
 */
export function pad(
  x: Tensor,
  paddings: readonly (readonly [number, number])[],
  value = 0,
): Tensor {
  const engine = engineOf("pad", [x]);
  if (paddings.length !== x.rank) {
    throw new ArgumentError(
      `pad: needs ${x.rank} [before, after] pairs for ${formatShape(x.shape)}, got ${paddings.length}`,
    );
  }
  for (const [b, a] of paddings) {
    assertNonNegativeInt("pad", "padding", b);
    assertNonNegativeInt("pad", "padding", a);
  }
  if (paddings.every(([b, a]) => b === 0 && a === 0)) return x;
  return engine.runKernel("Pad", [x], {
    paddings: paddings.map(([b, a]) => [b, a] as const),
    value,
  });
}

/**
 * Gathers slices of `x` along `axis` at int32 `indices` of any shape: the result has shape
 * `x.shape[:axis] + indices.shape + x.shape[axis+1:]`.
 *
 * @throws {ArgumentError} when an index is out of range (checked on backends with synchronous
 * reads).
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  const engine = engineOf("gather", [x, indices]);
  assertInt("gather", "indices", indices);
  const a = normalizeAxis(axis, x.rank, "gather");
  checkIndexRange("gather", indices, x.shape[a] as number);
  const flat = indices.rank === 1 ? indices : reshape(indices, [indices.size]);
  const out = engine.runKernel("Gather", [x, flat], { axis: a });
  if (indices.rank === 1) return out;
  return reshape(out, [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)]);
}

/**
 * Sums rows of `x [n, ...rest]` into `numSegments` segments by int32 `segmentIds [n]`, giving
 * `[numSegments, ...rest]`. This is the scatter-add of message passing: ids need not be sorted,
 * and empty segments are zero. With `deterministic` (the default), the summation order is fixed.
 */
export function segmentSum(
  x: Tensor,
  segmentIds: Tensor,
  numSegments: number,
  options: { readonly deterministic?: boolean } = {},
): Tensor {
  const engine = engineOf("segmentSum", [x, segmentIds]);
  assertInt("segmentSum", "segmentIds", segmentIds);
  assertNonNegativeInt("segmentSum", "numSegments", numSegments);
  if (segmentIds.rank !== 1 || x.rank < 1 || segmentIds.shape[0] !== x.shape[0]) {
    throw new ShapeError(
      `segmentSum: segmentIds ${formatShape(segmentIds.shape)} must be 1-D with one id per row of x ${formatShape(x.shape)}`,
    );
  }
  checkIndexRange("segmentSum", segmentIds, numSegments);
  return engine.runKernel("SegmentSum", [x, segmentIds], {
    numSegments,
    deterministic: options.deterministic ?? true,
  });
}

/** Scatter-add along axis 0: an alias of {@link segmentSum} with the usual argument order. */
export function scatterAdd(indices: Tensor, updates: Tensor, numRows: number): Tensor {
  return segmentSum(updates, indices, numRows);
}

function checkIndexRange(op: string, indices: Tensor, bound: number): void {
  if (!indices.backend.supportsSyncRead || indices.size === 0) return;
  const values = indices.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < 0 || v >= bound) {
      throw new ArgumentError(`${op}: index ${v} at position ${i} is out of range [0, ${bound})`);
    }
  }
}
