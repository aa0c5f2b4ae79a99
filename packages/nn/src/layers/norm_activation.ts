/**
 * Norm nonlinearities for irreps parts.
 *
 * @module
 */
import { ArgumentError, add, formatShape, mul, sqrt, square, sum, type Tensor } from "@covnet/core";

/** Options of {@link normActivation}. */
export interface NormActivationOptions {
  /**
   * Added to the squared norm before the square root, so the gradient stays finite at a zero
   * part. Default `1e-12`; use a larger value (about `1e-6`) in float32.
   */
  readonly epsilon?: number;
}

/**
 * Scales every irreps part by a function of its norm: `x_l -> x_l * f(|x_l|)`, where the norm
 * is taken over the `2l+1` axis separately for each channel. Because `|D x| = |x|` for an
 * orthogonal `D`, the result is covariant whatever `f` is.
 *
 * @param parts One tensor per part, each `[batch, 2l+1, tau]`.
 * @param f Maps norms `[batch, 1, tau]` to scales of the same (or a broadcastable) shape, for
 *   example `(n) => sigmoid(n)`, or `(n) => div(silu(add(n, b)), n)` for the gated form
 *   `x f(|x| + b) / |x|` with a learned bias `b` of shape `[tau]`.
 * @returns The scaled parts, `[batch, 2l+1, tau]` each.
 * @throws {ArgumentError} when a part is not rank 3.
 */
export function normActivation(
  parts: readonly Tensor[],
  f: (norm: Tensor, index: number) => Tensor,
  options: NormActivationOptions = {},
): Tensor[] {
  const epsilon = options.epsilon ?? 1e-12;
  parts.forEach((part, i) => {
    if (part.rank !== 3) {
      throw new ArgumentError(
        `normActivation: part ${i} has shape ${formatShape(part.shape)}, expected [batch, 2l+1, tau]`,
      );
    }
  });
  return parts.map((part, i) => mul(part, f(partNorm(part, epsilon), i)));
}

/**
 * Norm of each channel of an irreps part over its `2l+1` axis:
 * `[batch, 2l+1, tau] -> [batch, 1, tau]`, computed as `sqrt(sum x^2 + epsilon)`.
 */
export function partNorm(part: Tensor, epsilon = 1e-12): Tensor {
  return sqrt(add(sum(square(part), 1, true), epsilon));
}
