/**
 * `@covnet/models-ccn`: Covariant Compositional Networks (first and second order) for
 * regression on molecular graphs, with training and evaluation entry points.
 *
 * @module
 */
export * from "./graph_batch.js";
export * from "./loss.js";
export * from "./model.js";
export * from "./operator.js";
export * from "./parallel.js";
export * from "./saved.js";
export * from "./train.js";
