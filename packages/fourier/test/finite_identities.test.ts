import { Random } from "@covnet/core";
import {
  CyclicGroup,
  DihedralGroup,
  DirectProductGroup,
  type FiniteGroup,
  SymmetricGroup,
} from "@covnet/groups";
import { describe, expect, it } from "vitest";
import {
  convolve,
  type FourierBlock,
  fourierTransform,
  type GroupFunction,
  inverseFourierTransform,
  leftTranslate,
  leftTranslateCoefficients,
  multiplyCoefficients,
  plancherelInnerProduct,
  rightTranslate,
  rightTranslateCoefficients,
} from "../src/index.js";

type AnyFinite = FiniteGroup<unknown, unknown>;

const groups: AnyFinite[] = [
  new CyclicGroup(1),
  new CyclicGroup(5),
  new CyclicGroup(6),
  new DihedralGroup(4),
  new DihedralGroup(5),
  new SymmetricGroup(3),
  new SymmetricGroup(4),
  new DirectProductGroup(new CyclicGroup(3), new SymmetricGroup(3)) as unknown as AnyFinite,
  new DirectProductGroup(new DihedralGroup(3), new CyclicGroup(2)) as unknown as AnyFinite,
];

function randomFunction(n: number, seed: number, complex: boolean): GroupFunction {
  const random = new Random(seed);
  const re = Float64Array.from({ length: n }, () => random.normal());
  const im = complex ? Float64Array.from({ length: n }, () => random.normal()) : null;
  return { re, im };
}

function diff(a: GroupFunction, b: GroupFunction): number {
  let m = 0;
  for (let i = 0; i < a.re.length; i++) {
    m = Math.max(m, Math.abs((a.re[i] as number) - (b.re[i] as number)));
    m = Math.max(m, Math.abs((a.im?.[i] ?? 0) - (b.im?.[i] ?? 0)));
  }
  return m;
}

function blockDiff(
  a: readonly FourierBlock<unknown>[],
  b: readonly FourierBlock<unknown>[],
): number {
  let m = 0;
  a.forEach((x, i) => {
    const y = b[i] as FourierBlock<unknown>;
    for (let k = 0; k < x.re.length; k++) {
      m = Math.max(m, Math.abs((x.re[k] as number) - (y.re[k] as number)));
      m = Math.max(m, Math.abs((x.im?.[k] ?? 0) - (y.im?.[k] ?? 0)));
    }
  });
  return m;
}

function isAbelian(group: AnyFinite): boolean {
  return group.irrepLabels().every((l) => group.irrepDim(l) === 1);
}

describe.each(groups.map((g) => [g.name, g] as const))("finite Fourier on %s", (_, group) => {
  const f = randomFunction(group.order, 1, false);
  const h = randomFunction(group.order, 2, false);
  const fc = randomFunction(group.order, 3, true);

  it("inverts the forward transform of a real function", () => {
    const back = inverseFourierTransform(group, fourierTransform(group, f));
    expect(diff(back, f)).toBeLessThan(1e-12);
  });

  it("inverts the forward transform of a complex function", () => {
    const back = inverseFourierTransform(group, fourierTransform(group, fc));
    expect(back.im).not.toBeNull();
    expect(diff(back, fc)).toBeLessThan(1e-12);
  });

  it("satisfies the convolution theorem", () => {
    const lhs = fourierTransform(group, convolve(group, f, h));
    const rhs = multiplyCoefficients(fourierTransform(group, f), fourierTransform(group, h));
    expect(blockDiff(lhs, rhs)).toBeLessThan(1e-11);
    if (!isAbelian(group)) {
      const reversed = multiplyCoefficients(fourierTransform(group, h), fourierTransform(group, f));
      expect(blockDiff(lhs, reversed)).toBeGreaterThan(1e-3);
    }
  });

  it("satisfies Plancherel for complex functions", () => {
    const gc = randomFunction(group.order, 4, true);
    let re = 0;
    let im = 0;
    for (let i = 0; i < group.order; i++) {
      const ar = fc.re[i] as number;
      const ai = fc.im?.[i] as number;
      const br = gc.re[i] as number;
      const bi = gc.im?.[i] as number;
      re += ar * br + ai * bi;
      im += ai * br - ar * bi;
    }
    const p = plancherelInnerProduct(
      group,
      fourierTransform(group, fc),
      fourierTransform(group, gc),
    );
    expect(Math.abs(p.re - re)).toBeLessThan(1e-11);
    expect(Math.abs(p.im - im)).toBeLessThan(1e-11);
  });

  it("multiplies by rho(h) on the left and rho(h)^H on the right", () => {
    const fhat = fourierTransform(group, fc);
    for (const g of group.testingElements().slice(0, 6)) {
      const left = fourierTransform(group, leftTranslate(group, fc, g));
      expect(blockDiff(left, leftTranslateCoefficients(group, fhat, g))).toBeLessThan(1e-11);
      const right = fourierTransform(group, rightTranslate(group, fc, g));
      expect(blockDiff(right, rightTranslateCoefficients(group, fhat, g))).toBeLessThan(1e-11);
    }
  });
});

describe("cyclic group coefficients", () => {
  it("are the discrete Fourier transform with e^{+2 pi i jk/n}", () => {
    const c5 = new CyclicGroup(5);
    const values = [1, 2, 0, -1, 3];
    const fhat = fourierTransform(c5, values);
    for (let k = 0; k < 5; k++) {
      let re = 0;
      let im = 0;
      values.forEach((v, j) => {
        re += v * Math.cos((2 * Math.PI * j * k) / 5);
        im += v * Math.sin((2 * Math.PI * j * k) / 5);
      });
      expect(fhat[k]?.re[0]).toBeCloseTo(re, 13);
      expect(fhat[k]?.im?.[0]).toBeCloseTo(im, 13);
    }
  });

  it("inverts a real function to a zero imaginary part", () => {
    const c6 = new CyclicGroup(6);
    const back = inverseFourierTransform(c6, fourierTransform(c6, [1, -2, 3, 0.5, 0, 4]));
    for (const v of back.im ?? []) expect(Math.abs(v)).toBeLessThan(1e-14);
  });
});

describe("finite Fourier input checks", () => {
  it("rejects a function of the wrong length", () => {
    expect(() => fourierTransform(new SymmetricGroup(3), [1, 2])).toThrow(/expected 6 values/);
  });

  it("rejects coefficients of another group", () => {
    const c3 = new CyclicGroup(3);
    const fhat = fourierTransform(new SymmetricGroup(3), [1, 2, 3, 4, 5, 6]);
    expect(() => inverseFourierTransform(c3 as unknown as AnyFinite, fhat)).toThrow(
      /block 0 has irrep/,
    );
  });
});
