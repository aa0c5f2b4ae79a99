import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  complexToRealBasis,
  complexToRealWignerD,
  eulerToMatrix,
  Irreps,
  irrepsRealWignerD,
  matmul3,
  matrix3,
  realWignerD,
  realWignerDFromEuler,
  realWignerDs,
  wignerD,
  wignerDFromMatrix,
  wignerSmallD,
} from "../src/index.js";
import { complexMatmul, matmul, maxAbsDiff } from "../src/internal/linalg.js";

interface AngleCase {
  alpha: string;
  beta: string;
  gamma: string;
  R: string[][];
  D: Record<string, [string, string][][]>;
  D_real: Record<string, string[][]>;
}
interface ProductCase {
  i: number;
  j: number;
  euler_of_R_i_R_j: [string, string, string];
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/so3_wigner_D.json", import.meta.url), "utf8"),
) as { angles: AngleCase[]; products: ProductCase[] };

const TOL = 1e-13;

function rotationOf(c: AngleCase): Float64Array {
  return matrix3(c.R.map((row) => row.map(Number)));
}

function flatComplex(rows: [string, string][][]): { re: number[]; im: number[] } {
  const cells = rows.flat();
  return { re: cells.map((c) => Number(c[0])), im: cells.map((c) => Number(c[1])) };
}

function orthogonalityError(d: Float64Array, n: number): number {
  let err = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (d[k * n + i] as number) * (d[k * n + j] as number);
      err = Math.max(err, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return err;
}

describe("Wigner D reference values", () => {
  fixture.angles.forEach((c, index) => {
    const [alpha, beta, gamma] = [Number(c.alpha), Number(c.beta), Number(c.gamma)];
    it(`rotation matrix of angle set ${index}`, () => {
      expect(maxAbsDiff(eulerToMatrix(alpha, beta, gamma), rotationOf(c))).toBeLessThan(TOL);
    });
    for (const key of Object.keys(c.D)) {
      const l = Number(key);
      it(`complex D^${l} of angle set ${index}`, () => {
        const expected = flatComplex(c.D[key] ?? []);
        const fromAngles = wignerD(l, alpha, beta, gamma);
        expect(maxAbsDiff(fromAngles.re, expected.re)).toBeLessThan(TOL);
        expect(maxAbsDiff(fromAngles.im, expected.im)).toBeLessThan(TOL);
        const fromMatrix = wignerDFromMatrix(l, rotationOf(c));
        expect(maxAbsDiff(fromMatrix.re, expected.re)).toBeLessThan(TOL);
        expect(maxAbsDiff(fromMatrix.im, expected.im)).toBeLessThan(TOL);
      });
      it(`real D^${l} of angle set ${index}`, () => {
        const expected = (c.D_real[key] ?? []).flat().map(Number);
        expect(maxAbsDiff(realWignerD(l, rotationOf(c)), expected)).toBeLessThan(TOL);
        expect(maxAbsDiff(realWignerDFromEuler(l, alpha, beta, gamma), expected)).toBeLessThan(TOL);
        const converted = complexToRealWignerD(l, wignerD(l, alpha, beta, gamma));
        expect(maxAbsDiff(converted, expected)).toBeLessThan(TOL);
      });
    }
  });
});

describe("Wigner D identities", () => {
  const rotations = fixture.angles.map(rotationOf);

  it("small d signs follow Condon-Shortley", () => {
    const d = wignerSmallD(1, 0.7);
    expect(d[2 * 3 + 1]).toBeCloseTo(-Math.sin(0.7) / Math.SQRT2, 15);
    expect(d[1 * 3 + 2]).toBeCloseTo(Math.sin(0.7) / Math.SQRT2, 15);
  });

  it("real D^1 is R with axes reordered to (y, z, x)", () => {
    const perm = [1, 2, 0];
    for (const r of rotations) {
      const d = realWignerD(1, r);
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          expect(
            Math.abs((d[i * 3 + j] as number) - (r[3 * perm[i]! + perm[j]!] as number)),
          ).toBeLessThan(1e-14);
        }
      }
    }
  });

  for (const l of [0, 1, 2, 5, 12, 30]) {
    const n = 2 * l + 1;
    it(`homomorphism D(R1 R2) = D(R1) D(R2) at l = ${l}`, () => {
      for (let i = 0; i < rotations.length; i++) {
        for (let j = 0; j < rotations.length; j++) {
          const r1 = rotations[i] as Float64Array;
          const r2 = rotations[j] as Float64Array;
          const product = realWignerD(l, matmul3(r1, r2));
          const composed = matmul(realWignerD(l, r1), realWignerD(l, r2), n);
          expect(maxAbsDiff(product, composed)).toBeLessThan(1e-12);
          const c12 = wignerDFromMatrix(l, matmul3(r1, r2));
          const c1 = wignerDFromMatrix(l, r1);
          const c2 = wignerDFromMatrix(l, r2);
          const cc = complexMatmul(c1.re, c1.im, c2.re, c2.im, n);
          expect(maxAbsDiff(c12.re, cc.re)).toBeLessThan(1e-12);
          expect(maxAbsDiff(c12.im, cc.im)).toBeLessThan(1e-12);
        }
      }
    });
  }

  it("reversed order D(R2) D(R1) fails", () => {
    const r1 = rotations[1] as Float64Array;
    const r2 = rotations[2] as Float64Array;
    for (const l of [1, 2, 4]) {
      const n = 2 * l + 1;
      const product = realWignerD(l, matmul3(r1, r2));
      const reversed = matmul(realWignerD(l, r2), realWignerD(l, r1), n);
      expect(maxAbsDiff(product, reversed)).toBeGreaterThan(0.1);
    }
  });

  it("homomorphism uses fixture product angles", () => {
    for (const p of fixture.products) {
      const [a, b, g] = p.euler_of_R_i_R_j.map(Number) as [number, number, number];
      const expected = matmul3(rotations[p.i] as Float64Array, rotations[p.j] as Float64Array);
      expect(maxAbsDiff(eulerToMatrix(a, b, g), expected)).toBeLessThan(1e-14);
    }
  });

  it("orthogonality at l = 30", () => {
    const l = 30;
    const n = 2 * l + 1;
    for (const beta of [0.3, 1.234, Math.PI / 2, 2.9, Math.PI]) {
      expect(orthogonalityError(wignerSmallD(l, beta), n)).toBeLessThan(1e-12);
    }
    for (const r of rotations) expect(orthogonalityError(realWignerD(l, r), n)).toBeLessThan(1e-12);
  });

  it("orthogonality at l = 80", () => {
    const n = 161;
    expect(orthogonalityError(wignerSmallD(80, 0.77), n)).toBeLessThan(1e-11);
  });

  it("near-pole rotations stay accurate", () => {
    for (const beta of [0, 1e-9, Math.PI - 1e-9, Math.PI]) {
      const r = eulerToMatrix(0.4, beta, -1.1);
      for (const l of [1, 3, 6]) {
        const expected = realWignerDFromEuler(l, 0.4, beta, -1.1);
        expect(maxAbsDiff(realWignerD(l, r), expected)).toBeLessThan(1e-12);
      }
    }
  });

  it("change of basis is unitary", () => {
    for (const l of [0, 1, 4, 9]) {
      const n = 2 * l + 1;
      const u = complexToRealBasis(l);
      const uhRe = new Float64Array(n * n);
      const uhIm = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          uhRe[i * n + j] = u.re[j * n + i] as number;
          uhIm[i * n + j] = -(u.im[j * n + i] as number);
        }
      }
      const p = complexMatmul(u.re, u.im, uhRe, uhIm, n);
      const eye = new Float64Array(n * n);
      for (let i = 0; i < n; i++) eye[i * n + i] = 1;
      expect(maxAbsDiff(p.re, eye)).toBeLessThan(1e-15);
      expect(maxAbsDiff(p.im, new Float64Array(n * n))).toBeLessThan(1e-15);
    }
  });

  it("returns fresh copies from the cache", () => {
    const r = rotations[0] as Float64Array;
    const first = realWignerD(2, r);
    first[0] = 42;
    expect(realWignerD(2, r)[0]).not.toBe(42);
    expect(realWignerDs(3, r).map((d) => d.length)).toEqual([1, 9, 25, 49]);
  });

  it("rejects invalid input", () => {
    expect(() => realWignerD(-1, rotations[0] as Float64Array)).toThrow(
      "invalid degree l = -1: expected an integer >= 0",
    );
    expect(() => realWignerD(1, [1, 0, 0])).toThrow(
      "rotation matrix must have 9 entries (3x3 row-major), got 3",
    );
  });
});

describe("irrepsRealWignerD", () => {
  const r = eulerToMatrix(0.3, 1.1, -0.4);

  it("is block diagonal with channels fastest", () => {
    const irreps = Irreps.parse("2x0e + 2x1o");
    const d = irrepsRealWignerD(irreps, r);
    const d1 = realWignerD(1, r);
    expect(d[0]).toBe(1);
    expect(d[1 * 8 + 1]).toBe(1);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        for (let c = 0; c < 2; c++) {
          expect(d[(2 + i * 2 + c) * 8 + 2 + j * 2 + c]).toBe(d1[i * 3 + j]);
        }
        expect(d[(2 + i * 2) * 8 + 2 + j * 2 + 1]).toBe(0);
      }
    }
  });

  it("applies parity under inversion", () => {
    const inverted = r.map((v) => -v);
    const d = irrepsRealWignerD(Irreps.parse("1x0o + 1x1o + 1x1e"), inverted);
    const d1 = realWignerD(1, r);
    expect(d[0]).toBe(-1);
    expect(d[1 * 7 + 1]).toBe(-(d1[0] as number));
    expect(d[4 * 7 + 4]).toBe(d1[0]);
    expect(() => irrepsRealWignerD(Irreps.parse("1x1"), inverted)).toThrow(
      "irreps 1x1 carry SO(3) labels, so the matrix must have determinant +1",
    );
  });
});
