import { expectEquivariant } from "@covnet/cg/testing";
import { relu, reshape, type Tensor, tanh } from "@covnet/core";
import { CyclicGroup, DihedralGroup, type FiniteGroup, SO3, SymmetricGroup } from "@covnet/groups";
import { describe, expect, it } from "vitest";
import {
  FourierBasis,
  FourierPointwiseNonlinearity,
  FourierQuadraticNonlinearity,
  finiteQuadraticPlan,
  fourierAnalysis,
  fourierSynthesis,
  GroupConvolution,
  leftTranslate,
  SO3FourierGrid,
  SphereFourierGrid,
  so3QuadraticPlan,
} from "../src/index.js";
import { cpuEngine, normals, relativeError } from "./helpers.js";

const engine = await cpuEngine();
type AnyFinite = FiniteGroup<unknown, unknown>;

/**
 * Checks `layer(T_g x) = T_g layer(x)` for every element g, with `T_g` the left translation
 * `f -> f(g^-1 .)` of every channel, in the spatial domain.
 */
function expectFiniteEquivariant(
  group: AnyFinite,
  channels: number,
  layer: (coefficients: Tensor) => Tensor,
): number {
  const basis = FourierBasis.finite(group);
  const n = group.order;
  const batch = 2;
  const values = normals(batch * channels * n, 21);
  const run = (v: Float64Array) => {
    let out = new Float64Array(0);
    engine.scope(() => {
      const x = fourierAnalysis(engine.makeTensor(v, [batch, channels, n], "float64"), basis);
      out = Float64Array.from(fourierSynthesis(layer(x), basis).dataSync());
    });
    return out;
  };
  const translateAll = (v: Float64Array, g: unknown, rows: number) => {
    const out = new Float64Array(v.length);
    for (let r = 0; r < rows; r++)
      out.set(leftTranslate(group, v.subarray(r * n, (r + 1) * n), g).re, r * n);
    return out;
  };
  const reference = run(values);
  const outRows = reference.length / n;
  let worst = 0;
  for (const g of group.testingElements()) {
    const rotated = run(translateAll(values, g, batch * channels));
    worst = Math.max(worst, relativeError(rotated, translateAll(reference, g, outRows)));
  }
  // The check must be able to fail: a non-identity translation changes the output.
  const moved = group.testingElements().find((g) => !group.equals(g, group.identity()));
  if (moved !== undefined) {
    expect(relativeError(translateAll(reference, moved, outRows), reference)).toBeGreaterThan(1e-3);
  }
  return worst;
}

const finiteGroups: AnyFinite[] = [
  new SymmetricGroup(3),
  new SymmetricGroup(4),
  new DihedralGroup(4),
  new CyclicGroup(5) as unknown as AnyFinite,
];

describe.each(finiteGroups.map((g) => [g.name, g] as const))("Fourier layers on %s", (_, group) => {
  const basis = FourierBasis.finite(group);

  it("group convolution is equivariant", () => {
    const conv = new GroupConvolution(engine, basis, 3, 2, { seed: 1 });
    expect(expectFiniteEquivariant(group, 3, (x) => conv.forward(x))).toBeLessThan(1e-12);
  });

  it("pointwise nonlinearity is equivariant", () => {
    const layer = new FourierPointwiseNonlinearity(basis, relu);
    expect(expectFiniteEquivariant(group, 2, (x) => layer.forward(x))).toBeLessThan(1e-12);
  });

  it("a stack of layers is equivariant", () => {
    const first = new GroupConvolution(engine, basis, 2, 4, { seed: 2 });
    const act = new FourierPointwiseNonlinearity(basis, tanh);
    const second = new GroupConvolution(engine, basis, 4, 1, { seed: 3 });
    const net = (x: Tensor) => second.forward(act.forward(first.forward(x)));
    expect(expectFiniteEquivariant(group, 2, net)).toBeLessThan(1e-12);
  });
});

describe("quadratic layer on finite groups", () => {
  for (const group of [
    new SymmetricGroup(3),
    new SymmetricGroup(4),
    new DihedralGroup(4),
  ] as AnyFinite[]) {
    it(`is equivariant on ${group.name}`, () => {
      const layer = new FourierQuadraticNonlinearity(finiteQuadraticPlan(group));
      expect(expectFiniteEquivariant(group, 2, (x) => layer.forward(x))).toBeLessThan(1e-12);
    });
  }
});

describe("Fourier layers on SO(3) and the sphere", () => {
  const so3 = new SO3();
  const grid = new SO3FourierGrid(2);
  const basis = FourierBasis.so3(grid);
  // One channel of Wigner coefficients: block l is [2l+1, 2l+1] with rows transforming by D^l.
  const irreps = "1x0+3x1+5x2";

  it("group convolution is equivariant", () => {
    const conv = new GroupConvolution(engine, basis, 1, 1, { seed: 4 });
    const report = expectEquivariant(
      (x) =>
        reshape(conv.forward(reshape(x as Tensor, [-1, 1, basis.layout.size])), [
          -1,
          basis.layout.size,
        ]),
      { engine, group: so3, inputIrreps: irreps, outputIrreps: irreps },
    );
    expect(report.worst).toBeLessThan(1e-12);
  });

  it("quadratic nonlinearity is equivariant", () => {
    const layer = new FourierQuadraticNonlinearity(so3QuadraticPlan(grid));
    const report = expectEquivariant((x) => layer.forward(x as Tensor), {
      engine,
      group: so3,
      inputIrreps: irreps,
      outputIrreps: irreps,
    });
    expect(report.worst).toBeLessThan(1e-12);
  });

  it("zonal convolution on the sphere is equivariant", () => {
    const sphere = FourierBasis.sphere(new SphereFourierGrid(3));
    const conv = new GroupConvolution(engine, sphere, 1, 1, { seed: 5 });
    const report = expectEquivariant(
      (x) =>
        reshape(conv.forward(reshape(x as Tensor, [-1, 1, sphere.layout.size])), [
          -1,
          sphere.layout.size,
        ]),
      { engine, group: so3, inputIrreps: "1x0+1x1+1x2+1x3", outputIrreps: "1x0+1x1+1x2+1x3" },
    );
    expect(report.worst).toBeLessThan(1e-12);
  });

  it("group convolution registers one weight parameter", () => {
    const conv = new GroupConvolution(engine, basis, 2, 3);
    expect([...conv.parameters().keys()]).toEqual(["weight"]);
    expect(conv.weight.shape).toEqual([2, 3, basis.layout.size]);
  });
});
