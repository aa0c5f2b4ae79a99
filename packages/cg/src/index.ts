/**
 * `@covnet/cg`: exact SO(3) Clebsch-Gordan coefficients and Wigner 3j symbols, real-basis CG
 * tensors, numeric CG decomposition for any group with computable irreps, CG product plans,
 * differentiable CG products and real spherical harmonics.
 *
 * @module
 */

export * from "./cg_product.js";
export * from "./coefficients.js";
export * from "./decomposition.js";
export * from "./irreps_tensor.js";
export * from "./plan.js";
export * from "./real_basis.js";
export * from "./spherical_harmonics.js";
