/**
 * Gradients of the spherical harmonics kernels, to any order.
 *
 * `Y_l` is a homogeneous harmonic polynomial of degree `l`, so each partial derivative
 * `dY_lm/dx_k` is a harmonic polynomial of degree `l - 1` and therefore a constant linear
 * combination of the `Y_{l-1,m'}`: `dY_lm/dx_k = sum_m' A[lm, (l-1)m', k] Y_{l-1,m'}`. The same
 * matrix `A` serves both normalisations, which differ by one overall factor. With it the output
 * of `SphericalHarmonicsGrad` is `sum_{i,j} g_i A[i, j, k] Y_j(x)`, a form whose gradient is again
 * made of matrix products and the two kernels at `lmax - 1`.
 *
 * @module
 */
import { zerosLike } from "../ops/creation.js";
import { mul } from "../ops/elementwise.js";
import { matmul } from "../ops/linalg.js";
import { sum } from "../ops/reduce.js";
import { reshape } from "../ops/shape_ops.js";
import { defineGradient, type GradientConfig, type GradientContext } from "../registry.js";
import type { Tensor } from "../tensor.js";

/** A homogeneous-or-not polynomial in x, y, z of degree <= d, dense by exponents `(a, b, c)`. */
type Poly = Float64Array;

function polyIndex(d: number, a: number, b: number, c: number): number {
  return (a * (d + 1) + b) * (d + 1) + c;
}

function polyMul(d: number, p: Poly, q: Poly): Poly {
  const out = new Float64Array(p.length);
  const w = d + 1;
  for (let i = 0; i < p.length; i++) {
    const pv = p[i] as number;
    if (pv === 0) continue;
    const a1 = Math.floor(i / (w * w));
    const b1 = Math.floor(i / w) % w;
    const c1 = i % w;
    for (let j = 0; j < q.length; j++) {
      const qv = q[j] as number;
      if (qv === 0) continue;
      const a = a1 + Math.floor(j / (w * w));
      const b = b1 + (Math.floor(j / w) % w);
      const c = c1 + (j % w);
      if (a + b + c > d) continue;
      out[polyIndex(d, a, b, c)] = (out[polyIndex(d, a, b, c)] as number) + pv * qv;
    }
  }
  return out;
}

function polyLinear(p: Poly, s: number, q: Poly, t: number): Poly {
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = s * (p[i] as number) + t * (q[i] as number);
  return out;
}

function polyDerivative(d: number, p: Poly, axis: number): Poly {
  const out = new Float64Array(p.length);
  const w = d + 1;
  for (let i = 0; i < p.length; i++) {
    const v = p[i] as number;
    if (v === 0) continue;
    const e = [Math.floor(i / (w * w)), Math.floor(i / w) % w, i % w];
    const power = e[axis] as number;
    if (power === 0) continue;
    e[axis] = power - 1;
    out[polyIndex(d, e[0] as number, e[1] as number, e[2] as number)] = v * power;
  }
  return out;
}

function doubleFactorial(n: number): number {
  let r = 1;
  for (let k = n; k > 1; k -= 2) r *= k;
  return r;
}

const monomialIntegrals = new Map<number, number>();

/** `integral over the unit sphere of x^a y^b z^c`: `4 pi prod (a_i - 1)!! / (a+b+c+1)!!` if all even. */
function monomialIntegral(a: number, b: number, c: number): number {
  if (a % 2 === 1 || b % 2 === 1 || c % 2 === 1) return 0;
  const key = (a * 1024 + b) * 1024 + c;
  const cached = monomialIntegrals.get(key);
  if (cached !== undefined) return cached;
  const v =
    (4 * Math.PI * doubleFactorial(a - 1) * doubleFactorial(b - 1) * doubleFactorial(c - 1)) /
    doubleFactorial(a + b + c + 1);
  monomialIntegrals.set(key, v);
  return v;
}

/** Non-zero terms of a polynomial as `[a, b, c, coefficient]`. */
function terms(d: number, p: Poly): number[][] {
  const w = d + 1;
  const out: number[][] = [];
  p.forEach((v, i) => {
    if (v !== 0) out.push([Math.floor(i / (w * w)), Math.floor(i / w) % w, i % w, v]);
  });
  return out;
}

/** `integral over the unit sphere of p q`. */
function sphereInnerProduct(p: readonly number[][], q: readonly number[][]): number {
  let total = 0;
  for (const [a1, b1, c1, v1] of p as [number, number, number, number][]) {
    for (const [a2, b2, c2, v2] of q as [number, number, number, number][]) {
      total += v1 * v2 * monomialIntegral(a1 + a2, b1 + b2, c1 + c2);
    }
  }
  return total;
}

/** Orthonormal real harmonics as polynomials, index `l*l + l + m`, by the kernels' recursion. */
function harmonicPolynomials(lmax: number): Poly[] {
  const d = lmax;
  const size = (d + 1) ** 3;
  const monomial = (a: number, b: number, c: number, v = 1): Poly => {
    const p = new Float64Array(size);
    p[polyIndex(d, a, b, c)] = v;
    return p;
  };
  const x = monomial(1, 0, 0);
  const y = monomial(0, 1, 0);
  const z = monomial(0, 0, 1);
  const r2 = polyLinear(
    polyLinear(monomial(2, 0, 0), 1, monomial(0, 2, 0), 1),
    1,
    monomial(0, 0, 2),
    1,
  );
  const cos: Poly[] = [monomial(0, 0, 0)];
  const sin: Poly[] = [new Float64Array(size)];
  for (let m = 1; m <= lmax; m++) {
    const cm = cos[m - 1] as Poly;
    const sm = sin[m - 1] as Poly;
    cos.push(polyLinear(polyMul(d, x, cm), 1, polyMul(d, y, sm), -1));
    sin.push(polyLinear(polyMul(d, x, sm), 1, polyMul(d, y, cm), 1));
  }
  const out: Poly[] = new Array((lmax + 1) ** 2);
  let diagonal = 1 / Math.sqrt(4 * Math.PI);
  for (let m = 0; m <= lmax; m++) {
    if (m > 0) diagonal *= Math.sqrt((2 * m + 1) / (2 * m));
    const q: Poly[] = [];
    q[m] = monomial(0, 0, 0, diagonal);
    if (m < lmax) q[m + 1] = polyMul(d, z, q[m] as Poly).map((v) => v * Math.sqrt(2 * m + 3));
    for (let l = m + 2; l <= lmax; l++) {
      const den = l * l - m * m;
      const a = Math.sqrt((4 * l * l - 1) / den);
      const b = Math.sqrt(((2 * l + 1) * ((l - 1) * (l - 1) - m * m)) / ((2 * l - 3) * den));
      q[l] = polyLinear(polyMul(d, z, q[l - 1] as Poly), a, polyMul(d, r2, q[l - 2] as Poly), -b);
    }
    for (let l = m; l <= lmax; l++) {
      const ql = q[l] as Poly;
      if (m === 0) {
        out[l * l + l] = ql;
      } else {
        out[l * l + l + m] = polyMul(d, ql, cos[m] as Poly).map((v) => v * Math.SQRT2);
        out[l * l + l - m] = polyMul(d, ql, sin[m] as Poly).map((v) => v * Math.SQRT2);
      }
    }
  }
  return out;
}

const derivativeMatrices = new Map<number, Float64Array>();

/**
 * The matrix `A` of shape `[(lmax+1)^2, lmax^2 * 3]` with
 * `dY_i/dx_k = sum_j A[i, j * 3 + k] Y_j` for harmonics up to `lmax` (rows) and `lmax - 1` (`j`).
 */
export function harmonicDerivativeMatrix(lmax: number): Float64Array {
  const cached = derivativeMatrices.get(lmax);
  if (cached !== undefined) return cached;
  const polys = harmonicPolynomials(lmax);
  const rows = (lmax + 1) ** 2;
  const inner = lmax * lmax;
  const a = new Float64Array(rows * inner * 3);
  const lowerTerms = polys.map((p) => terms(lmax, p));
  for (let l = 1; l <= lmax; l++) {
    for (let i = l * l; i < (l + 1) * (l + 1); i++) {
      for (let k = 0; k < 3; k++) {
        const derivative = terms(lmax, polyDerivative(lmax, polys[i] as Poly, k));
        for (let j = (l - 1) * (l - 1); j < l * l; j++) {
          const v = sphereInnerProduct(derivative, lowerTerms[j] as number[][]);
          a[(i * inner + j) * 3 + k] = Math.abs(v) < 1e-13 ? 0 : v;
        }
      }
    }
  }
  derivativeMatrices.set(lmax, a);
  return a;
}

/** Gradient of `SphericalHarmonics`: the `SphericalHarmonicsGrad` kernel. */
export function sphericalHarmonicsGradient(
  dy: Tensor,
  ctx: GradientContext<"SphericalHarmonics">,
): [Tensor] {
  const vectors = ctx.inputs[0] as Tensor;
  return [dy.engine.runKernel("SphericalHarmonicsGrad", [vectors, dy], ctx.attrs)];
}

/**
 * Gradient of `SphericalHarmonicsGrad(x, g) = sum_{i,j} g_i A[i, j, k] Y_j(x)` (harmonics `Y` up
 * to `lmax - 1`): with cotangent `c [n, 3]`, the cotangent of `g` is
 * `sum_{j,k} A[i, j, k] Y_j c_k`, and that of `x` is `SphericalHarmonicsGrad` at `lmax - 1`
 * applied to the cotangent `sum_{i,k} g_i A[i, j, k] c_k` of `Y`.
 */
export function sphericalHarmonicsGradGradient(
  dy: Tensor,
  ctx: GradientContext<"SphericalHarmonicsGrad">,
): [Tensor | null, Tensor | null] {
  const vectors = ctx.inputs[0] as Tensor;
  const g = ctx.inputs[1] as Tensor;
  const { lmax, componentNormalization } = ctx.attrs;
  const [needVectors, needGrad] = ctx.needsGradient;
  if (lmax === 0) {
    return [needVectors ? zerosLike(vectors) : null, needGrad ? zerosLike(g) : null];
  }
  const engine = dy.engine;
  const n = vectors.shape[0] as number;
  const rows = (lmax + 1) ** 2;
  const inner = lmax * lmax;
  const a = engine.makeTensor(harmonicDerivativeMatrix(lmax), [rows, inner * 3], g.dtype);
  const attrs = { lmax: lmax - 1, componentNormalization };
  const lower = engine.runKernel("SphericalHarmonics", [vectors], attrs);
  const c = reshape(dy, [n, 1, 3]);
  let gradG: Tensor | null = null;
  if (needGrad) {
    const outer = reshape(mul(reshape(lower, [n, inner, 1]), c), [n, inner * 3]);
    gradG = matmul(outer, a, { transposeB: true });
  }
  let gradVectors: Tensor | null = null;
  if (needVectors) {
    const ga = reshape(matmul(g, a), [n, inner, 3]);
    const cotangentLower = sum(mul(ga, c), [2]);
    gradVectors = engine.runKernel("SphericalHarmonicsGrad", [vectors, cotangentLower], attrs);
  }
  return [gradVectors, gradG];
}

/** Gradients of the two spherical harmonics kernels. */
export const SPHERICAL_HARMONICS_GRADIENTS: readonly GradientConfig[] = [
  defineGradient("SphericalHarmonics", sphericalHarmonicsGradient),
  defineGradient("SphericalHarmonicsGrad", sphericalHarmonicsGradGradient),
];
