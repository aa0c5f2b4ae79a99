export * from "./creation.js";
export * from "./elementwise.js";
export * from "./linalg.js";
export * from "./reduce.js";
export * from "./shape_ops.js";
export * from "./sparse.js";
export type { TensorLike } from "./validate.js";
