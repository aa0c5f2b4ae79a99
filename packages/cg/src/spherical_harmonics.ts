/**
 * Real spherical harmonics as a differentiable operation.
 *
 * @module
 */
import {
  ArgumentError,
  DTypeError,
  div,
  formatShape,
  isFloatDType,
  maximum,
  ShapeError,
  sqrt,
  square,
  sum,
  type Tensor,
} from "@covnet/core";

/**
 * Normalisation of the harmonics:
 *
 * - `integral`: orthonormal on the unit sphere, `integral Y_lm Y_l'm' dS = delta delta`, so that
 *   `sum_m Y_lm(x)^2 = (2l+1) / (4 pi)` for unit `x`;
 * - `component`: `sqrt(4 pi)` times that, so that `sum_m Y_lm(x)^2 = 2l + 1` for unit `x`
 *   (each component has mean square 1 over the sphere).
 */
export type SphericalHarmonicsNormalization = "integral" | "component";

/** Options of {@link sphericalHarmonics}. */
export interface SphericalHarmonicsOptions {
  /**
   * Divide each vector by its length first (default `true`). Without it, `Y_l` is the
   * homogeneous polynomial of degree `l` (the solid harmonic `|x|^l Y_l(x / |x|)`).
   */
  readonly normalize?: boolean;
  /** Default `integral` (orthonormal on the sphere). */
  readonly normalization?: SphericalHarmonicsNormalization;
}

/** Squared length below which a vector counts as zero when normalising (its harmonics are then `Y(0)`). */
const MIN_SQUARED_LENGTH = 1e-30;

/**
 * Real spherical harmonics `Y_l(x)` for `l = 0..lmax` of each vector.
 *
 * Convention: `z` is the polar axis, `m` runs `-l..l`, there is no Condon-Shortley sign, sine
 * terms sit at negative `m`, and `l = 1` is `sqrt(3 / (4 pi)) (y, z, x)` with the default
 * normalisation. The harmonics are equivariant: `Y_l(R x) = D^l(R) Y_l(x)` with the real Wigner
 * matrices. They are computed by a recursion on `x, y, z` without angles, so poles are exact.
 *
 * Differentiable to any order: the gradient is the `SphericalHarmonicsGrad` kernel, whose own
 * gradient uses the two kernels at `lmax - 1` and matrix products.
 *
 * @param vectors `[n, 3]` float32 or float64, in the order `(x, y, z)`.
 * @param lmax Largest degree, an integer >= 0.
 * @returns `[n, (lmax+1)^2]`: parts in increasing `l`, entry `l*l + l + m` holds `Y_lm`.
 * @throws {ShapeError} when `vectors` is not `[n, 3]`.
 * @throws {ArgumentError} when `lmax` is not an integer >= 0.
 * @example
 * ```ts
 * const y = sphericalHarmonics(tensor(engine, [[0, 0, 1]], [1, 3], "float64"), 1);
 * // y = [[0.2821, 0, 0.4886, 0]]
 * ```
 */
export function sphericalHarmonics(
  vectors: Tensor,
  lmax: number,
  options: SphericalHarmonicsOptions = {},
): Tensor {
  if (!isFloatDType(vectors.dtype)) {
    throw new DTypeError(
      `sphericalHarmonics: vectors must be float32 or float64, got ${vectors.dtype}`,
    );
  }
  if (vectors.rank !== 2 || vectors.shape[1] !== 3) {
    throw new ShapeError(
      `sphericalHarmonics: vectors must have shape [n, 3], got ${formatShape(vectors.shape)}`,
    );
  }
  if (!Number.isSafeInteger(lmax) || lmax < 0) {
    throw new ArgumentError(`sphericalHarmonics: invalid lmax = ${lmax}: expected an integer >= 0`);
  }
  const normalization = options.normalization ?? "integral";
  if (normalization !== "integral" && normalization !== "component") {
    throw new ArgumentError(
      `sphericalHarmonics: invalid normalization "${String(normalization)}": expected "integral" or "component"`,
    );
  }
  let x = vectors;
  if (options.normalize ?? true) {
    const squared = sum(square(vectors), [1], true);
    x = div(vectors, sqrt(maximum(squared, MIN_SQUARED_LENGTH)));
  }
  return vectors.engine.runKernel("SphericalHarmonics", [x], {
    lmax,
    componentNormalization: normalization === "component",
  });
}
