/**
 * The training loss of a CCN, shared by the trainer and its worker threads.
 *
 * @module
 */
import type { Tensor } from "@covnet/core";
import { huberLoss, maeLoss, mseLoss } from "@covnet/nn";
import type { CcnBatch } from "./graph_batch.js";
import type { CCN } from "./model.js";

/** Loss on the standardised target: `mse`, `mae`, or `huber` (delta 1). */
export type CcnLossKind = "mse" | "mae" | "huber";

/** Scale of the standardised target: predictions are `mean + std * output`. */
export interface TargetScale {
  readonly mean: number;
  readonly std: number;
}

/** Mean loss of the model's standardised predictions on a batch: a scalar tensor. */
export function ccnLoss(
  model: CCN,
  batch: CcnBatch,
  scale: TargetScale,
  kind: CcnLossKind,
): Tensor {
  const y = model.forward(batch);
  const t = y.engine.makeTensor(
    Float64Array.from(batch.targets, (v) => (v - scale.mean) / scale.std),
    [batch.numGraphs],
    y.dtype,
  );
  if (kind === "mae") return maeLoss(y, t);
  if (kind === "huber") return huberLoss(y, t);
  return mseLoss(y, t);
}
