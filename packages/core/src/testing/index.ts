/**
 * `@covnet/core/testing`: helpers for the test suites of every covnet package. Numeric
 * comparison with tolerances ({@link expectClose}), leak checks on an engine
 * ({@link expectNoLeaks}), and finite-difference checks of first- and second-order gradients
 * ({@link checkGradients}). The helpers throw {@link AssertionError} and depend on no test
 * framework.
 *
 * @module
 */
export {
  AssertionError,
  type ExpectCloseOptions,
  expectClose,
  formatValues,
  type Numeric,
  type Tolerance,
} from "./assertions.js";
export {
  checkGradients,
  type GradientCheckOptions,
  type GradientCheckReport,
  numericalGradients,
  type TensorFunction,
} from "./gradcheck.js";
export { expectNoLeaks } from "./leaks.js";
