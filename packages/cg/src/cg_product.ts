/**
 * The differentiable CG product.
 *
 * @module
 */
import {
  ArgumentError,
  DTypeError,
  formatShape,
  isFloatDType,
  ShapeError,
  type Tensor,
} from "@covnet/core";
import type { CGPlan } from "./plan.js";

/**
 * CG product of two batches of covariant vectors under a compiled plan:
 * `out[b] = sum over paths of pathWeight * C[l1, l2 -> l] * w * x1[b] * x2[b]`, with the channel
 * pattern of the plan's mode (see {@link CGProductMode}).
 *
 * Each input row is laid out as its irreps describe: parts `[2l+1, tau]`, channels fastest. The
 * result transforms by the real Wigner matrices of `plan.irrepsOut` when `x1` and `x2` transform
 * by those of `plan.irreps1` and `plan.irreps2` (and by parity for O(3) irreps).
 *
 * Differentiable to any order in `x1`, `x2` and `weights`: each derivative is again a
 * `CGProduct` kernel call with another target.
 *
 * @param x1 `[batch, plan.irreps1.dim]`.
 * @param x2 `[batch, plan.irreps2.dim]`, same dtype.
 * @param plan From {@link compileCGPlan}.
 * @param weights For the weighted modes (`weighted`, `uvu`): `[plan.weightDim]` shared by every
 *   item, or `[batch, plan.weightDim]` per item (per edge). Must be omitted otherwise.
 * @returns `[batch, plan.irrepsOut.dim]`.
 * @throws {ShapeError} when a shape does not match the plan.
 * @throws {DTypeError} when dtypes differ or are not float.
 * @throws {ArgumentError} when weights are missing in a weighted mode or given in another.
 */
export function cgProduct(x1: Tensor, x2: Tensor, plan: CGPlan, weights?: Tensor): Tensor {
  const engine = x1.engine;
  if (x2.engine !== engine || (weights !== undefined && weights.engine !== engine)) {
    throw new ArgumentError("cgProduct: operands belong to different engines");
  }
  for (const [name, t] of [
    ["x1", x1],
    ["x2", x2],
    ["weights", weights],
  ] as const) {
    if (t === undefined) continue;
    if (!isFloatDType(t.dtype) || t.dtype !== x1.dtype) {
      throw new DTypeError(
        `cgProduct: ${name} is ${t.dtype}; every operand must have the float dtype of x1 (${x1.dtype})`,
      );
    }
  }
  if (x1.rank !== 2 || x1.shape[1] !== plan.dim1) {
    throw new ShapeError(
      `cgProduct: x1 must have shape [batch, ${plan.dim1}] for irreps ${plan.irreps1}, got ${formatShape(x1.shape)}`,
    );
  }
  const batch = x1.shape[0] as number;
  if (x2.rank !== 2 || x2.shape[1] !== plan.dim2 || x2.shape[0] !== batch) {
    throw new ShapeError(
      `cgProduct: x2 must have shape [${batch}, ${plan.dim2}] for irreps ${plan.irreps2}, got ${formatShape(x2.shape)}`,
    );
  }
  let perItemWeights = false;
  if (plan.weightDim === 0) {
    if (weights !== undefined) {
      throw new ArgumentError(`cgProduct: mode ${plan.productMode} takes no weights`);
    }
  } else {
    if (weights === undefined) {
      throw new ArgumentError(
        `cgProduct: mode ${plan.productMode} needs weights of shape [${plan.weightDim}] or [batch, ${plan.weightDim}]`,
      );
    }
    if (weights.rank === 2 && weights.shape[0] === batch && weights.shape[1] === plan.weightDim) {
      perItemWeights = true;
    } else if (!(weights.rank === 1 && weights.shape[0] === plan.weightDim)) {
      throw new ShapeError(
        `cgProduct: weights must have shape [${plan.weightDim}] or [${batch}, ${plan.weightDim}], got ${formatShape(weights.shape)}`,
      );
    }
  }
  const placeholder = engine.makeTensor([], [0], x1.dtype);
  const w = weights ?? engine.makeTensor([], [0], x1.dtype);
  const out = engine.runKernel("CGProduct", [x1, x2, w, placeholder], {
    plan,
    target: "out",
    batch,
    perItemWeights,
  });
  // The tape keeps the placeholders when a gradient is being taken; otherwise release them now.
  if (!placeholder.taped) placeholder.dispose();
  if (weights === undefined && !w.taped) w.dispose();
  return out;
}
