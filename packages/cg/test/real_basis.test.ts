import { eulerToMatrix, realWignerD } from "@covnet/groups";
import { describe, expect, it } from "vitest";
import { clebschGordan } from "../src/coefficients.js";
import { realClebschGordan } from "../src/real_basis.js";
import { fixture } from "./helpers.js";

type C = [string, string];
interface WignerFixture {
  angles: { D: Record<string, C[][]>; D_real: Record<string, string[][]> }[];
}

const wigner = fixture<WignerFixture>("so3_wigner_D.json");

function kronecker(
  x: ArrayLike<number>,
  nx: number,
  y: ArrayLike<number>,
  ny: number,
): Float64Array {
  const n = nx * ny;
  const out = new Float64Array(n * n);
  for (let i = 0; i < nx; i++)
    for (let j = 0; j < nx; j++)
      for (let k = 0; k < ny; k++)
        for (let l = 0; l < ny; l++)
          out[(i * ny + k) * n + j * ny + l] =
            (x[i * nx + j] as number) * (y[k * ny + l] as number);
  return out;
}

/** `C^T M C` for `C` `[n, d]` (row-major) and `M` `[n, n]`. */
function sandwich(c: ArrayLike<number>, m: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const ci = c[i * d + a] as number;
        if (ci === 0) continue;
        for (let j = 0; j < n; j++) s += ci * (m[i * n + j] as number) * (c[j * d + b] as number);
      }
      out[a * d + b] = s;
    }
  return out;
}

const rotations = [
  eulerToMatrix(0.3, 1.1, -0.7),
  eulerToMatrix(-2.4, 2.9, 1.6),
  eulerToMatrix(1.2, 0.05, 3.0),
];

describe("realClebschGordan", () => {
  it("intertwines real Wigner matrices: C^T (D1 (x) D2) C = D", () => {
    for (let l1 = 0; l1 <= 4; l1++) {
      for (let l2 = 0; l2 <= 4; l2++) {
        for (let l = Math.abs(l1 - l2); l <= l1 + l2; l++) {
          const c = realClebschGordan(l1, l2, l);
          const n1 = 2 * l1 + 1;
          const n2 = 2 * l2 + 1;
          const n = 2 * l + 1;
          for (const r of rotations) {
            const k = kronecker(realWignerD(l1, r), n1, realWignerD(l2, r), n2);
            const got = sandwich(c, k, n1 * n2, n);
            const d = realWignerD(l, r);
            for (let i = 0; i < n * n; i++) {
              expect(
                Math.abs((got[i] as number) - (d[i] as number)),
                `${l1} x ${l2} -> ${l}`,
              ).toBeLessThan(1e-13);
            }
          }
        }
      }
    }
  });

  it("turns the Kronecker product of reference real D matrices into the direct sum", () => {
    for (const angle of wigner.angles) {
      const dReal = [0, 1, 2, 3, 4].map((l) =>
        Float64Array.from(angle.D_real[l]!.flat().map(Number)),
      );
      for (const [l1, l2] of [
        [1, 1],
        [2, 1],
        [2, 2],
        [3, 1],
        [4, 0],
      ] as const) {
        const n1 = 2 * l1 + 1;
        const n2 = 2 * l2 + 1;
        const size = n1 * n2;
        // Full change of basis Q = [C_{|l1-l2|} ... C_{l1+l2}], size x size.
        const q = new Float64Array(size * size);
        let col = 0;
        for (let l = l1 - l2; l <= l1 + l2; l++) {
          const c = realClebschGordan(l1, l2, l);
          const n = 2 * l + 1;
          for (let i = 0; i < size; i++)
            for (let j = 0; j < n; j++) q[i * size + col + j] = c[i * n + j] as number;
          col += n;
        }
        const got = sandwich(q, kronecker(dReal[l1]!, n1, dReal[l2]!, n2), size, size);
        const expected = new Float64Array(size * size);
        let start = 0;
        for (let l = l1 - l2; l <= l1 + l2; l++) {
          const n = 2 * l + 1;
          const d = dReal[l]!;
          for (let i = 0; i < n; i++)
            for (let j = 0; j < n; j++)
              expected[(start + i) * size + start + j] = d[i * n + j] as number;
          start += n;
        }
        for (let i = 0; i < size * size; i++) {
          expect(
            Math.abs((got[i] as number) - (expected[i] as number)),
            `${l1} x ${l2}`,
          ).toBeLessThan(1e-13);
        }
      }
    }
  });

  it("complex CG turns the Kronecker product of complex D into the direct sum", () => {
    for (const angle of wigner.angles) {
      const re = [0, 1, 2, 3, 4].map((l) =>
        Float64Array.from(angle.D[l]!.flat().map((z) => Number(z[0]))),
      );
      const im = [0, 1, 2, 3, 4].map((l) =>
        Float64Array.from(angle.D[l]!.flat().map((z) => Number(z[1]))),
      );
      for (const [l1, l2] of [
        [1, 1],
        [2, 1],
        [3, 1],
        [2, 2],
      ] as const) {
        const n1 = 2 * l1 + 1;
        const n2 = 2 * l2 + 1;
        const size = n1 * n2;
        // (D1 (x) D2) as real and imaginary parts.
        const kr = new Float64Array(size * size);
        const ki = new Float64Array(size * size);
        const rr = kronecker(re[l1]!, n1, re[l2]!, n2);
        const ii = kronecker(im[l1]!, n1, im[l2]!, n2);
        const ri = kronecker(re[l1]!, n1, im[l2]!, n2);
        const ir = kronecker(im[l1]!, n1, re[l2]!, n2);
        for (let i = 0; i < size * size; i++) {
          kr[i] = (rr[i] as number) - (ii[i] as number);
          ki[i] = (ri[i] as number) + (ir[i] as number);
        }
        for (let l = l1 - l2; l <= l1 + l2; l++) {
          const n = 2 * l + 1;
          const c = new Float64Array(size * n);
          for (let m1 = -l1; m1 <= l1; m1++)
            for (let m2 = -l2; m2 <= l2; m2++)
              for (let m = -l; m <= l; m++)
                c[((m1 + l1) * n2 + m2 + l2) * n + m + l] = clebschGordan(l1, m1, l2, m2, l, m);
          const gr = sandwich(c, kr, size, n);
          const gi = sandwich(c, ki, size, n);
          for (let i = 0; i < n * n; i++) {
            expect(
              Math.abs((gr[i] as number) - (re[l]![i] as number)),
              `${l1} x ${l2} -> ${l} re`,
            ).toBeLessThan(1e-13);
            expect(
              Math.abs((gi[i] as number) - (im[l]![i] as number)),
              `${l1} x ${l2} -> ${l} im`,
            ).toBeLessThan(1e-13);
          }
        }
      }
    }
  });

  it("has orthonormal columns at l1 = 6, l2 = 5", () => {
    for (let l = 1; l <= 11; l++) {
      const c = realClebschGordan(6, 5, l);
      const n = 2 * l + 1;
      for (let a = 0; a < n; a++)
        for (let b = 0; b < n; b++) {
          let s = 0;
          for (let i = 0; i < 13 * 11; i++)
            s += (c[i * n + a] as number) * (c[i * n + b] as number);
          expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThan(1e-14);
        }
    }
  });

  it("is zero outside the triangle rule", () => {
    expect(realClebschGordan(1, 1, 3).every((v) => v === 0)).toBe(true);
  });
});
