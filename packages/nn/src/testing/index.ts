/**
 * `@covnet/nn/testing`: helpers for test suites. Gradient checks compare analytic first and
 * second derivatives with central finite differences in float64.
 *
 * @module
 */
export * from "./gradcheck.js";
