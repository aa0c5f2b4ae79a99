/**
 * Real spherical harmonics and their vector-Jacobian product.
 *
 * Each `Y_lm` is evaluated as a homogeneous polynomial of degree `l` in `(x, y, z)`, without
 * angles, so the poles need no special case:
 *
 * - `C_m + i S_m = (x + i y)^m`, from `C_{m+1} = x C_m - y S_m` and `S_{m+1} = x S_m + y C_m`;
 * - `Q_l^m(z, r^2)`, the orthonormalised associated Legendre part without the Condon-Shortley
 *   sign, from `Q_m^m = sqrt((2m+1)/(2m)) Q_{m-1}^{m-1}` with `Q_0^0 = 1/sqrt(4 pi)`,
 *   `Q_{m+1}^m = sqrt(2m+3) z Q_m^m` and
 *   `Q_l^m = a_lm z Q_{l-1}^m - b_lm r^2 Q_{l-2}^m`, where
 *   `a_lm = sqrt((4l^2-1)/(l^2-m^2))` and `b_lm = sqrt((2l+1)((l-1)^2-m^2)/((2l-3)(l^2-m^2)))`;
 * - `Y_l0 = Q_l^0`, `Y_lm = sqrt2 Q_l^m C_m` and `Y_l,-m = sqrt2 Q_l^m S_m` for `m > 0`.
 *
 * Component normalisation multiplies everything by `sqrt(4 pi)`.
 */
import { defineKernel, type KernelConfig, type KernelFunction } from "@covnet/core";
import type { CpuBackend } from "../backend.js";

interface Recursion {
  /** `a_lm` at `l * (lmax + 1) + m`. */
  readonly a: Float64Array;
  /** `b_lm` at `l * (lmax + 1) + m`. */
  readonly b: Float64Array;
  /** `Q_m^m` (a constant) at `m`. */
  readonly diagonal: Float64Array;
  /** `sqrt(2m+3)`, the factor of `Q_{m+1}^m`, at `m`. */
  readonly subdiagonal: Float64Array;
}

const recursions = new Map<string, Recursion>();

function recursionFor(lmax: number, componentNormalization: boolean): Recursion {
  const key = `${lmax},${componentNormalization}`;
  const cached = recursions.get(key);
  if (cached !== undefined) return cached;
  const w = lmax + 1;
  const a = new Float64Array(w * w);
  const b = new Float64Array(w * w);
  const diagonal = new Float64Array(w);
  const subdiagonal = new Float64Array(w);
  diagonal[0] = componentNormalization ? 1 : 1 / Math.sqrt(4 * Math.PI);
  for (let m = 1; m <= lmax; m++) {
    diagonal[m] = (diagonal[m - 1] as number) * Math.sqrt((2 * m + 1) / (2 * m));
  }
  for (let m = 0; m <= lmax; m++) subdiagonal[m] = Math.sqrt(2 * m + 3);
  for (let l = 2; l <= lmax; l++) {
    for (let m = 0; m <= l - 2; m++) {
      const d = l * l - m * m;
      a[l * w + m] = Math.sqrt((4 * l * l - 1) / d);
      b[l * w + m] = Math.sqrt(((2 * l + 1) * ((l - 1) * (l - 1) - m * m)) / ((2 * l - 3) * d));
    }
  }
  const r = { a, b, diagonal, subdiagonal };
  recursions.set(key, r);
  return r;
}

/** Fills `q[l * w + m]` with `Q_l^m(z, r2)` for `0 <= m <= l <= lmax`. */
function legendre(rec: Recursion, lmax: number, z: number, r2: number, q: Float64Array): void {
  const w = lmax + 1;
  const { a, b, diagonal, subdiagonal } = rec;
  for (let m = 0; m <= lmax; m++) {
    const qmm = diagonal[m] as number;
    q[m * w + m] = qmm;
    if (m === lmax) break;
    let prev2 = qmm;
    let prev1 = (subdiagonal[m] as number) * z * qmm;
    q[(m + 1) * w + m] = prev1;
    for (let l = m + 2; l <= lmax; l++) {
      const k = l * w + m;
      const cur = (a[k] as number) * z * prev1 - (b[k] as number) * r2 * prev2;
      q[k] = cur;
      prev2 = prev1;
      prev1 = cur;
    }
  }
}

const sphericalHarmonicsKernel: KernelFunction<"SphericalHarmonics", CpuBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const vectors = inputs[0]!;
  const n = vectors.shape[0] as number;
  const lmax = attrs.lmax;
  const dim = (lmax + 1) * (lmax + 1);
  const xv = backend.values(vectors);
  const { values: out, info } = backend.allocate([n, dim], vectors.dtype);
  const rec = recursionFor(lmax, attrs.componentNormalization);
  const w = lmax + 1;
  const q = new Float64Array(w * w);
  const c = new Float64Array(w);
  const s = new Float64Array(w);
  const sqrt2 = Math.SQRT2;
  for (let i = 0; i < n; i++) {
    const x = xv[3 * i] as number;
    const y = xv[3 * i + 1] as number;
    const z = xv[3 * i + 2] as number;
    legendre(rec, lmax, z, x * x + y * y + z * z, q);
    c[0] = 1;
    s[0] = 0;
    for (let m = 1; m <= lmax; m++) {
      const cm = c[m - 1] as number;
      const sm = s[m - 1] as number;
      c[m] = x * cm - y * sm;
      s[m] = x * sm + y * cm;
    }
    const base = i * dim;
    for (let l = 0; l <= lmax; l++) {
      const center = base + l * l + l;
      out[center] = q[l * w] as number;
      for (let m = 1; m <= l; m++) {
        const qm = sqrt2 * (q[l * w + m] as number);
        out[center + m] = qm * (c[m] as number);
        out[center - m] = qm * (s[m] as number);
      }
    }
  }
  return info;
};

/**
 * Vector-Jacobian product of the harmonics. `Q` depends on `z` and `r^2`, so with `Qz` and `Qr`
 * its partial derivatives, `dY/dx = s (2x Qr C + Q dC/dx)` and likewise for `y`, and
 * `dY/dz = s (Qz + 2z Qr) C`; `dC_m/dx = m C_{m-1}`, `dC_m/dy = -m S_{m-1}`,
 * `dS_m/dx = m S_{m-1}` and `dS_m/dy = m C_{m-1}`.
 */
const sphericalHarmonicsGradKernel: KernelFunction<"SphericalHarmonicsGrad", CpuBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const vectors = inputs[0]!;
  const grad = inputs[1]!;
  const n = vectors.shape[0] as number;
  const lmax = attrs.lmax;
  const dim = (lmax + 1) * (lmax + 1);
  const xv = backend.values(vectors);
  const gv = backend.values(grad);
  const { values: out, info } = backend.allocate([n, 3], vectors.dtype);
  const rec = recursionFor(lmax, attrs.componentNormalization);
  const { a, b, diagonal, subdiagonal } = rec;
  const w = lmax + 1;
  const q = new Float64Array(w * w);
  const qz = new Float64Array(w * w);
  const qr = new Float64Array(w * w);
  const c = new Float64Array(w);
  const s = new Float64Array(w);
  const sqrt2 = Math.SQRT2;
  for (let i = 0; i < n; i++) {
    const x = xv[3 * i] as number;
    const y = xv[3 * i + 1] as number;
    const z = xv[3 * i + 2] as number;
    const r2 = x * x + y * y + z * z;
    for (let m = 0; m <= lmax; m++) {
      const qmm = diagonal[m] as number;
      q[m * w + m] = qmm;
      qz[m * w + m] = 0;
      qr[m * w + m] = 0;
      if (m === lmax) break;
      const f = subdiagonal[m] as number;
      q[(m + 1) * w + m] = f * z * qmm;
      qz[(m + 1) * w + m] = f * qmm;
      qr[(m + 1) * w + m] = 0;
      for (let l = m + 2; l <= lmax; l++) {
        const k = l * w + m;
        const al = a[k] as number;
        const bl = b[k] as number;
        const k1 = k - w;
        const k2 = k - 2 * w;
        q[k] = al * z * (q[k1] as number) - bl * r2 * (q[k2] as number);
        qz[k] = al * ((q[k1] as number) + z * (qz[k1] as number)) - bl * r2 * (qz[k2] as number);
        qr[k] = al * z * (qr[k1] as number) - bl * ((q[k2] as number) + r2 * (qr[k2] as number));
      }
    }
    c[0] = 1;
    s[0] = 0;
    for (let m = 1; m <= lmax; m++) {
      const cm = c[m - 1] as number;
      const sm = s[m - 1] as number;
      c[m] = x * cm - y * sm;
      s[m] = x * sm + y * cm;
    }
    const base = i * dim;
    let gx = 0;
    let gy = 0;
    let gz = 0;
    for (let l = 1; l <= lmax; l++) {
      const center = base + l * l + l;
      const g0 = gv[center] as number;
      const k0 = l * w;
      // m = 0: C_0 = 1.
      const qr0 = qr[k0] as number;
      gx += g0 * 2 * x * qr0;
      gy += g0 * 2 * y * qr0;
      gz += g0 * ((qz[k0] as number) + 2 * z * qr0);
      for (let m = 1; m <= l; m++) {
        const gc = sqrt2 * (gv[center + m] as number);
        const gs = sqrt2 * (gv[center - m] as number);
        const k = k0 + m;
        const qk = q[k] as number;
        const qrk = qr[k] as number;
        const qzk = qz[k] as number;
        const cm = c[m] as number;
        const sm = s[m] as number;
        const cm1 = m * (c[m - 1] as number);
        const sm1 = m * (s[m - 1] as number);
        // Cosine term Y = Q C_m and sine term Y = Q S_m.
        const radial = gc * cm + gs * sm;
        gx += 2 * x * qrk * radial + qk * (gc * cm1 + gs * sm1);
        gy += 2 * y * qrk * radial + qk * (-gc * sm1 + gs * cm1);
        gz += (qzk + 2 * z * qrk) * radial;
      }
    }
    out[3 * i] = gx;
    out[3 * i + 1] = gy;
    out[3 * i + 2] = gz;
  }
  return info;
};

/** Spherical harmonics kernels of the CPU backend. */
export const SPHERICAL_HARMONICS_KERNELS: readonly KernelConfig[] = [
  defineKernel("SphericalHarmonics", "cpu", sphericalHarmonicsKernel),
  defineKernel("SphericalHarmonicsGrad", "cpu", sphericalHarmonicsGradKernel),
];
