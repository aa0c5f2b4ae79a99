/**
 * `@covnet/models-cormorant`: Cormorant, an SO(3)-covariant Clebsch-Gordan network for molecular
 * energies and forces.
 *
 * @module
 */

export * from "./checkpoint.js";
export * from "./config.js";
export * from "./export_format.js";
export * from "./input.js";
export * from "./model.js";
export * from "./training.js";
