/**
 * Regression losses with mean reduction and optional weights.
 *
 * Predictions and targets have the same shape `[...]`. Weights, when given, broadcast against
 * that shape (for example `[batch, 1]` weighs whole rows), and the loss is the weighted mean
 * `sum(w * e) / sum(w)` of the elementwise errors `e`. Without weights it is `mean(e)`.
 *
 * @module
 */
import {
  ArgumentError,
  abs,
  add,
  broadcastShapes,
  broadcastTo,
  div,
  formatShape,
  mean,
  minimum,
  mul,
  shapesEqual,
  square,
  sub,
  sum,
  type Tensor,
} from "@covnet/core";

/** Options of the losses. */
export interface LossOptions {
  /** Non-negative weights broadcastable to the prediction's shape. */
  readonly weights?: Tensor;
}

function checkPair(op: string, prediction: Tensor, target: Tensor): void {
  if (!shapesEqual(prediction.shape, target.shape)) {
    throw new ArgumentError(
      `${op}: prediction has shape ${formatShape(prediction.shape)}, target has ${formatShape(target.shape)}`,
    );
  }
}

function reduce(op: string, errors: Tensor, weights: Tensor | undefined): Tensor {
  if (weights === undefined) return mean(errors);
  const shape = broadcastShapes(errors.shape, weights.shape, `${op} weights`);
  if (!shapesEqual(shape, errors.shape)) {
    throw new ArgumentError(
      `${op}: weights of shape ${formatShape(weights.shape)} do not broadcast to ${formatShape(errors.shape)}`,
    );
  }
  return div(sum(mul(errors, weights)), sum(broadcastTo(weights, errors.shape)));
}

/**
 * Mean squared error `mean((prediction - target)^2)`: `[...], [...] -> []`.
 *
 * @throws {ArgumentError} when the shapes differ or the weights do not broadcast.
 */
export function mseLoss(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair("mseLoss", prediction, target);
  return reduce("mseLoss", square(sub(prediction, target)), options.weights);
}

/**
 * Mean absolute error `mean(|prediction - target|)`: `[...], [...] -> []`. The gradient at a
 * zero error is 0.
 *
 * @throws {ArgumentError} when the shapes differ or the weights do not broadcast.
 */
export function maeLoss(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair("maeLoss", prediction, target);
  return reduce("maeLoss", abs(sub(prediction, target)), options.weights);
}

/**
 * Huber loss with threshold `delta`: `0.5 e^2` for `|e| <= delta`, else
 * `delta (|e| - 0.5 delta)`, averaged: `[...], [...] -> []`. Quadratic near zero and linear in
 * the tails; continuous with a continuous first derivative.
 *
 * @throws {ArgumentError} when `delta <= 0`, the shapes differ or the weights do not broadcast.
 */
export function huberLoss(
  prediction: Tensor,
  target: Tensor,
  options: LossOptions & { readonly delta?: number } = {},
): Tensor {
  checkPair("huberLoss", prediction, target);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new ArgumentError(`huberLoss: delta must be positive, got ${delta}`);
  const absError = abs(sub(prediction, target));
  // With q = min(|e|, delta): 0.5 q^2 + delta (|e| - q) equals both branches of the definition.
  const q = minimum(absError, delta);
  const errors = add(mul(square(q), 0.5), mul(sub(absError, q), delta));
  return reduce("huberLoss", errors, options.weights);
}
