/**
 * Fourier analysis on the sphere S^2 with real spherical harmonics: a Gauss-Legendre quadrature
 * transform exact to a band limit, rotations, zonal convolution and the correlation that lifts
 * sphere functions to SO(3).
 *
 * @module
 */
import { ShapeError } from "@covnet/core";
import { type Matrix3, realWignerD } from "@covnet/groups";
import { gaussLegendre, realHarmonics } from "./internal/harmonics.js";
import { checkBandLimit } from "./so3.js";

/**
 * Spherical harmonic coefficients `c[l*l + l + m] = integral_{S^2} f Y_lm dS` for
 * `l = 0..bandLimit`, `m = -l..l`, with the library's real orthonormal harmonics (as
 * `sphericalHarmonics` of `@covnet/cg`), so `f = sum c_lm Y_lm`.
 */
export type SphereCoefficients = Float64Array;

/** Number of coefficients up to `bandLimit`: `(bandLimit + 1)^2`. */
export function sphereCoefficientCount(bandLimit: number): number {
  return (bandLimit + 1) ** 2;
}

function checkSphereCoefficients(c: ArrayLike<number>, name: string): number {
  const bandLimit = Math.round(Math.sqrt(c.length)) - 1;
  if (c.length === 0 || (bandLimit + 1) ** 2 !== c.length) {
    throw new ShapeError(
      `invalid sphere coefficients ${name}: expected (L+1)^2 values for a band limit L, got ${c.length}`,
    );
  }
  return bandLimit;
}

/**
 * A quadrature grid on the sphere for band limit `L`: `L + 1` Gauss-Legendre nodes in
 * `z = cos(theta)` times `2L + 1` equispaced azimuths, `(L+1)(2L+1)` points in all. It integrates
 * every spherical polynomial of degree `2L` exactly, so the transform of a function of band limit
 * `L` is exact.
 */
export class SphereFourierGrid {
  readonly bandLimit: number;
  /** `[points, 3]` unit vectors `(x, y, z)`. */
  readonly points: Float64Array;
  /** Weights summing to `4 pi` (the area of the sphere). */
  readonly weights: Float64Array;
  /** `[points, (L+1)^2]` real harmonics at every point. */
  readonly harmonics: Float64Array;

  /** @throws {ArgumentError} unless `bandLimit` is an integer >= 0. */
  constructor(bandLimit: number) {
    checkBandLimit(bandLimit);
    this.bandLimit = bandLimit;
    const gl = gaussLegendre(bandLimit + 1);
    const azimuths = 2 * bandLimit + 1;
    const count = gl.nodes.length * azimuths;
    const size = sphereCoefficientCount(bandLimit);
    this.points = new Float64Array(count * 3);
    this.weights = new Float64Array(count);
    this.harmonics = new Float64Array(count * size);
    const row = new Float64Array(size);
    let p = 0;
    gl.nodes.forEach((z, t) => {
      const s = Math.sqrt(Math.max(0, 1 - z * z));
      for (let a = 0; a < azimuths; a++) {
        const phi = (2 * Math.PI * a) / azimuths;
        const x = s * Math.cos(phi);
        const y = s * Math.sin(phi);
        this.points.set([x, y, z], 3 * p);
        this.weights[p] = ((gl.weights[t] as number) * 2 * Math.PI) / azimuths;
        realHarmonics(bandLimit, x, y, z, row);
        this.harmonics.set(row, p * size);
        p++;
      }
    });
  }

  /** Number of points. */
  get size(): number {
    return this.weights.length;
  }

  /** Evaluates `f(x, y, z)` at every point. */
  sample(f: (x: number, y: number, z: number) => number): Float64Array {
    const out = new Float64Array(this.size);
    for (let p = 0; p < this.size; p++) {
      out[p] = f(
        this.points[3 * p] as number,
        this.points[3 * p + 1] as number,
        this.points[3 * p + 2] as number,
      );
    }
    return out;
  }

  /**
   * Computes `c_lm = sum_points w f(x) Y_lm(x)` for `l <= bandLimit`, exact for band-limited `f`.
   *
   * @param values `[points]`.
   * @throws {ShapeError} when `values` does not have one value per point.
   */
  forward(values: ArrayLike<number>): Float64Array {
    if (values.length !== this.size) {
      throw new ShapeError(
        `invalid samples on the sphere grid: expected ${this.size} values (one per point), got ${values.length}`,
      );
    }
    const size = sphereCoefficientCount(this.bandLimit);
    const out = new Float64Array(size);
    for (let p = 0; p < this.size; p++) {
      const v = (this.weights[p] as number) * (values[p] as number);
      for (let k = 0; k < size; k++)
        out[k] = (out[k] as number) + v * (this.harmonics[p * size + k] as number);
    }
    return out;
  }

  /**
   * Evaluates `f = sum c_lm Y_lm` at every point.
   *
   * @throws {ShapeError} when the coefficients are not `(L+1)^2` values for `L <= bandLimit`.
   */
  inverse(coefficients: ArrayLike<number>): Float64Array {
    const bandLimit = checkSphereCoefficients(coefficients, "c");
    if (bandLimit > this.bandLimit) {
      throw new ShapeError(
        `invalid sphere coefficients: band limit ${bandLimit} exceeds the grid's band limit ${this.bandLimit}`,
      );
    }
    const size = sphereCoefficientCount(this.bandLimit);
    const out = new Float64Array(this.size);
    for (let p = 0; p < this.size; p++) {
      let s = 0;
      for (let k = 0; k < coefficients.length; k++) {
        s += (coefficients[k] as number) * (this.harmonics[p * size + k] as number);
      }
      out[p] = s;
    }
    return out;
  }
}

/**
 * Evaluates `f(x) = sum c_lm Y_lm(x)` at one point (normalised to unit length first).
 *
 * @throws {ShapeError} when the coefficients are not `(L+1)^2` values.
 */
export function sphereEvaluate(coefficients: ArrayLike<number>, point: readonly number[]): number {
  const bandLimit = checkSphereCoefficients(coefficients, "c");
  const [x = 0, y = 0, z = 0] = point;
  const r = Math.hypot(x, y, z);
  const y0 = new Float64Array(sphereCoefficientCount(bandLimit));
  realHarmonics(bandLimit, x / r, y / r, z / r, y0);
  let s = 0;
  for (let k = 0; k < y0.length; k++) s += (coefficients[k] as number) * (y0[k] as number);
  return s;
}

/**
 * The coefficients of the rotated function `x -> f(R^-1 x)`: `D^l(R) c_l` for every degree,
 * because `Y_l(R x) = D^l(R) Y_l(x)`.
 *
 * @throws {ShapeError} when the coefficients are not `(L+1)^2` values.
 */
export function sphereRotateCoefficients(
  coefficients: ArrayLike<number>,
  rotation: Matrix3,
): Float64Array {
  const bandLimit = checkSphereCoefficients(coefficients, "c");
  const out = new Float64Array(coefficients.length);
  for (let l = 0; l <= bandLimit; l++) {
    const d = realWignerD(l, rotation);
    const n = 2 * l + 1;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++)
        s += (d[i * n + j] as number) * (coefficients[l * l + j] as number);
      out[l * l + i] = s;
    }
  }
  return out;
}

/**
 * Convolves with a zonal kernel, `(f * k)(x) = integral_{S^2} f(y) k(x . y) dy`, in Fourier
 * space. The kernel is given by the coefficients of the zonal function `h(y) = k(e_z . y)` (only
 * `m = 0` entries are read). By the Funk-Hecke formula,
 * `(f * k)_lm = sqrt(4 pi / (2l+1)) h_l0 f_lm`.
 *
 * @throws {ShapeError} when either coefficient vector is not `(L+1)^2` values.
 */
export function sphereConvolveZonal(
  coefficients: ArrayLike<number>,
  kernel: ArrayLike<number>,
): Float64Array {
  const bandLimit = checkSphereCoefficients(coefficients, "f");
  const kernelLimit = checkSphereCoefficients(kernel, "kernel");
  const out = new Float64Array(coefficients.length);
  for (let l = 0; l <= Math.min(bandLimit, kernelLimit); l++) {
    const scale = Math.sqrt((4 * Math.PI) / (2 * l + 1)) * (kernel[l * l + l] as number);
    for (let m = -l; m <= l; m++)
      out[l * l + l + m] = scale * (coefficients[l * l + l + m] as number);
  }
  return out;
}

/**
 * Lifts two sphere functions to SO(3) by correlation, `g(R) = integral_{S^2} f(x) psi(R^-1 x) dx`
 * (the first layer of a spherical CNN), in Fourier space: `g^_l = f_l psi_l^T / (2l+1)`, an outer
 * product of the degree-l coefficient vectors. Rotating `f` by `Q` maps `g` to `R -> g(Q^-1 R)`.
 *
 * @returns Wigner coefficients (see {@link SO3Coefficients}) up to the smaller band limit.
 * @throws {ShapeError} when either coefficient vector is not `(L+1)^2` values.
 */
export function sphereCorrelationToSO3(
  coefficients: ArrayLike<number>,
  filter: ArrayLike<number>,
): Float64Array[] {
  const bandLimit = Math.min(
    checkSphereCoefficients(coefficients, "f"),
    checkSphereCoefficients(filter, "psi"),
  );
  return Array.from({ length: bandLimit + 1 }, (_, l) => {
    const n = 2 * l + 1;
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        out[i * n + j] = ((coefficients[l * l + i] as number) * (filter[l * l + j] as number)) / n;
      }
    }
    return out;
  });
}
