/**
 * `@covnet/groups`: compact and finite groups for covariant networks. Irreps notation, Wigner D
 * matrices, rotations, and the group plugins `SO3`, `O3`, `SO2`, `CyclicGroup`,
 * `DihedralGroup`, `SymmetricGroup` and direct products.
 *
 * @module
 */

export * from "./cyclic.js";
export * from "./dihedral.js";
export * from "./group.js";
export * from "./irreps.js";
export * from "./matrix.js";
export * from "./o3.js";
export * from "./product.js";
export * from "./rotation.js";
export * from "./so2.js";
export * from "./so3.js";
export * from "./symmetric.js";
export * from "./wigner.js";
