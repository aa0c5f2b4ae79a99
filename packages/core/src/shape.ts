/**
 * Shape arithmetic: sizes, strides, NumPy broadcasting and axis normalisation.
 *
 * @module
 */
import { ArgumentError, ShapeError } from "./errors.js";

/** A tensor shape: one non-negative integer per axis, outermost first. */
export type Shape = readonly number[];

/** Number of elements of a tensor of `shape` (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of `shape`, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] as number;
  }
  return strides;
}

/** Formats a shape as `[2, 3]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Returns true when both shapes have the same rank and dimensions. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Checks that `shape` holds non-negative integers.
 *
 * @throws {ShapeError} naming the bad dimension.
 */
export function assertValidShape(shape: Shape, what = "shape"): void {
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i] as number;
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(
        `${what} ${formatShape(shape)} is invalid: dimension ${i} is ${d}, expected a non-negative integer`,
      );
    }
  }
}

/**
 * Shape of the NumPy broadcast of `a` and `b`: shapes are aligned at the right, and each pair of
 * dimensions must be equal or contain a 1.
 *
 * @throws {ShapeError} when a pair of dimensions is incompatible.
 */
export function broadcastShapes(a: Shape, b: Shape, op = "broadcast"): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast ` +
          `(axis ${i - rank} has ${da} and ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Axes of `outShape` along which an operand of `inShape` was broadcast, as needed to reduce a
 * gradient back to `inShape`. Leading axes missing from `inShape` are included.
 */
export function broadcastedAxes(inShape: Shape, outShape: Shape): number[] {
  const axes: number[] = [];
  const lead = outShape.length - inShape.length;
  for (let i = 0; i < outShape.length; i++) {
    if (i < lead) axes.push(i);
    else if (inShape[i - lead] === 1 && outShape[i] !== 1) axes.push(i);
  }
  return axes;
}

/**
 * Normalises `axis` (negative counts from the end) for a tensor of `rank`.
 *
 * @throws {ArgumentError} when the axis is out of range.
 */
export function normalizeAxis(axis: number, rank: number, op = "axis"): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ArgumentError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected ${-rank}..${rank - 1})`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Normalises a list of axes (or all axes when `axes` is undefined) into a sorted list without
 * repeats.
 *
 * @throws {ArgumentError} when an axis is out of range or repeated.
 */
export function normalizeAxes(
  axes: number | readonly number[] | undefined,
  rank: number,
  op = "axes",
): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(a, rank, op));
  const sorted = [...out].sort((x, y) => x - y);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) {
      throw new ArgumentError(`${op}: axis ${sorted[i]} is repeated in [${list.join(", ")}]`);
    }
  }
  return sorted;
}
