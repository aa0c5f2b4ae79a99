/**
 * Wigner D matrices of SO(3) in the complex (Condon-Shortley) and the real basis.
 *
 * Conventions:
 * - Rotations are `R(alpha, beta, gamma) = Rz(alpha) Ry(beta) Rz(gamma)` acting on column
 *   vectors; rows and columns are indexed by `m = -l..l`, so entry `(m, m')` of a matrix of
 *   size `2l+1` is at `(m + l) * (2l+1) + (m' + l)`.
 * - Complex: `D^l_{mm'}(alpha, beta, gamma) = e^{-i m alpha} d^l_{mm'}(beta) e^{-i m' gamma}`
 *   with the Condon-Shortley phase, so `d^1_{1,0}(beta) = -sin(beta)/sqrt(2)`, and
 *   `D(R1 R2) = D(R1) D(R2)`. The complex harmonics transform as `Y(R x) = conj(D(R)) Y(x)`.
 * - Real: `D_real = U conj(D) U^dagger` with `U` from {@link complexToRealBasis}. The real
 *   harmonics (no Condon-Shortley sign, `l = 1` proportional to `(y, z, x)`) satisfy
 *   `Y(R x) = D_real(R) Y(x)`, and `D_real^1(R) = P R P^T` with `P: (x, y, z) -> (y, z, x)`.
 *
 * The small-d matrix is computed as `d(beta) = Z(pi/2) Delta Z(beta) Delta^T Z(-pi/2)` with
 * `Z(t) = diag(e^{-i m t})` and `Delta = d(pi/2)`. `Delta` comes from a three-term recursion
 * along each row, run only from the edge of the row towards its middle (the direction in which
 * the wanted solution grows) and completed by the symmetry
 * `Delta_{m,-k} = (-1)^{l+m} Delta_{m,k}`. This is stable for large l, unlike the factorial
 * sum formula.
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";
import { complexMatmul, matmulTransposed } from "./internal/linalg.js";
import type { Irreps } from "./irreps.js";
import type { ComplexMatrix } from "./matrix.js";
import { checkMatrix3, det3, matrixToEuler } from "./rotation.js";

function checkDegree(l: number): void {
  if (!Number.isSafeInteger(l) || l < 0) {
    throw new ArgumentError(`invalid degree l = ${l}: expected an integer >= 0`);
  }
}

const deltaCache = new Map<number, Float64Array>();

/**
 * `Delta^l = d^l(pi/2)`, real orthogonal, `[2l+1, 2l+1]` row-major. Cached per l; callers must
 * not modify the returned array.
 */
function deltaMatrix(l: number): Float64Array {
  const cached = deltaCache.get(l);
  if (cached !== undefined) return cached;
  const n = 2 * l + 1;
  const delta = new Float64Array(n * n);
  const lp = l * (l + 1);
  // binom(2l, l+m) computed by a running product, then Delta_{m,-l} = (-1)^{l+m} sqrt(binom) 2^-l.
  let binom = 1;
  for (let m = -l; m <= l; m++) {
    if (m > -l) binom = (binom * (2 * l - (m + l - 1))) / (m + l);
    const row = (m + l) * n;
    const sign = (l + m) % 2 === 0 ? 1 : -1;
    delta[row] = sign * Math.sqrt(binom) * 2 ** -l;
    // From Jz Delta = -Delta Jx: m D_{m,k} = -(c+(k) D_{m,k+1} + c-(k) D_{m,k-1}) / 2.
    for (let k = -l; k < 0; k++) {
      const cPlus = Math.sqrt(lp - k * (k + 1));
      const cMinus = Math.sqrt(lp - k * (k - 1));
      const here = delta[row + k + l] as number;
      const before = k > -l ? (delta[row + k + l - 1] as number) : 0;
      delta[row + k + l + 1] = -(2 * m * here + cMinus * before) / cPlus;
    }
    for (let k = 1; k <= l; k++) delta[row + k + l] = sign * (delta[row - k + l] as number);
  }
  deltaCache.set(l, delta);
  return delta;
}

/**
 * Computes the Wigner small-d matrix `d^l(beta)`, real, `[2l+1, 2l+1]` row-major with rows `m` and
 * columns `m'` in `-l..l`.
 *
 * @throws {ArgumentError} when `l` is not a non-negative integer.
 */
export function wignerSmallD(l: number, beta: number): Float64Array {
  checkDegree(l);
  const n = 2 * l + 1;
  const delta = deltaMatrix(l);
  const cosK = new Float64Array(n);
  const sinK = new Float64Array(n);
  for (let k = -l; k <= l; k++) {
    cosK[k + l] = Math.cos(k * beta);
    sinK[k + l] = Math.sin(k * beta);
  }
  const out = new Float64Array(n * n);
  for (let m = -l; m <= l; m++) {
    for (let mp = -l; mp <= l; mp++) {
      // sum_k Delta_{m,k} Delta_{m',k} e^{-i k beta}, then times i^{m'-m}; the result is real.
      let re = 0;
      let im = 0;
      for (let k = 0; k < n; k++) {
        const w = (delta[(m + l) * n + k] as number) * (delta[(mp + l) * n + k] as number);
        re += w * (cosK[k] as number);
        im -= w * (sinK[k] as number);
      }
      // Multiply by i^(m'-m) and keep the real part.
      const phase = (((mp - m) % 4) + 4) % 4;
      const realParts = [re, -im, -re, im];
      out[(m + l) * n + mp + l] = realParts[phase] as number;
    }
  }
  return out;
}

/**
 * Computes the complex Wigner D matrix `D^l(alpha, beta, gamma)`, `[2l+1, 2l+1]` with rows `m` and
 * columns `m'` in `-l..l`: `D^l_{mm'} = e^{-i m alpha} d^l_{mm'}(beta) e^{-i m' gamma}`.
 *
 * @throws {ArgumentError} when `l` is not a non-negative integer.
 */
export function wignerD(l: number, alpha: number, beta: number, gamma: number): ComplexMatrix {
  const d = wignerSmallD(l, beta);
  const n = 2 * l + 1;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const t = -((i - l) * alpha + (j - l) * gamma);
      const v = d[i * n + j] as number;
      re[i * n + j] = v * Math.cos(t);
      im[i * n + j] = v * Math.sin(t);
    }
  }
  return { rows: n, cols: n, re, im };
}

/**
 * Computes the complex Wigner D matrix of a rotation matrix (see {@link wignerD}).
 *
 * @throws {ArgumentError} when `l` is invalid or `r` does not have 9 finite entries.
 */
export function wignerDFromMatrix(l: number, r: ArrayLike<number>): ComplexMatrix {
  checkMatrix3(r, "rotation matrix");
  const e = matrixToEuler(r);
  return wignerD(l, e.alpha, e.beta, e.gamma);
}

const basisCache = new Map<number, ComplexMatrix>();

/**
 * Returns the unitary change of basis `U_l` from complex to real harmonics,
 * `Y_real = U_l Y_complex`, of shape `[2l+1, 2l+1]` with rows the real m and columns the
 * complex m. The entries are `U[0][0] = 1`, for `m > 0` `U[m][-m] = 1/sqrt2` and
 * `U[m][m] = (-1)^m/sqrt2`, and for `m < 0` `U[m][m] = i/sqrt2` and `U[m][-m] = -i (-1)^m/sqrt2`.
 * The real-to-complex change is `U_l^dagger`.
 *
 * @throws {ArgumentError} when `l` is not a non-negative integer.
 */
export function complexToRealBasis(l: number): ComplexMatrix {
  checkDegree(l);
  const cached = basisCache.get(l);
  if (cached !== undefined) return { ...cached, re: cached.re.slice(), im: cached.im.slice() };
  const n = 2 * l + 1;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const h = Math.SQRT1_2;
  const at = (m: number, mp: number) => (m + l) * n + mp + l;
  re[at(0, 0)] = 1;
  for (let m = 1; m <= l; m++) {
    const sign = m % 2 === 0 ? 1 : -1;
    re[at(m, -m)] = h;
    re[at(m, m)] = sign * h;
    im[at(-m, -m)] = h;
    im[at(-m, m)] = -sign * h;
  }
  const u = { rows: n, cols: n, re, im };
  basisCache.set(l, u);
  return { ...u, re: re.slice(), im: im.slice() };
}

/**
 * Converts a complex-basis matrix `D` into the real basis: `U conj(D) U^dagger`. The result is
 * real for Wigner D matrices; its imaginary part is dropped.
 */
export function complexToRealWignerD(l: number, d: ComplexMatrix): Float64Array {
  const u = complexToRealBasis(l);
  const n = 2 * l + 1;
  const conjIm = d.im.map((v) => -v);
  const left = complexMatmul(u.re, u.im, d.re, conjIm, n);
  const uhRe = new Float64Array(n * n);
  const uhIm = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      uhRe[i * n + j] = u.re[j * n + i] as number;
      uhIm[i * n + j] = -(u.im[j * n + i] as number);
    }
  }
  return complexMatmul(left.re, left.im, uhRe, uhIm, n).re;
}

const rotatedAxisCache = new Map<number, Float64Array>();

/**
 * `K_l = D_real^l(Q)` for `Q = Rz(pi/2) Ry(pi/2)`, which maps +z to +y, so that
 * `D_real(Ry(beta)) = K Zr(beta) K^T`. Cached per l.
 */
function rotatedAxisMatrix(l: number): Float64Array {
  const cached = rotatedAxisCache.get(l);
  if (cached !== undefined) return cached;
  const n = 2 * l + 1;
  const delta = deltaMatrix(l);
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const t = (-(i - l) * Math.PI) / 2;
    for (let j = 0; j < n; j++) {
      re[i * n + j] = (delta[i * n + j] as number) * Math.cos(t);
      im[i * n + j] = (delta[i * n + j] as number) * Math.sin(t);
    }
  }
  const k = complexToRealWignerD(l, { rows: n, cols: n, re, im });
  rotatedAxisCache.set(l, k);
  return k;
}

/** Replaces `a` (`[n, n]`) with `Zr(t) a`, where Zr is the real-basis rotation about z. */
function rotateRowsZ(a: Float64Array, l: number, t: number): void {
  const n = 2 * l + 1;
  for (let m = 1; m <= l; m++) {
    const c = Math.cos(m * t);
    const s = Math.sin(m * t);
    const rp = (l + m) * n;
    const rn = (l - m) * n;
    for (let j = 0; j < n; j++) {
      const p = a[rp + j] as number;
      const q = a[rn + j] as number;
      a[rp + j] = c * p - s * q;
      a[rn + j] = s * p + c * q;
    }
  }
}

/** Replaces `a` (`[n, n]`) with `a Zr(t)`. */
function rotateColumnsZ(a: Float64Array, l: number, t: number): void {
  const n = 2 * l + 1;
  for (let m = 1; m <= l; m++) {
    const c = Math.cos(m * t);
    const s = Math.sin(m * t);
    for (let i = 0; i < n; i++) {
      const p = a[i * n + l + m] as number;
      const q = a[i * n + l - m] as number;
      a[i * n + l + m] = c * p + s * q;
      a[i * n + l - m] = -s * p + c * q;
    }
  }
}

/**
 * Computes the real Wigner D matrix `D_real^l(alpha, beta, gamma)`, real orthogonal, `[2l+1, 2l+1]`
 * row-major; `Y_real(R x) = D_real(R) Y_real(x)`. Computed as
 * `Zr(alpha) K Zr(beta) K^T Zr(gamma)` with a cached per-l matrix `K`, in `O(l^3)`.
 *
 * @throws {ArgumentError} when `l` is not a non-negative integer.
 */
export function realWignerDFromEuler(
  l: number,
  alpha: number,
  beta: number,
  gamma: number,
): Float64Array {
  checkDegree(l);
  const n = 2 * l + 1;
  const k = rotatedAxisMatrix(l);
  const left = k.slice();
  rotateColumnsZ(left, l, beta);
  const out = matmulTransposed(left, k, n);
  rotateRowsZ(out, l, alpha);
  rotateColumnsZ(out, l, gamma);
  return out;
}

const REAL_CACHE_SIZE = 256;
const realCache = new Map<string, Float64Array>();

/**
 * Computes the real Wigner D matrix of a rotation matrix `r` (row-major, 9 entries), `[2l+1, 2l+1]`
 * row-major; see {@link realWignerDFromEuler}. Results for the most recent 256 `(l, r)` pairs
 * are cached, and each call returns a fresh copy.
 *
 * @example
 * ```ts
 * realWignerD(1, rotationZ(0.3)); // equals P R P^T with P: (x, y, z) -> (y, z, x)
 * ```
 * @throws {ArgumentError} when `l` is invalid or `r` does not have 9 finite entries.
 */
export function realWignerD(l: number, r: ArrayLike<number>): Float64Array {
  checkDegree(l);
  checkMatrix3(r, "rotation matrix");
  let key = `${l}`;
  for (let i = 0; i < 9; i++) key += `,${r[i]}`;
  const cached = realCache.get(key);
  if (cached !== undefined) {
    realCache.delete(key);
    realCache.set(key, cached);
    return cached.slice();
  }
  const e = matrixToEuler(r);
  const d = realWignerDFromEuler(l, e.alpha, e.beta, e.gamma);
  realCache.set(key, d);
  if (realCache.size > REAL_CACHE_SIZE) {
    const oldest = realCache.keys().next().value;
    if (oldest !== undefined) realCache.delete(oldest);
  }
  return d.slice();
}

/**
 * Computes the real Wigner D matrices of `r` for `l = 0..lmax`; `result[l]` has shape
 * `[2l+1, 2l+1]`.
 *
 * @throws {ArgumentError} when `lmax` is invalid or `r` does not have 9 finite entries.
 */
export function realWignerDs(lmax: number, r: ArrayLike<number>): Float64Array[] {
  checkDegree(lmax);
  checkMatrix3(r, "rotation matrix");
  const e = matrixToEuler(r);
  const out: Float64Array[] = [];
  for (let l = 0; l <= lmax; l++) out.push(realWignerDFromEuler(l, e.alpha, e.beta, e.gamma));
  return out;
}

/**
 * Builds the real Wigner D matrix of a whole irreps vector, `[dim, dim]` row-major, for an
 * orthogonal matrix `g`. The matrix is block-diagonal over the parts, and part `i` (layout
 * `[2l+1, mul]`, channels fastest) is multiplied by `D_real^l(R)`, where `g = s R` with
 * `s = det g`. For O(3) labels an odd
 * part also gets the factor `s`; SO(3) labels require `det g = +1`.
 *
 * @example
 * ```ts
 * irrepsRealWignerD(Irreps.parse("2x0e + 1x1o"), rotationZ(0.3)); // 5x5
 * ```
 * @throws {ArgumentError} when `g` is not 9 finite entries, or `det g < 0` with SO(3) labels.
 */
export function irrepsRealWignerD(irreps: Irreps, g: ArrayLike<number>): Float64Array {
  checkMatrix3(g, "orthogonal matrix");
  const inverted = det3(g) < 0;
  if (inverted && irreps.isSO3 && irreps.dim > 0) {
    throw new ArgumentError(
      `irreps ${irreps.toString()} carry SO(3) labels, so the matrix must have determinant +1`,
    );
  }
  const rotation = inverted ? Array.from(g, (v) => -v) : g;
  const dim = irreps.dim;
  const out = new Float64Array(dim * dim);
  irreps.entries.forEach((part, index) => {
    if (part.mul === 0) return;
    const d = realWignerD(part.l, rotation);
    const scale = inverted && part.p === -1 ? -1 : 1;
    const n = 2 * part.l + 1;
    const offset = irreps.offsets[index] as number;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = scale * (d[i * n + j] as number);
        if (v === 0) continue;
        for (let c = 0; c < part.mul; c++) {
          out[(offset + i * part.mul + c) * dim + offset + j * part.mul + c] = v;
        }
      }
    }
  });
  return out;
}
