import { type Engine, mul, sum, valueAndGrads } from "@covnet/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  concatIrreps,
  IrrepsTensor,
  irrepsLinear,
  irrepsLinearLayout,
} from "../src/irreps_tensor.js";
import { expectEquivariant } from "../src/testing.js";
import { cpuEngine, finiteDifferenceGradient, randomTensor, relativeError } from "./helpers.js";

let engine: Engine;

beforeAll(async () => {
  engine = await cpuEngine();
});

describe("IrrepsTensor", () => {
  it("rejects arithmetic between mismatched irreps, printing both", () => {
    const a = new IrrepsTensor(randomTensor(engine, [2, 40], 1), "16x0e + 8x1o");
    const b = new IrrepsTensor(randomTensor(engine, [2, 40], 2), "16x0e + 8x1e");
    expect(() => a.add(b)).toThrow(
      "irreps mismatch in add: left is 16x0e + 8x1o, right is 16x0e + 8x1e",
    );
    expect(() => a.sub(b)).toThrow(/irreps mismatch in sub/);
    expect(a.add(a).tensor.shape).toEqual([2, 40]);
  });

  it("rejects a tensor of the wrong width", () => {
    expect(() => new IrrepsTensor(randomTensor(engine, [2, 5], 1), "1x1o")).toThrow(/\[batch, 3\]/);
  });

  it("computes squared norms and norms per channel", () => {
    const x = new IrrepsTensor(
      engine.makeTensor([1, 2, 3, 4, 5, 6, 7], [1, 7], "float64"),
      "1x0e + 2x1o",
    );
    expect(x.squaredNorms().irreps.toString()).toBe("1x0e + 2x0e");
    // Part 1x0e: [1]; part 2x1o laid out [3, 2]: channel 0 = (2, 4, 6), channel 1 = (3, 5, 7).
    expect(x.squaredNorms().tensor.toArray()).toEqual([1, 4 + 16 + 36, 9 + 25 + 49]);
    expect(x.norms().tensor.toArray()[1]).toBeCloseTo(Math.sqrt(56), 14);
    expect(x.part(1).shape).toEqual([1, 3, 2]);
  });

  it("concatenates irreps in order", () => {
    const a = new IrrepsTensor(randomTensor(engine, [3, 4], 1), "1x0e + 1x1o");
    const b = new IrrepsTensor(randomTensor(engine, [3, 5], 2), "1x2e");
    const c = concatIrreps([a, b]);
    expect(c.irreps.toString()).toBe("1x0e + 1x1o + 1x2e");
    expect(c.tensor.shape).toEqual([3, 9]);
  });

  it("norms are invariant", () => {
    expectEquivariant((x) => new IrrepsTensor(x!, "2x0e + 3x1o + 1x2e").norms().tensor, {
      engine,
      inputIrreps: "2x0e + 3x1o + 1x2e",
      outputIrreps: "2x0e + 3x0e + 1x0e",
    });
  });
});

describe("irrepsLinear", () => {
  const input = "2x0e + 3x1o + 1x1o + 2x2e + 1x3o";
  const output = "3x0e + 2x1o + 1x1e + 2x2e";

  it("lays out one block per reachable output part", () => {
    const layout = irrepsLinearLayout(input, output);
    expect(layout.blocks.map((b) => [b.irrep, b.tauIn, b.tauOut])).toEqual([
      ["0e", 2, 3],
      ["1o", 4, 2],
      ["2e", 2, 2],
    ]);
    expect(layout.weightCount).toBe(6 + 8 + 4);
  });

  for (const dtype of ["float64", "float32"] as const) {
    it(`is equivariant in ${dtype}`, () => {
      const { weightCount } = irrepsLinearLayout(input, output);
      const w = randomTensor(engine, [weightCount], 5, dtype);
      expectEquivariant((x) => irrepsLinear(new IrrepsTensor(x!, input), output, w).tensor, {
        engine,
        inputIrreps: input,
        outputIrreps: output,
        dtype,
      });
    });
  }

  it("has gradients that match finite differences", () => {
    const { weightCount } = irrepsLinearLayout(input, output);
    const w = randomTensor(engine, [weightCount], 5);
    const dimIn = new IrrepsTensor(randomTensor(engine, [1, 2 + 9 + 3 + 10 + 7], 1), input).irreps
      .dim;
    const xin = randomTensor(engine, [2, dimIn], 7);
    const r = randomTensor(engine, [2, 3 + 6 + 3 + 10], 8);
    const f = (a: typeof xin, b: typeof w) =>
      sum(mul(irrepsLinear(new IrrepsTensor(a, input), output, b).tensor, r));
    const { grads } = valueAndGrads(() => f(xin, w), [xin, w]);
    expect(
      relativeError(
        grads[0]!.dataSync(),
        finiteDifferenceGradient((t) => f(t, w).item(), xin),
      ),
    ).toBeLessThan(1e-8);
    expect(
      relativeError(
        grads[1]!.dataSync(),
        finiteDifferenceGradient((t) => f(xin, t).item(), w),
      ),
    ).toBeLessThan(1e-8);
  });
});
