import { mul, relu, type Tensor, tanh } from "@covnet/core";
import { CyclicGroup, DihedralGroup, type FiniteGroup, SymmetricGroup } from "@covnet/groups";
import { gradcheck, gradgradcheck } from "@covnet/nn/testing";
import { describe, expect, it } from "vitest";
import {
  convolve,
  FourierBasis,
  filterLayout,
  finiteQuadraticPlan,
  fourierAnalysis,
  fourierChannelConvolution,
  fourierQuadratic,
  fourierSynthesis,
  fourierTransform,
  multiplyFourier,
  SO3FourierGrid,
  SphereFourierGrid,
  so3QuadraticPlan,
} from "../src/index.js";
import { cpuEngine, normals, randomTensor, relativeError } from "./helpers.js";

const engine = await cpuEngine();

/** Flat coefficients in a basis layout (imaginary parts only for complex blocks). */
function flatten(blocks: ReturnType<typeof fourierTransform>, basis: FourierBasis): number[] {
  const out: number[] = [];
  blocks.forEach((b, i) => {
    out.push(...b.re);
    if (basis.layout.blocks[i]?.complex === true)
      out.push(...(b.im ?? new Float64Array(b.re.length)));
  });
  return out;
}

type AnyFinite = FiniteGroup<unknown, unknown>;
const groups: AnyFinite[] = [
  new SymmetricGroup(3),
  new SymmetricGroup(4),
  new DihedralGroup(4),
  new CyclicGroup(5) as unknown as AnyFinite,
];

describe.each(groups.map((g) => [g.name, g] as const))("tensor transforms on %s", (_, group) => {
  const basis = FourierBasis.finite(group);
  const f = normals(group.order, 1);
  const h = normals(group.order, 2);

  it("analysis equals the summation transform", () => {
    const c = fourierAnalysis(engine.makeTensor(f, [group.order], "float64"), basis);
    expect(relativeError(c.dataSync(), flatten(fourierTransform(group, f), basis))).toBeLessThan(
      1e-13,
    );
  });

  it("synthesis inverts analysis", () => {
    const x = engine.makeTensor(f, [1, group.order], "float64");
    const back = fourierSynthesis(fourierAnalysis(x, basis), basis);
    expect(relativeError(back.dataSync(), f)).toBeLessThan(1e-13);
  });

  it("block products give the transform of the convolution", () => {
    const a = fourierAnalysis(engine.makeTensor(f, [group.order], "float64"), basis);
    const b = fourierAnalysis(engine.makeTensor(h, [group.order], "float64"), basis);
    const expected = flatten(fourierTransform(group, convolve(group, f, h)), basis);
    expect(relativeError(multiplyFourier(a, b, basis.layout).dataSync(), expected)).toBeLessThan(
      1e-12,
    );
  });

  it("passes gradient checks", () => {
    const x = randomTensor(engine, [2, group.order], 3);
    const c = randomTensor(engine, [2, basis.layout.size], 4);
    const d = randomTensor(engine, [2, basis.layout.size], 5);
    for (const report of [
      gradcheck((v) => fourierAnalysis(v as Tensor, basis), [x]),
      gradcheck((v) => fourierSynthesis(v as Tensor, basis), [c]),
      gradcheck((p, q) => multiplyFourier(p as Tensor, q as Tensor, basis.layout), [c, d]),
      gradgradcheck((p, q) => multiplyFourier(p as Tensor, q as Tensor, basis.layout), [c, d]),
    ]) {
      expect(report.ok, report.summary).toBe(true);
    }
  });
});

describe("quadratic nonlinearity", () => {
  for (const group of [
    new SymmetricGroup(3),
    new SymmetricGroup(4),
    new DihedralGroup(4),
  ] as AnyFinite[]) {
    it(`gives the coefficients of the pointwise product on ${group.name}`, () => {
      const basis = FourierBasis.finite(group);
      const plan = finiteQuadraticPlan(group);
      const f = normals(group.order, 6);
      const h = normals(group.order, 7);
      const a = fourierAnalysis(engine.makeTensor(f, [group.order], "float64"), basis);
      const b = fourierAnalysis(engine.makeTensor(h, [group.order], "float64"), basis);
      const product = Float64Array.from(f, (v, i) => v * (h[i] as number));
      const expected = flatten(fourierTransform(group, product), basis);
      expect(relativeError(fourierQuadratic(a, b, plan).dataSync(), expected)).toBeLessThan(1e-11);
    });
  }

  it("rejects groups with complex irreps", () => {
    expect(() => finiteQuadraticPlan(new CyclicGroup(3))).toThrow(/is complex/);
  });

  it("gives the coefficients of the pointwise product on SO(3)", () => {
    const bandLimit = 2;
    const grid = new SO3FourierGrid(bandLimit);
    const fine = new SO3FourierGrid(2 * bandLimit);
    const basis = FourierBasis.so3(grid);
    const fineBasis = FourierBasis.so3(fine);
    const plan = so3QuadraticPlan(grid);
    const a = randomTensor(engine, [basis.layout.size], 8);
    const b = randomTensor(engine, [basis.layout.size], 9);
    // Evaluate on the finer grid (zero-padding the coefficients), multiply, transform exactly.
    const pad = (t: Tensor) =>
      engine.makeTensor(
        Float64Array.from({ length: fineBasis.layout.size }, (_, k) =>
          k < t.size ? (t.dataSync()[k] as number) : 0,
        ),
        [fineBasis.layout.size],
        "float64",
      );
    const values = mul(fourierSynthesis(pad(a), fineBasis), fourierSynthesis(pad(b), fineBasis));
    const exact = fourierAnalysis(values, fineBasis).dataSync().slice(0, basis.layout.size);
    expect(relativeError(fourierQuadratic(a, b, plan).dataSync(), exact)).toBeLessThan(1e-12);
  });

  it("passes gradient checks", () => {
    const plan = finiteQuadraticPlan(new SymmetricGroup(3));
    const a = randomTensor(engine, [2, plan.layout.size], 10);
    const b = randomTensor(engine, [2, plan.layout.size], 11);
    const report = gradcheck((p, q) => fourierQuadratic(p as Tensor, q as Tensor, plan), [a, b]);
    expect(report.ok, report.summary).toBe(true);
    const second = gradgradcheck(
      (p, q) => fourierQuadratic(p as Tensor, q as Tensor, plan),
      [a, b],
    );
    expect(second.ok, second.summary).toBe(true);
  });
});

describe("channel convolution", () => {
  it("equals spatial convolution summed over input channels", () => {
    const group = new SymmetricGroup(3);
    const basis = FourierBasis.finite(group);
    const x = normals(2 * group.order, 12);
    const w = normals(2 * 3 * group.order, 13);
    const xc = fourierAnalysis(engine.makeTensor(x, [1, 2, group.order], "float64"), basis);
    const wc = fourierAnalysis(engine.makeTensor(w, [2, 3, group.order], "float64"), basis);
    const out = fourierSynthesis(fourierChannelConvolution(xc, wc, basis.layout), basis).dataSync();
    for (let o = 0; o < 3; o++) {
      const expected = new Float64Array(group.order);
      for (let c = 0; c < 2; c++) {
        const conv = convolve(
          group,
          x.subarray(c * group.order, (c + 1) * group.order),
          w.subarray((c * 3 + o) * group.order, (c * 3 + o + 1) * group.order),
        );
        conv.re.forEach((v, i) => {
          expected[i] = (expected[i] as number) + v;
        });
      }
      expect(
        relativeError(out.slice(o * group.order, (o + 1) * group.order), expected),
      ).toBeLessThan(1e-12);
    }
  });

  it("passes gradient checks on complex and sphere layouts", () => {
    for (const basis of [
      FourierBasis.finite(new CyclicGroup(4)),
      FourierBasis.sphere(new SphereFourierGrid(2)),
    ]) {
      const x = randomTensor(engine, [2, 2, basis.layout.size], 14);
      const w = randomTensor(engine, [2, 3, filterLayout(basis.layout).size], 15);
      const report = gradcheck(
        (p, q) => fourierChannelConvolution(p as Tensor, q as Tensor, basis.layout),
        [x, w],
      );
      expect(report.ok, report.summary).toBe(true);
    }
  });

  it("rejects mismatched shapes", () => {
    const basis = FourierBasis.finite(new SymmetricGroup(3));
    const x = randomTensor(engine, [1, 2, basis.layout.size], 1);
    const w = randomTensor(engine, [3, 1, basis.layout.size], 1);
    expect(() => fourierChannelConvolution(x, w, basis.layout)).toThrow(/must be \[2, outChannels/);
    expect(() => fourierAnalysis(randomTensor(engine, [1, 5], 1), basis)).toThrow(/must end in 6/);
  });
});

describe("pointwise nonlinearity through the transforms", () => {
  it("passes gradient checks", () => {
    const basis = FourierBasis.finite(new DihedralGroup(3));
    const c = randomTensor(engine, [2, basis.layout.size], 16);
    const report = gradcheck(
      (v) => fourierAnalysis(tanh(fourierSynthesis(v as Tensor, basis)), basis),
      [c],
    );
    expect(report.ok, report.summary).toBe(true);
    expect(relu).toBeDefined();
  });
});
