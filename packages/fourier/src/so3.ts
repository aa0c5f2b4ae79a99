/**
 * Fourier analysis on SO(3) with real Wigner D matrices: quadrature transforms exact to a band
 * limit, evaluation, the convolution theorem and the translation rules.
 *
 * @module
 */
import { ArgumentError, ShapeError } from "@covnet/core";
import { type Matrix3, realWignerD, so3Quadrature } from "@covnet/groups";

/**
 * Wigner coefficients of a function on SO(3): `coefficients[l]` is the `[2l+1, 2l+1]` row-major
 * matrix `f^_l = integral f(R) D^l(R) dR` (normalised Haar measure, real Wigner matrices of
 * `@covnet/groups`), for `l = 0..bandLimit`.
 */
export type SO3Coefficients = readonly Float64Array[];

/**
 * Checks a band limit.
 *
 * @throws {ArgumentError} unless `bandLimit` is an integer >= 0.
 */
export function checkBandLimit(bandLimit: number): void {
  if (!Number.isSafeInteger(bandLimit) || bandLimit < 0) {
    throw new ArgumentError(`invalid band limit ${bandLimit}: expected an integer >= 0`);
  }
}

function checkCoefficients(coefficients: SO3Coefficients, name: string): void {
  coefficients.forEach((c, l) => {
    if (c.length !== (2 * l + 1) ** 2) {
      throw new ShapeError(
        `invalid SO(3) coefficients ${name}: degree ${l} must have ${(2 * l + 1) ** 2} values ([2l+1, 2l+1]), got ${c.length}`,
      );
    }
  });
}

/**
 * A quadrature grid on SO(3) with the Wigner matrices at its nodes, for transforms of functions
 * of band limit `bandLimit` (linear combinations of `D^l` entries with `l <= bandLimit`).
 *
 * The nodes are those of `so3Quadrature(2 * bandLimit)` from `@covnet/groups`: equispaced ZYZ
 * Euler angles `alpha`, `gamma` and Gauss-Legendre nodes in `cos(beta)`, `(2L+1)^2 (L+1)` nodes
 * for `L = bandLimit`. The rule integrates products of two band-limited functions exactly, which
 * makes {@link SO3FourierGrid.forward} exact for band-limited input.
 */
export class SO3FourierGrid {
  readonly bandLimit: number;
  /** Quadrature nodes. */
  readonly rotations: readonly Matrix3[];
  /** Weights summing to 1. */
  readonly weights: Float64Array;
  /** `wigner[l]` is `[nodes, 2l+1, 2l+1]`: `D^l` at every node. */
  readonly wigner: readonly Float64Array[];

  /** @throws {ArgumentError} unless `bandLimit` is an integer >= 0. */
  constructor(bandLimit: number) {
    checkBandLimit(bandLimit);
    this.bandLimit = bandLimit;
    const q = so3Quadrature(2 * bandLimit);
    this.rotations = q.elements;
    this.weights = q.weights;
    const nodes = q.elements.length;
    this.wigner = Array.from({ length: bandLimit + 1 }, (_, l) => {
      const d2 = (2 * l + 1) ** 2;
      const out = new Float64Array(nodes * d2);
      q.elements.forEach((r, i) => out.set(realWignerD(l, r), i * d2));
      return out;
    });
  }

  /** Number of quadrature nodes. */
  get size(): number {
    return this.rotations.length;
  }

  /** Evaluates `f` at every node. */
  sample(f: (rotation: Matrix3) => number): Float64Array {
    return Float64Array.from(this.rotations, f);
  }

  /**
   * Computes `f^_l = sum_nodes w f(R) D^l(R)` for `l = 0..bandLimit`, exact when `f` has band
   * limit `bandLimit`.
   *
   * @param values `[nodes]`, the function at {@link rotations}.
   * @throws {ShapeError} when `values` does not have one value per node.
   */
  forward(values: ArrayLike<number>): Float64Array[] {
    if (values.length !== this.size) {
      throw new ShapeError(
        `invalid samples on the SO(3) grid: expected ${this.size} values (one per node), got ${values.length}`,
      );
    }
    return this.wigner.map((d, l) => {
      const d2 = (2 * l + 1) ** 2;
      const out = new Float64Array(d2);
      for (let i = 0; i < this.size; i++) {
        const v = (this.weights[i] as number) * (values[i] as number);
        for (let k = 0; k < d2; k++) out[k] = (out[k] as number) + v * (d[i * d2 + k] as number);
      }
      return out;
    });
  }

  /**
   * Evaluates the band-limited function with the given coefficients at every node:
   * `f(R) = sum_l (2l+1) tr(D^l(R)^T f^_l)`. Degrees above `bandLimit` are rejected.
   *
   * @throws {ShapeError} when a block has the wrong size or there are too many degrees.
   */
  inverse(coefficients: SO3Coefficients): Float64Array {
    checkCoefficients(coefficients, "fhat");
    if (coefficients.length > this.bandLimit + 1) {
      throw new ShapeError(
        `invalid SO(3) coefficients: degrees up to ${coefficients.length - 1} exceed the grid's band limit ${this.bandLimit}`,
      );
    }
    const out = new Float64Array(this.size);
    coefficients.forEach((c, l) => {
      const d = this.wigner[l] as Float64Array;
      const d2 = c.length;
      for (let i = 0; i < this.size; i++) {
        let s = 0;
        for (let k = 0; k < d2; k++) s += (d[i * d2 + k] as number) * (c[k] as number);
        out[i] = (out[i] as number) + (2 * l + 1) * s;
      }
    });
    return out;
  }
}

/**
 * Computes the Wigner coefficients of `f` up to `bandLimit` by quadrature (see
 * {@link SO3FourierGrid}); exact when `f` has band limit `bandLimit`.
 *
 * @throws {ArgumentError} unless `bandLimit` is an integer >= 0.
 */
export function so3FourierTransform(
  f: (rotation: Matrix3) => number,
  bandLimit: number,
): Float64Array[] {
  const grid = new SO3FourierGrid(bandLimit);
  return grid.forward(grid.sample(f));
}

/**
 * Evaluates `f(R) = sum_l (2l+1) tr(D^l(R)^T f^_l)` at one rotation.
 *
 * @throws {ShapeError} when a block has the wrong size.
 */
export function so3Evaluate(coefficients: SO3Coefficients, rotation: Matrix3): number {
  checkCoefficients(coefficients, "fhat");
  let s = 0;
  coefficients.forEach((c, l) => {
    const d = realWignerD(l, rotation);
    let t = 0;
    for (let k = 0; k < c.length; k++) t += (d[k] as number) * (c[k] as number);
    s += (2 * l + 1) * t;
  });
  return s;
}

function matmul(a: Float64Array, b: Float64Array, n: number, transposeB = false): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) {
        s +=
          (a[i * n + k] as number) *
          (transposeB ? (b[j * n + k] as number) : (b[k * n + j] as number));
      }
      out[i * n + j] = s;
    }
  }
  return out;
}

/**
 * Multiplies Wigner coefficients degree by degree, `a_l b_l`. By the convolution theorem this is
 * the transform of `(f*h)(R) = integral f(R S^-1) h(S) dS` when `a = f^`, `b = h^`.
 *
 * @throws {ShapeError} when a block has the wrong size.
 */
export function so3MultiplyCoefficients(a: SO3Coefficients, b: SO3Coefficients): Float64Array[] {
  checkCoefficients(a, "a");
  checkCoefficients(b, "b");
  const degrees = Math.min(a.length, b.length);
  return Array.from({ length: degrees }, (_, l) =>
    matmul(a[l] as Float64Array, b[l] as Float64Array, 2 * l + 1),
  );
}

/**
 * The coefficients of the rotated function `R' -> f(R^-1 R')`: `D^l(R) f^_l` for every degree.
 */
export function so3LeftTranslateCoefficients(
  coefficients: SO3Coefficients,
  rotation: Matrix3,
): Float64Array[] {
  checkCoefficients(coefficients, "fhat");
  return coefficients.map((c, l) => matmul(realWignerD(l, rotation), c, 2 * l + 1));
}

/** The coefficients of `R' -> f(R' R)`: `f^_l D^l(R)^T` for every degree. */
export function so3RightTranslateCoefficients(
  coefficients: SO3Coefficients,
  rotation: Matrix3,
): Float64Array[] {
  checkCoefficients(coefficients, "fhat");
  return coefficients.map((c, l) => matmul(c, realWignerD(l, rotation), 2 * l + 1, true));
}
