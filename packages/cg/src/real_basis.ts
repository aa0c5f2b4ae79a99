/**
 * The real basis of SO(3) irreps and the real-basis CG tensors.
 *
 * Real harmonics follow the library's convention: `m = -l..l`, no Condon-Shortley sign, sine
 * terms at negative `m`, and `l = 1` proportional to `(y, z, x)`. The complex-to-real change of
 * basis is `Y_real = U_l Y_complex` (`complexToRealBasis` of `@covnet/groups`).
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";
import { complexToRealBasis } from "@covnet/groups";
import { clebschGordan } from "./coefficients.js";

function checkDegree(name: string, l: number): void {
  if (!Number.isSafeInteger(l) || l < 0) {
    throw new ArgumentError(`invalid ${name} = ${l}: expected an integer >= 0`);
  }
}

const realCache = new Map<string, Float64Array>();

/**
 * The real-basis CG tensor `C[l1, l2 -> l]`, shape `[2l1+1, 2l2+1, 2l+1]` (row-major, `m` indices
 * `-l..l` stored at `m + l`), cached. Its columns are orthonormal,
 * `sum_{m1,m2} C[m1,m2,m] C[m1,m2,m'] = delta(m, m')`, and it intertwines the real Wigner
 * matrices: `C^T (D^l1(R) (x) D^l2(R)) C = D^l(R)`. So for `x1` in `l1` and `x2` in `l2`,
 * `z_m = sum C[m1,m2,m] x1_m1 x2_m2` transforms by `D^l`.
 *
 * It is `(U_l1 (x) U_l2) C_complex U_l^dagger`, made real by removing its constant phase
 * (`1` when `l1 + l2 + l` is even, `i` when it is odd, with the sign chosen so the phase is
 * `i^(l1 + l2 + l)`). The callers' tensors are shared, so treat them as read-only.
 *
 * @returns an all-zero tensor when `l` violates `|l1 - l2| <= l <= l1 + l2`.
 * @throws {ArgumentError} when a degree is not an integer >= 0.
 */
export function realClebschGordan(l1: number, l2: number, l: number): Float64Array {
  checkDegree("l1", l1);
  checkDegree("l2", l2);
  checkDegree("l", l);
  const key = `${l1},${l2},${l}`;
  const cached = realCache.get(key);
  if (cached !== undefined) return cached;
  const n1 = 2 * l1 + 1;
  const n2 = 2 * l2 + 1;
  const n = 2 * l + 1;
  const out = new Float64Array(n1 * n2 * n);
  if (l < Math.abs(l1 - l2) || l > l1 + l2) {
    realCache.set(key, out);
    return out;
  }
  const u1 = complexToRealBasis(l1);
  const u2 = complexToRealBasis(l2);
  const u = complexToRealBasis(l);
  const re = new Float64Array(out.length);
  const im = new Float64Array(out.length);
  // Sparse walk: each row of U has at most two non-zero entries (complex m = +-real m).
  for (let a = 0; a < n1; a++) {
    for (let b = 0; b < n2; b++) {
      for (let c = 0; c < n; c++) {
        let sr = 0;
        let si = 0;
        for (const mu1 of a === l1 ? [0] : [a - l1, l1 - a]) {
          const u1r = u1.re[a * n1 + mu1 + l1] as number;
          const u1i = u1.im[a * n1 + mu1 + l1] as number;
          if (u1r === 0 && u1i === 0) continue;
          for (const mu2 of b === l2 ? [0] : [b - l2, l2 - b]) {
            const u2r = u2.re[b * n2 + mu2 + l2] as number;
            const u2i = u2.im[b * n2 + mu2 + l2] as number;
            if (u2r === 0 && u2i === 0) continue;
            const mu = mu1 + mu2;
            if (Math.abs(mu) > l || (mu !== c - l && mu !== l - c)) continue;
            const cg = clebschGordan(l1, mu1, l2, mu2, l, mu);
            if (cg === 0) continue;
            // conj(U[c, mu])
            const ur = u.re[c * n + mu + l] as number;
            const ui = -(u.im[c * n + mu + l] as number);
            const pr = u1r * u2r - u1i * u2i;
            const pi = u1r * u2i + u1i * u2r;
            sr += cg * (pr * ur - pi * ui);
            si += cg * (pr * ui + pi * ur);
          }
        }
        re[(a * n2 + b) * n + c] = sr;
        im[(a * n2 + b) * n + c] = si;
      }
    }
  }
  const odd = (l1 + l2 + l) % 2 === 1;
  // Divide by the phase i^(l1+l2+l): real part for even, (-1)^((l1+l2+l-1)/2) imag for odd.
  const k = l1 + l2 + l;
  const sign = odd ? (((k - 1) / 2) % 2 === 0 ? 1 : -1) : (k / 2) % 2 === 0 ? 1 : -1;
  for (let i = 0; i < out.length; i++) out[i] = sign * ((odd ? im[i] : re[i]) as number);
  realCache.set(key, out);
  return out;
}
