import { Random } from "@covnet/core";
import { SymmetricGroup } from "@covnet/groups";
import { describe, expect, it } from "vitest";
import {
  type FourierBlock,
  fastSymmetricFourierTransform,
  fourierTransform,
  inverseFastSymmetricFourierTransform,
  naiveSymmetricFourierTransform,
} from "../src/index.js";

function randomValues(n: number, seed: number): Float64Array {
  const random = new Random(seed);
  return Float64Array.from({ length: n }, () => random.normal());
}

/** Largest entry difference relative to the largest entry of `b`. */
function relativeDiff(
  a: readonly FourierBlock<unknown>[],
  b: readonly FourierBlock<unknown>[],
): number {
  let diff = 0;
  let scale = 0;
  a.forEach((x, i) => {
    const y = b[i] as FourierBlock<unknown>;
    expect(x.label).toEqual(y.label);
    expect(x.re.length).toBe(y.re.length);
    for (let k = 0; k < x.re.length; k++) {
      diff = Math.max(diff, Math.abs((x.re[k] as number) - (y.re[k] as number)));
      scale = Math.max(scale, Math.abs(y.re[k] as number));
    }
  });
  return diff / scale;
}

describe("fast S_n transform", () => {
  for (const n of [1, 2, 3, 4, 5, 6]) {
    it(`equals the summation transform for n = ${n}`, () => {
      const group = new SymmetricGroup(n);
      const f = randomValues(group.order, n);
      const fast = fastSymmetricFourierTransform(n, f);
      expect(relativeDiff(fast, fourierTransform(group, f))).toBeLessThan(1e-13);
    });
  }

  it("equals the direct summation for n = 7", () => {
    const f = randomValues(5040, 7);
    const fast = fastSymmetricFourierTransform(7, f);
    expect(relativeDiff(fast, naiveSymmetricFourierTransform(7, f))).toBeLessThan(1e-13);
  });

  it("direct summation equals the generic transform for n = 5", () => {
    const f = randomValues(120, 11);
    const naive = naiveSymmetricFourierTransform(5, f);
    expect(relativeDiff(naive, fourierTransform(new SymmetricGroup(5), f))).toBeLessThan(1e-13);
  });

  for (const n of [1, 2, 3, 5, 7]) {
    it(`inverse recovers the function for n = ${n}`, () => {
      const size = new SymmetricGroup(n).order;
      const f = randomValues(size, 100 + n);
      const back = inverseFastSymmetricFourierTransform(n, fastSymmetricFourierTransform(n, f));
      let diff = 0;
      for (let i = 0; i < size; i++)
        diff = Math.max(diff, Math.abs((back[i] as number) - (f[i] as number)));
      expect(diff).toBeLessThan(1e-12);
    });
  }

  it("transforms a delta at a permutation to its matrices", () => {
    const group = new SymmetricGroup(5);
    const elements = group.elements();
    const index = 77;
    const delta = new Float64Array(120);
    delta[index] = 1;
    const fast = fastSymmetricFourierTransform(5, delta);
    fast.forEach((block) => {
      const rho = group.representation(block.label, elements[index] as number[]);
      for (let k = 0; k < block.re.length; k++)
        expect(block.re[k]).toBeCloseTo(rho.re[k] as number, 14);
    });
  });

  it("rejects bad degrees and lengths", () => {
    expect(() => fastSymmetricFourierTransform(10, [])).toThrow(/supports integers 1..9/);
    expect(() => fastSymmetricFourierTransform(4, [1, 2, 3])).toThrow(/expected 24 values/);
    const fhat = fastSymmetricFourierTransform(3, [1, 2, 3, 4, 5, 6]);
    expect(() => inverseFastSymmetricFourierTransform(4, fhat)).toThrow(/expected 5 blocks/);
  });
});
