/**
 * Reductions and broadcasting.
 *
 * @module
 */
import { ShapeError } from "../errors.js";
import type { ReductionKernel } from "../kernels.js";
import {
  broadcastedAxes,
  broadcastShapes,
  formatShape,
  normalizeAxes,
  type Shape,
  shapesEqual,
} from "../shape.js";
import type { Tensor } from "../tensor.js";
import { div } from "./elementwise.js";
import { reshape } from "./shape_ops.js";
import { engineOf } from "./validate.js";

function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reduce(
  op: ReductionKernel,
  x: Tensor,
  axes: number | readonly number[] | undefined,
  keepDims: boolean,
): Tensor {
  const name = op.toLowerCase();
  const engine = engineOf(name, [x]);
  const ax = normalizeAxes(axes, x.rank, name);
  if (op !== "Sum") {
    for (const a of ax) {
      if (x.shape[a] === 0) {
        throw new ShapeError(
          `${name}: cannot reduce the empty axis ${a} of ${formatShape(x.shape)}`,
        );
      }
    }
  }
  const out = ax.length === 0 ? x : engine.runKernel("Reduce", [x], { op, axes: ax });
  return keepDims ? reshape(out, keptShape(x.shape, ax)) : out;
}

/** Sum over `axes` (all when omitted); `keepDims` leaves reduced axes as size 1. */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return reduce("Sum", x, axes, keepDims);
}

/** Maximum over `axes`; the gradient is shared equally between tied maxima. */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return reduce("Max", x, axes, keepDims);
}

/** Minimum over `axes`; the gradient is shared equally between tied minima. */
export function min(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return reduce("Min", x, axes, keepDims);
}

/** Mean over `axes` (all when omitted). */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normalizeAxes(axes, x.rank, "mean");
  let count = 1;
  for (const a of ax) count *= x.shape[a] as number;
  return div(sum(x, ax, keepDims), count);
}

/**
 * Broadcasts `x` to `shape` by NumPy rules.
 *
 * @throws {ShapeError} when `x` cannot be broadcast to `shape`.
 */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const engine = engineOf("broadcastTo", [x]);
  const b = broadcastShapes(x.shape, shape, "broadcastTo");
  if (!shapesEqual(b, shape)) {
    throw new ShapeError(
      `broadcastTo: ${formatShape(x.shape)} cannot be broadcast to ${formatShape(shape)}`,
    );
  }
  if (shapesEqual(x.shape, shape)) return x;
  return engine.runKernel("BroadcastTo", [x], { shape: [...shape] });
}

/**
 * Sums `x` down to `shape`, the adjoint of broadcasting `shape` up to `x.shape`.
 *
 * @throws {ShapeError} when `shape` does not broadcast to `x.shape`.
 */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const b = broadcastShapes(shape, x.shape, "sumTo");
  if (!shapesEqual(b, x.shape)) {
    throw new ShapeError(
      `sumTo: ${formatShape(x.shape)} cannot be summed to ${formatShape(shape)}`,
    );
  }
  const axes = broadcastedAxes(shape, x.shape);
  return reshape(sum(x, axes), shape);
}
