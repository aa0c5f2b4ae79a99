import { ArgumentError } from "@covnet/core";
import { describe, expect, it } from "vitest";
import { assertIrrepsEqual, Irreps } from "../src/index.js";

describe("Irreps", () => {
  it.each(["16x0e + 8x1o + 4x2e", "1x0 + 3x1 + 2x2", "0x1o + 2x3e", "1x0e", ""])(
    "round trip of %j",
    (text) => {
      expect(Irreps.parse(text).toString()).toBe(text);
    },
  );

  it("parses compact and bare forms", () => {
    expect(Irreps.parse("16x0e+8x1o").toString()).toBe("16x0e + 8x1o");
    expect(Irreps.parse("1o + 2e").toString()).toBe("1x1o + 1x2e");
    expect(Irreps.parse(" 3x2 ").entries).toEqual([{ mul: 3, l: 2, p: 0 }]);
  });

  it("represents entries as mul, l, p", () => {
    expect(Irreps.parse("16x0e + 8x1o").entries).toEqual([
      { mul: 16, l: 0, p: 1 },
      { mul: 8, l: 1, p: -1 },
    ]);
  });

  it("computes dim, numIrreps, offsets and lmax", () => {
    const irreps = Irreps.parse("16x0e + 8x1o + 4x2e");
    expect(irreps.dim).toBe(16 + 24 + 20);
    expect(irreps.numIrreps).toBe(28);
    expect(irreps.offsets).toEqual([0, 16, 40]);
    expect(irreps.slices()).toEqual([
      { start: 0, end: 16 },
      { start: 16, end: 40 },
      { start: 40, end: 60 },
    ]);
    expect(irreps.lmax).toBe(2);
    expect(irreps.partDim(1)).toBe(24);
    expect(new Irreps([]).lmax).toBe(-1);
  });

  it("counts multiplicity of each l", () => {
    const irreps = Irreps.parse("2x1o + 3x0e + 4x1e + 1x1o");
    expect(irreps.multiplicity(1)).toBe(7);
    expect(irreps.multiplicity(1, -1)).toBe(3);
    expect(irreps.multiplicity(1, 1)).toBe(4);
    expect(irreps.multiplicity(2)).toBe(0);
  });

  it("simplifies neighbouring equal labels", () => {
    expect(Irreps.parse("1x0e + 2x0e + 0x1o + 3x1o + 1x0e").simplify().toString()).toBe(
      "3x0e + 3x1o + 1x0e",
    );
  });

  it("sorts by l then parity", () => {
    const { irreps, permutation, inverse } = Irreps.parse("1x2e + 2x1o + 3x0e + 4x1e").sort();
    expect(irreps.toString()).toBe("3x0e + 4x1e + 2x1o + 1x2e");
    expect(permutation).toEqual([2, 3, 1, 0]);
    expect(inverse).toEqual([3, 2, 0, 1]);
  });

  it("compares and concatenates", () => {
    const a = Irreps.parse("16x0e + 8x1o");
    expect(a.equals("16x0e+8x1o")).toBe(true);
    expect(a.equals("16x0e + 8x1e")).toBe(false);
    expect(a.equals("16x0e + 8x1o + 0x2e")).toBe(false);
    expect(a.concat("4x2e").toString()).toBe("16x0e + 8x1o + 4x2e");
  });

  it("builds spherical harmonic irreps", () => {
    expect(Irreps.sphericalHarmonics(3).toString()).toBe("1x0e + 1x1o + 1x2e + 1x3o");
    expect(Irreps.sphericalHarmonics(2, 0).toString()).toBe("1x0 + 1x1 + 1x2");
  });

  it("names the bad token", () => {
    expect(() => Irreps.parse("16x0e + 3y1")).toThrow(
      'invalid irreps token "3y1" in "16x0e + 3y1": expected MULxL, MULxLe or MULxLo, such as 8x1o',
    );
    expect(() => Irreps.parse("16x0e + 3y1")).toThrow(ArgumentError);
    expect(() => Irreps.parse("1x1o +")).toThrow('invalid irreps token "" in "1x1o +"');
    expect(() => Irreps.parse("-1x1o")).toThrow('invalid irreps token "-1x1o"');
    expect(() => Irreps.parse("2x1p")).toThrow('invalid irreps token "2x1p"');
  });

  it("rejects mixed SO(3) and O(3) labels", () => {
    expect(() => Irreps.parse("1x0e + 1x1")).toThrow(
      "invalid irreps 1x0e + 1x1: SO(3) labels (no parity) and O(3) labels (e or o) cannot be mixed",
    );
  });

  it("rejects invalid entries", () => {
    expect(() => new Irreps([{ mul: 1.5, l: 0, p: 1 }])).toThrow(
      "invalid irreps multiplicity 1.5: expected an integer >= 0",
    );
    expect(() => new Irreps([{ mul: 1, l: -1, p: 1 }])).toThrow(
      "invalid irrep degree l = -1: expected an integer >= 0",
    );
  });

  it("reports mismatches with both values", () => {
    expect(() =>
      assertIrrepsEqual(Irreps.parse("16x0e + 8x1e"), Irreps.parse("16x0e + 8x1o"), "left"),
    ).toThrow("irreps mismatch: left is 16x0e + 8x1e, expected 16x0e + 8x1o");
  });
});
