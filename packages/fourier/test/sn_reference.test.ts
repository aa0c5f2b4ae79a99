import { readFileSync } from "node:fs";
import { SymmetricGroup } from "@covnet/groups";
import { describe, expect, it } from "vitest";
import {
  convolve,
  type FourierBlock,
  fourierTransform,
  inverseFourierTransform,
  leftTranslate,
  leftTranslateCoefficients,
  multiplyCoefficients,
  plancherelInnerProduct,
  rightTranslate,
  rightTranslateCoefficients,
} from "../src/index.js";

interface Example {
  n: number;
  permutations: number[][];
  f: number[];
  g: number[];
  conv: number[];
  irreps: {
    partition: number[];
    dim: number;
    f_hat: string[][];
    g_hat: string[][];
    conv_hat: string[][];
  }[];
}

const example = JSON.parse(
  readFileSync(new URL("./fixtures/sn_fourier_example.json", import.meta.url), "utf8"),
) as Example;
const s4 = new SymmetricGroup(example.n);
const TOL = 1e-12;

function flat(rows: string[][]): number[] {
  return rows.flat().map(Number);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function blocksDiff(
  a: readonly FourierBlock<readonly number[]>[],
  key: "f_hat" | "g_hat" | "conv_hat",
): number {
  let m = 0;
  example.irreps.forEach((irrep, i) => {
    const block = a[i] as FourierBlock<readonly number[]>;
    expect(block.label).toEqual(irrep.partition);
    expect(block.im).toBeNull();
    m = Math.max(m, maxDiff(block.re, flat(irrep[key])));
  });
  return m;
}

describe("S4 reference example", () => {
  it("lists the elements in the fixture's order", () => {
    expect(s4.elements()).toEqual(example.permutations);
    expect(s4.irrepLabels()).toEqual(example.irreps.map((i) => i.partition));
  });

  it("transforms f and g to the reference f_hat and g_hat", () => {
    expect(blocksDiff(fourierTransform(s4, example.f), "f_hat")).toBeLessThan(TOL * 100);
    expect(blocksDiff(fourierTransform(s4, example.g), "g_hat")).toBeLessThan(TOL * 100);
  });

  it("convolves f and g to the reference values exactly", () => {
    const conv = convolve(s4, example.f, example.g);
    expect(Array.from(conv.re)).toEqual(example.conv);
    expect(conv.im).toBeNull();
  });

  it("transforms the convolution to conv_hat", () => {
    const hat = fourierTransform(s4, example.conv);
    expect(blocksDiff(hat, "conv_hat")).toBeLessThan(TOL * 1000);
  });

  it("satisfies the convolution theorem with f_hat on the left", () => {
    const fhat = fourierTransform(s4, example.f);
    const ghat = fourierTransform(s4, example.g);
    expect(blocksDiff(multiplyCoefficients(fhat, ghat), "conv_hat")).toBeLessThan(TOL * 1000);
  });

  it("fails the convolution theorem in the reversed order", () => {
    const fhat = fourierTransform(s4, example.f);
    const ghat = fourierTransform(s4, example.g);
    expect(blocksDiff(multiplyCoefficients(ghat, fhat), "conv_hat")).toBeGreaterThan(1);
  });

  it("inverts f_hat, g_hat and conv_hat to the values", () => {
    for (const [key, values] of [
      ["f_hat", example.f],
      ["g_hat", example.g],
      ["conv_hat", example.conv],
    ] as const) {
      const blocks = example.irreps.map((irrep) => ({
        label: irrep.partition,
        dim: irrep.dim,
        re: Float64Array.from(flat(irrep[key])),
        im: null,
      }));
      const back = inverseFourierTransform(s4, blocks);
      expect(back.im).toBeNull();
      expect(maxDiff(back.re, values)).toBeLessThan(1e-11);
    }
  });

  it("satisfies Plancherel for f and g", () => {
    const fhat = fourierTransform(s4, example.f);
    const ghat = fourierTransform(s4, example.g);
    const direct = example.f.reduce((s, v, i) => s + v * (example.g[i] as number), 0);
    const fourier = plancherelInnerProduct(s4, fhat, ghat);
    expect(Math.abs(fourier.re - direct)).toBeLessThan(1e-10);
    expect(fourier.im).toBe(0);
  });

  it("applies left and right translations on the correct side", () => {
    const fhat = fourierTransform(s4, example.f);
    for (const pi of [
      s4.fromCycles("(1 2)"),
      s4.fromCycles("(1 3 4)"),
      s4.fromCycles("(1 2 3 4)"),
    ]) {
      const left = fourierTransform(s4, leftTranslate(s4, example.f, pi));
      const right = fourierTransform(s4, rightTranslate(s4, example.f, pi));
      const leftRule = leftTranslateCoefficients(s4, fhat, pi);
      const rightRule = rightTranslateCoefficients(s4, fhat, pi);
      left.forEach((b, i) => {
        expect(maxDiff(b.re, (leftRule[i] as FourierBlock<readonly number[]>).re)).toBeLessThan(
          1e-11,
        );
        expect(
          maxDiff(right[i]?.re ?? [], (rightRule[i] as FourierBlock<readonly number[]>).re),
        ).toBeLessThan(1e-11);
      });
      // The wrong side fails for the 3-dimensional irrep [3,1].
      const wrong = rightTranslateCoefficients(s4, fhat, pi);
      expect(
        maxDiff(
          (left[1] as FourierBlock<readonly number[]>).re,
          (wrong[1] as FourierBlock<readonly number[]>).re,
        ),
      ).toBeGreaterThan(1e-3);
    }
  });
});
