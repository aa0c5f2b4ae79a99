/**
 * `@covnet/permutation`: permutation-covariant tensors of order 0 to 3 over receptive fields
 * (channels last), the action of S_n, promotion between fields, the covariant reductions
 * enumerated from set partitions, products with the restricted adjacency matrix, equivariant
 * linear maps between orders, and padded batches of many fields.
 *
 * @module
 */
export * from "./action.js";
export * from "./batch.js";
export * from "./linear.js";
export * from "./mixed.js";
export * from "./ops.js";
export * from "./partitions.js";
