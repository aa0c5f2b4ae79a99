/**
 * Gradient clipping. Both functions return new tensors and leave their inputs alone, so the
 * caller disposes the originals (the trainer does this through its scope).
 *
 * @module
 */
import {
  ArgumentError,
  add,
  clip,
  div,
  minimum,
  mul,
  sqrt,
  square,
  sum,
  type Tensor,
} from "@covnet/core";

/** Result of {@link clipGradNorm}. */
export interface ClippedGradients {
  /** The gradients, scaled by `min(1, maxNorm / (norm + 1e-6))`. */
  readonly grads: Tensor[];
  /** Global L2 norm of the gradients before clipping, a scalar tensor `[]`. */
  readonly norm: Tensor;
}

/**
 * Scales all gradients together so that their global L2 norm (over every entry of every
 * tensor) is at most `maxNorm`. Gradients already within the bound are unchanged, up to the
 * 1e-6 guard in the denominator. The scale is computed with tensor operations, so nothing is read back.
 *
 * @throws {ArgumentError} when `maxNorm` is not positive or there are no gradients.
 */
export function clipGradNorm(grads: readonly Tensor[], maxNorm: number): ClippedGradients {
  if (!(maxNorm > 0))
    throw new ArgumentError(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  if (grads.length === 0) throw new ArgumentError("clipGradNorm: there are no gradients");
  let total: Tensor | null = null;
  for (const g of grads) {
    const s = sum(square(g));
    total = total === null ? s : add(total, s);
  }
  const norm = sqrt(total as Tensor);
  const scale = minimum(div(maxNorm, add(norm, 1e-6)), 1);
  return { grads: grads.map((g) => mul(g, scale)), norm };
}

/**
 * Clamps every gradient entry to `[-limit, limit]`.
 *
 * @throws {ArgumentError} when `limit` is not positive.
 */
export function clipGradValue(grads: readonly Tensor[], limit: number): Tensor[] {
  if (!(limit > 0)) throw new ArgumentError(`clipGradValue: limit must be positive, got ${limit}`);
  return grads.map((g) => clip(g, -limit, limit));
}
