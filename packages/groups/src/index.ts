/**
 * `@covnet/groups`: compact and finite groups for covariant networks. Irreps notation, Wigner D
 * matrices, rotations, and the group plugins `SO3`, `O3`, `SO2`, `CyclicGroup`,
 * `DihedralGroup`, `SymmetricGroup` and direct products.
 *
 * @module
 */
export * from "./irreps.js";
export * from "./matrix.js";
export * from "./rotation.js";
export * from "./wigner.js";
