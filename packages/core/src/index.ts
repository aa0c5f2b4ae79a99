/**
 * `@covnet/core`: tensors, the kernel contract, reverse-mode autodiff of any order, and the
 * dependency-injection container through which backends, groups and models are registered.
 *
 * @module
 */
export * from "./autodiff.js";
export * from "./backend.js";
export * from "./container.js";
export * from "./dtype.js";
export * from "./engine.js";
export * from "./errors.js";
export { CORE_GRADIENTS } from "./gradients/core_gradients.js";
export * from "./kernels.js";
export * from "./linalg.js";
export * from "./logger.js";
export * from "./ops/index.js";
export * from "./random.js";
export * from "./registry.js";
export * from "./shape.js";
export { type TapeNode, Tensor } from "./tensor.js";
