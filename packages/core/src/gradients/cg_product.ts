import { ArgumentError } from "../errors.js";
import type { CGOperand } from "../kernels.js";
import type { GradientContext } from "../registry.js";
import type { Tensor } from "../tensor.js";

const OPERANDS: readonly CGOperand[] = ["x1", "x2", "weights", "out"];

/**
 * Gradient of the CG product kernel. The kernel computes, for a target operand `T`, the partial
 * derivative `dF/dT` of the multilinear form `F(x1, x2, weights, out) = sum C w x1 x2 out`. The
 * vector-Jacobian product with cotangent `c` with respect to another operand `S` is then `dF/dS`
 * with `T` replaced by `c`: again a CG product kernel call, so every order of derivative works.
 */
export function cgProductGradient(
  dy: Tensor,
  ctx: GradientContext<"CGProduct">,
): (Tensor | null)[] {
  const { target, plan, batch, perItemWeights } = ctx.attrs;
  const engine = dy.engine;
  const targetIndex = OPERANDS.indexOf(target);
  const grads: (Tensor | null)[] = [null, null, null, null];
  OPERANDS.forEach((operand, s) => {
    if (s === targetIndex || !ctx.needsGradient[s]) return;
    if (operand === "weights" && plan.weightDim === 0) return;
    const inputs = [...ctx.inputs];
    inputs[targetIndex] = dy;
    inputs[s] = engine.makeTensor([], [0], dy.dtype);
    grads[s] = engine.runKernel("CGProduct", inputs, {
      plan,
      target: operand,
      batch,
      perItemWeights,
    });
  });
  if (grads.some((g, i) => g !== null && g.dtype !== (ctx.inputs[i] as Tensor).dtype)) {
    throw new ArgumentError("CGProduct gradient: dtype changed");
  }
  return grads;
}
