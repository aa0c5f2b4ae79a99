import {
  add,
  concat,
  div,
  type Engine,
  matmul,
  mul,
  Random,
  randomNormal,
  reshape,
  sigmoid,
  silu,
  sin,
  type Tensor,
  tensor,
} from "@covnet/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  BesselBasis,
  cosineCutoff,
  GaussianBasis,
  Linear,
  MLP,
  normActivation,
  partNorm,
  polynomialCutoff,
} from "../src/index.js";
import { gradcheck, gradgradcheck, moduleFunction } from "../src/testing/index.js";
import { cpuEngine } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine("float64");
});

function expectPasses(report: { ok: boolean; summary: string }): void {
  expect(report.ok, report.summary).toBe(true);
}

function distances(values: number[]): Tensor {
  return tensor(engine, values, undefined, "float64");
}

describe("gradcheck", () => {
  it("passes on a correct gradient", () => {
    const x = tensor(engine, [0.3, -0.7, 1.1], undefined, "float64");
    expectPasses(gradcheck((t) => mul(sin(t), t), [x]));
    expectPasses(gradgradcheck((t) => mul(sin(t), t), [x]));
  });

  it("fails on a wrong gradient", () => {
    // A detached factor hides part of the derivative from autodiff, so the check must fail.
    const x = tensor(engine, [0.3, -0.7, 1.1], undefined, "float64");
    const report = gradcheck((t) => mul(t, engine.detach(t)), [x]);
    expect(report.ok).toBe(false);
    expect(report.maxRelativeError).toBeGreaterThan(0.1);
    expect(report.summary).toMatch(/failed/);
    expect(report.worst).not.toBeNull();
    expect(gradgradcheck((t) => mul(mul(t, t), engine.detach(t)), [x]).ok).toBe(false);
  });

  it("rejects float32 inputs", () => {
    const x = tensor(engine, [1], undefined, "float32");
    expect(() => gradcheck((t) => t, [x])).toThrow(/float64/);
  });

  it("releases its intermediates", () => {
    const x = tensor(engine, [0.3, -0.7], undefined, "float64");
    gradgradcheck((t) => mul(sin(t), t), [x]);
    const before = engine.memory().numTensors;
    gradgradcheck((t) => mul(sin(t), t), [x]);
    expect(engine.memory().numTensors).toBe(before);
  });
});

describe("Linear", () => {
  it("computes x W + b", () => {
    const layer = new Linear(engine, 2, 3, { rng: new Random(0) });
    layer.weight.assign(
      tensor(
        engine,
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        undefined,
        "float64",
      ),
    );
    layer.bias?.assign(tensor(engine, [0.5, 0, -0.5], undefined, "float64"));
    const y = layer.forward(
      tensor(
        engine,
        [
          [1, 1],
          [2, 0],
        ],
        undefined,
        "float64",
      ),
    );
    expect(y.toArray()).toEqual([5.5, 7, 8.5, 2.5, 4, 5.5]);
    expect(() => layer.forward(tensor(engine, [[1, 1, 1]], undefined, "float64"))).toThrow(
      /must end in 2/,
    );
  });

  it("has no bias when disabled", () => {
    const layer = new Linear(engine, 2, 3, { rng: new Random(0), bias: false });
    expect([...layer.parameters().keys()]).toEqual(["weight"]);
  });

  it("matches finite differences", () => {
    const layer = new Linear(engine, 3, 2, { rng: new Random(1) });
    const x = randomNormal(engine, [4, 3], { seed: 2, dtype: "float64" });
    const { fn, parameters } = moduleFunction(layer, (input) => layer.forward(input));
    expectPasses(gradcheck(fn, [...parameters, x]));
  });
});

describe("MLP", () => {
  it.each(["silu", "relu", "tanh", "softplus"] as const)(
    "%s matches finite differences",
    (activation) => {
      const mlp = new MLP(engine, [3, 5, 2], { rng: new Random(4), activation });
      expect([...mlp.parameters().keys()]).toEqual([
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
      ]);
      const x = randomNormal(engine, [2, 3], { seed: 5, dtype: "float64" });
      const { fn, parameters } = moduleFunction(mlp, (input) => mlp.forward(input));
      expectPasses(gradcheck(fn, [...parameters, x]));
      if (activation !== "relu") expectPasses(gradgradcheck(fn, [...parameters, x]));
    },
  );

  it("keeps unit variance at initialisation", () => {
    const mlp = new MLP(engine, [64, 64, 64, 64], {
      rng: new Random(6),
      activation: "relu",
      activateLast: true,
    });
    const x = randomNormal(engine, [256, 64], { seed: 7, dtype: "float64" });
    const y = mlp.forward(x).toArray();
    const meanSquare = y.reduce((s, v) => s + v * v, 0) / y.length;
    // He initialisation keeps E[relu(h)^2] near E[x^2] / 2 = 0.5 through every layer.
    expect(meanSquare).toBeGreaterThan(0.3);
    expect(meanSquare).toBeLessThan(0.8);
  });
});

describe("cutoffs", () => {
  it("cosine cutoff has known values", () => {
    const y = cosineCutoff(distances([0, 1, 2, 3]), 2).toArray();
    expect(y[0]).toBeCloseTo(1, 15);
    expect(y[1]).toBeCloseTo(0.5, 15);
    expect(y[2]).toBe(0);
    expect(y[3]).toBe(0);
  });

  it("polynomial cutoff is 1 at 0 and smooth at the cutoff", () => {
    const y = polynomialCutoff(distances([0, 0.5, 1.999999, 2.5]), 2, 6).toArray();
    expect(y[0]).toBeCloseTo(1, 15);
    // p = 6, d = 0.25: 1 - 28 d^6 + 48 d^7 - 21 d^8.
    const d = 0.25;
    expect(y[1]).toBeCloseTo(1 - 28 * d ** 6 + 48 * d ** 7 - 21 * d ** 8, 14);
    expect(Math.abs(y[2] as number)).toBeLessThan(1e-15);
    expect(y[3]).toBe(0);
  });

  it("cutoffs match finite differences", () => {
    const r = distances([0.3, 1.1, 1.7]);
    expectPasses(gradcheck((x) => cosineCutoff(x, 2), [r]));
    expectPasses(gradgradcheck((x) => cosineCutoff(x, 2), [r]));
    expectPasses(gradcheck((x) => polynomialCutoff(x, 2, 5), [r]));
    expectPasses(gradgradcheck((x) => polynomialCutoff(x, 2, 5), [r]));
  });
});

describe("radial bases", () => {
  it("Gaussian basis peaks at its centres", () => {
    const basis = new GaussianBasis(engine, { numBasis: 5, stop: 4 });
    expect(basis.centers).toEqual([0, 1, 2, 3, 4]);
    const y = basis.forward(distances([2])).toArray();
    expect(y[2]).toBeCloseTo(1, 15);
    expect(y[1]).toBeCloseTo(Math.exp(-0.5), 15);
    expect(basis.forward(distances([1, 2])).shape).toEqual([2, 5]);
  });

  it("Bessel basis has known values", () => {
    const basis = new BesselBasis(engine, { numBasis: 3, cutoff: 5, envelopeDegree: 6 });
    const r = 1.3;
    const y = basis.forward(distances([r])).toArray();
    const d = r / 5;
    const envelope = 1 - 28 * d ** 6 + 48 * d ** 7 - 21 * d ** 8;
    for (let n = 1; n <= 3; n++) {
      const expected = Math.sqrt(2 / 5) * (Math.sin((n * Math.PI * r) / 5) / r) * envelope;
      expect(y[n - 1]).toBeCloseTo(expected, 14);
    }
    expect(basis.numParameters()).toBe(0);
  });

  it("bases match finite differences", () => {
    const r = distances([0.4, 1.3, 2.9]);
    const gauss = new GaussianBasis(engine, { numBasis: 4, stop: 3 });
    expectPasses(gradcheck((x) => gauss.forward(x), [r]));
    expectPasses(gradgradcheck((x) => gauss.forward(x), [r]));
    const bessel = new BesselBasis(engine, { numBasis: 4, cutoff: 3.5, trainable: true });
    expect([...bessel.parameters().keys()]).toEqual(["frequencies"]);
    const { fn, parameters } = moduleFunction(bessel, (x) => bessel.forward(x));
    expectPasses(gradcheck(fn, [...parameters, r]));
    expectPasses(gradgradcheck(fn, [...parameters, r]));
  });
});

describe("normActivation", () => {
  it("scales each channel by f of its norm", () => {
    // One batch row, l = 1 (3 components), 2 channels.
    const part = tensor(
      engine,
      [
        [
          [3, 0],
          [4, 1],
          [0, 0],
        ],
      ],
      undefined,
      "float64",
    );
    const [out] = normActivation([part], (n) => div(1, n));
    const v = (out as Tensor).toArray();
    expect(v[0]).toBeCloseTo(3 / 5, 12);
    expect(v[2]).toBeCloseTo(4 / 5, 12);
    expect(v[3]).toBeCloseTo(1, 11);
    expect(partNorm(part).toArray()[0]).toBeCloseTo(5, 12);
  });

  it("rejects parts that are not rank 3", () => {
    expect(() => normActivation([distances([1, 2])], (n) => n)).toThrow(/\[batch, 2l\+1, tau\]/);
  });

  it("is covariant under rotation", () => {
    // A rotation about z acts on an l = 1 part in the real basis (y, z, x) as a rotation of
    // components 0 and 2.
    const part = randomNormal(engine, [2, 3, 4], { seed: 9, dtype: "float64" });
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    const rotation = tensor(
      engine,
      [
        [c, 0, s],
        [0, 1, 0],
        [-s, 0, c],
      ],
      undefined,
      "float64",
    );
    const rotate = (x: Tensor) => matmul(rotation, x);
    const f = (n: Tensor) => silu(add(n, -0.5));
    const left = normActivation([rotate(part)], f)[0] as Tensor;
    const right = rotate(normActivation([part], f)[0] as Tensor);
    const a = left.toArray();
    const b = right.toArray();
    for (let i = 0; i < a.length; i++)
      expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-12);
  });

  it("matches finite differences", () => {
    const parts = [
      randomNormal(engine, [2, 1, 3], { seed: 10, dtype: "float64" }),
      randomNormal(engine, [2, 3, 2], { seed: 11, dtype: "float64" }),
    ];
    const f = (a: Tensor, b: Tensor) => {
      const [x, y] = normActivation([a, b], (n) => sigmoid(n)) as [Tensor, Tensor];
      return concat([reshape(x, [x.size]), reshape(y, [y.size])]);
    };
    expectPasses(gradcheck(f, parts));
    expectPasses(gradgradcheck(f, parts));
  });
});
