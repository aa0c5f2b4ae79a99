import { describe, expect, it } from "vitest";
import {
  CyclicGroup,
  DihedralGroup,
  DirectProductGroup,
  O3,
  SO2,
  SO3,
  SymmetricGroup,
} from "../src/index.js";
import { describeGroupLaws, groupLawErrors } from "../src/testing.js";

describeGroupLaws(new SO3(), { maxDegree: 4 });
describeGroupLaws(new O3(), { maxDegree: 3 });
describeGroupLaws(new SO2(), { maxDegree: 4 });
describeGroupLaws(new CyclicGroup(1));
describeGroupLaws(new CyclicGroup(7));
describeGroupLaws(new DihedralGroup(5));
describeGroupLaws(new DihedralGroup(6));
describeGroupLaws(new SymmetricGroup(1));
describeGroupLaws(new SymmetricGroup(4));
describeGroupLaws(new SymmetricGroup(5));
describeGroupLaws(new DirectProductGroup(new CyclicGroup(3), new SymmetricGroup(3)));

describe("group law suite", () => {
  it("detects a broken representation", () => {
    const group = new SymmetricGroup(3);
    const broken = Object.create(group) as SymmetricGroup;
    // Transposing every matrix reverses products, so the homomorphism law must fail.
    broken.representation = (label, s) => {
      const m = group.representation(label, s);
      const t = new Float64Array(m.dim * m.dim);
      for (let i = 0; i < m.dim; i++)
        for (let j = 0; j < m.dim; j++) t[i * m.dim + j] = m.re[j * m.dim + i]!;
      return { dim: m.dim, re: t, im: null };
    };
    expect(groupLawErrors(broken).homomorphism).toBeGreaterThan(0.1);
  });

  it("detects a quadrature below the band limit", () => {
    expect(
      groupLawErrors(new SO3(), { maxDegree: 3, bandLimit: 3 }).characterOrthogonality,
    ).toBeGreaterThan(1e-3);
  });
});
