/**
 * `@covnet/nn`: modules and parameters, initialisers, layers, losses, optimizers, learning-rate
 * schedules and the trainer. Gradient-check helpers are in `@covnet/nn/testing`.
 *
 * @module
 */
export * from "./errors.js";
export * from "./init.js";
export { writeFileAtomic } from "./internal/atomic.js";
export * from "./layers/linear.js";
export * from "./layers/norm_activation.js";
export * from "./layers/radial.js";
export * from "./losses.js";
export * from "./module.js";
export * from "./optim/adam.js";
export * from "./optim/clip.js";
export * from "./optim/ema.js";
export * from "./optim/optimizer.js";
export * from "./optim/schedules.js";
export * from "./optim/sgd.js";
export * from "./parameter.js";
export * from "./train/checkpoint.js";
export * from "./train/trainer.js";
