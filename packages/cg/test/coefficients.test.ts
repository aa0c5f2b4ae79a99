import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { clebschGordan, wigner3j } from "../src/coefficients.js";

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as T;
}

type CGRow = [number, number, number, number, number, number, string, string];
type ThreeJRow = [number, number, number, number, number, number, string, string, string];

const cgRows = fixture<{ data: CGRow[] }>("so3_cg_complex.json").data;
const threeJRows = fixture<{ data: ThreeJRow[] }>("so3_wigner3j.json").data;

/** Distance in units in the last place of `expected`. */
function ulps(actual: number, expected: number): number {
  if (actual === expected) return 0;
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  return Math.abs(actual - expected) / (scale * Number.EPSILON);
}

describe("clebschGordan", () => {
  it("matches all 2501 reference values within 1 ulp", () => {
    expect(cgRows.length).toBe(2501);
    for (const [l1, m1, l2, m2, l, m, text] of cgRows) {
      const expected = Number(text);
      const actual = clebschGordan(l1, m1, l2, m2, l, m);
      if (expected === 0) {
        expect(actual, `<${l1} ${m1}; ${l2} ${m2} | ${l} ${m}>`).toBe(0);
      } else {
        expect(
          ulps(actual, expected),
          `<${l1} ${m1}; ${l2} ${m2} | ${l} ${m}> = ${actual}, expected ${expected}`,
        ).toBeLessThanOrEqual(1);
      }
    }
  });

  it("is zero when m != m1 + m2 or the triangle rule fails", () => {
    expect(clebschGordan(1, 1, 1, 0, 2, 0)).toBe(0);
    expect(clebschGordan(1, 0, 1, 0, 3, 0)).toBe(0);
    expect(clebschGordan(2, 3, 1, 0, 3, 3)).toBe(0);
  });

  it("is orthogonal for l1 = 7, l2 = 5", () => {
    const l1 = 7;
    const l2 = 5;
    for (let m1 = -l1; m1 <= l1; m1++) {
      for (let m2 = -l2; m2 <= l2; m2++) {
        let s = 0;
        for (let l = l1 - l2; l <= l1 + l2; l++)
          s += clebschGordan(l1, m1, l2, m2, l, m1 + m2) ** 2;
        expect(Math.abs(s - 1)).toBeLessThan(1e-14);
      }
    }
  });

  it("supports half-integer spins", () => {
    expect(ulps(clebschGordan(0.5, 0.5, 0.5, -0.5, 0, 0), Math.SQRT1_2)).toBeLessThanOrEqual(1);
    expect(ulps(clebschGordan(0.5, -0.5, 0.5, 0.5, 0, 0), -Math.SQRT1_2)).toBeLessThanOrEqual(1);
    expect(clebschGordan(1, 1, 0.5, 0.5, 1.5, 1.5)).toBe(1);
  });

  it("rejects invalid arguments", () => {
    expect(() => clebschGordan(-1, 0, 1, 0, 1, 0)).toThrow(/l1 = -1/);
    expect(() => clebschGordan(0.3, 0, 1, 0, 1, 0)).toThrow(/half-integer/);
  });
});

describe("wigner3j", () => {
  it("matches every reference value within 1 ulp", () => {
    expect(threeJRows.length).toBeGreaterThan(300);
    for (const [j1, j2, j3, m1, m2, m3, text, , group] of threeJRows) {
      const expected = Number(text);
      const actual = wigner3j(j1, j2, j3, m1, m2, m3);
      const label = `(${j1} ${j2} ${j3}; ${m1} ${m2} ${m3}) [${group}] = ${actual}, expected ${expected}`;
      if (expected === 0) expect(actual, label).toBe(0);
      else expect(ulps(actual, expected), label).toBeLessThanOrEqual(1);
    }
  });

  it("keeps full relative accuracy for tiny values", () => {
    expect(wigner3j(20, 20, 40, 20, -20, 0)).toBe(3.3887434992525015e-13);
  });

  it("sums complete families to one", () => {
    let s1 = 0;
    for (let l = 0; l <= 20; l++) s1 += (2 * l + 1) * wigner3j(10, 10, l, 3, -3, 0) ** 2;
    expect(Math.abs(s1 - 1)).toBeLessThan(1e-14);
    let s2 = 0;
    for (let m = -20; m <= 20; m++) s2 += 41 * wigner3j(20, 20, 20, m, -m, 0) ** 2;
    expect(Math.abs(s2 - 1)).toBeLessThan(1e-14);
  });

  it("has the column-swap, cyclic and m-negation symmetries", () => {
    const cases: [number, number, number, number, number, number][] = [
      [3, 4, 5, 1, -3, 2],
      [7, 6, 4, -2, 3, -1],
      [12, 9, 8, 5, -7, 2],
      [40, 30, 20, 11, -13, 2],
    ];
    for (const [j1, j2, j3, m1, m2, m3] of cases) {
      const v = wigner3j(j1, j2, j3, m1, m2, m3);
      const parity = (j1 + j2 + j3) % 2 === 0 ? 1 : -1;
      expect(v).not.toBe(0);
      expect(wigner3j(j2, j3, j1, m2, m3, m1)).toBe(v);
      expect(wigner3j(j3, j1, j2, m3, m1, m2)).toBe(v);
      expect(wigner3j(j2, j1, j3, m2, m1, m3)).toBe(parity * v);
      expect(wigner3j(j1, j3, j2, m1, m3, m2)).toBe(parity * v);
      expect(wigner3j(j1, j2, j3, -m1, -m2, -m3)).toBe(parity * v);
    }
  });

  it("relates to clebschGordan", () => {
    for (const [l1, l2, l, m1, m2] of [
      [3, 2, 4, 1, -2],
      [5, 5, 6, 2, 1],
      [20, 20, 40, 20, -20],
    ] as const) {
      const m = m1 + m2;
      const sign = (l1 - l2 + m) % 2 === 0 ? 1 : -1;
      const expected = sign * Math.sqrt(2 * l + 1) * wigner3j(l1, l2, l, m1, m2, -m);
      expect(ulps(clebschGordan(l1, m1, l2, m2, l, m), expected)).toBeLessThanOrEqual(2);
    }
  });

  it("is orthogonal at l = 40", () => {
    let s = 0;
    for (let m = -35; m <= 35; m++) s += 81 * wigner3j(35, 35, 40, m, -m, 0) ** 2;
    expect(Math.abs(s - 1)).toBeLessThan(1e-13);
  });
});
