import { grad, matmul, mul, sin, square, sum, tensor, valueAndGrads } from "@covnet/core";
import { describe, expect, it } from "vitest";
import { cpuEngine } from "./helpers.js";

describe("smoke", () => {
  it("first and second derivatives", async () => {
    const engine = await cpuEngine();
    const x = tensor(engine, [1, 2, 3]);
    const f = (t: typeof x) => sum(mul(t, mul(t, t)));
    const d1 = grad(f);
    expect(d1(x)[0]!.toArray()).toEqual([3, 12, 27]);
    const d2 = grad((t) => sum(d1(t)[0]!));
    expect(d2(x)[0]!.toArray()).toEqual([6, 12, 18]);
    const d3 = grad((t) => sum(d2(t)[0]!));
    expect(d3(x)[0]!.toArray()).toEqual([6, 6, 6]);
  });
  it("matmul gradient", async () => {
    const engine = await cpuEngine();
    const a = tensor(engine, [
      [1, 2],
      [3, 4],
    ]);
    const b = tensor(engine, [
      [5, 6],
      [7, 8],
    ]);
    const { value, grads } = valueAndGrads(() => sum(square(sin(matmul(a, b)))), [a, b]);
    expect(value.item()).toBeTypeOf("number");
    expect(grads[0]!.shape).toEqual([2, 2]);
    expect(engine.memory().numTensors).toBeLessThan(10);
  });
});
