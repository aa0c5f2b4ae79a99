/**
 * Browser entry of `@covnet/models-cormorant`: the model and its input tensors, without the
 * checkpoint files and training loop, which read and write through `node:fs` and load datasets.
 *
 * @module
 */
export * from "./config.js";
export * from "./export_format.js";
export * from "./input.js";
export * from "./model.js";
