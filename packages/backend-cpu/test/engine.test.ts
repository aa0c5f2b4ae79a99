import {
  add,
  backendModule,
  createContainer,
  type Engine,
  exp,
  initEngine,
  matmul,
  mul,
  Random,
  randomNormal,
  randomUniform,
  sin,
  square,
  sum,
  type Tensor,
  tanh,
  tensor,
  valueAndGrads,
} from "@covnet/core";
import { expectClose, expectNoLeaks } from "@covnet/core/testing";
import { describe, expect, it } from "vitest";
import { CPU_KERNELS, CpuBackend, cpuBackendModule } from "../src/index.js";
import { cpuEngine, randomTensor } from "./helpers.js";

describe("container isolation", () => {
  it("two containers with different backends in one process", async () => {
    const c1 = createContainer({ logLevel: "silent" });
    c1.load(cpuBackendModule());
    const c2 = createContainer({ logLevel: "silent" });
    // A second backend: the CPU backend under another name, with its own kernel list.
    const kernels = CPU_KERNELS.filter((k) => k.kernelName !== "BatchMatMul").map((k) => ({
      ...k,
      backendName: "cpu-lite",
    }));
    c2.load(
      backendModule({
        name: "cpu-lite",
        priority: 50,
        kernels,
        create: () => Promise.resolve(new CpuBackend("cpu-lite")),
      }),
    );
    const e1 = await initEngine(c1);
    const e2 = await initEngine(c2);
    expect(e1.backendName).toBe("cpu");
    expect(e2.backendName).toBe("cpu-lite");
    const a1 = tensor(
      e1,
      [
        [1, 2],
        [3, 4],
      ],
      undefined,
      "float64",
    );
    const a2 = tensor(
      e2,
      [
        [1, 2],
        [3, 4],
      ],
      undefined,
      "float64",
    );
    expect(matmul(a1, a1).toArray()).toEqual([7, 10, 15, 22]);
    expect(() => matmul(a2, a2)).toThrow(
      'kernel "BatchMatMul" is not registered for backend "cpu-lite"',
    );
    expect(add(a2, a2).toArray()).toEqual([2, 4, 6, 8]);
    expect(e1.kernels.has("cpu-lite", "Unary")).toBe(false);
    expect(e2.kernels.has("cpu", "Unary")).toBe(false);
    expect(() => add(a1, a2)).toThrow("belong to different engines");
    // Memory is counted per backend.
    expect(e1.memory().numTensors).not.toBe(0);
    const before = e1.memory();
    tensor(e2, [1, 2, 3]);
    expect(e1.memory()).toEqual(before);
  });

  it("both backends in one container, chosen by priority or by name", async () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(cpuBackendModule());
    container.load(
      backendModule({
        name: "cpu-high",
        priority: 500,
        kernels: CPU_KERNELS.map((k) => ({ ...k, backendName: "cpu-high" })),
        create: () => Promise.resolve(new CpuBackend("cpu-high")),
      }),
    );
    expect((await initEngine(container)).backendName).toBe("cpu-high");
    expect((await initEngine(container, { backend: "cpu" })).backendName).toBe("cpu");
  });

  it("registering the CPU backend twice fails", () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(cpuBackendModule());
    expect(() => container.load(cpuBackendModule())).toThrow(
      'backend "cpu" is already registered in this container',
    );
  });
});

describe("scopes and memory", () => {
  it("scope releases intermediates and keeps the result", async () => {
    const engine = await cpuEngine();
    const x = tensor(engine, [1, 2, 3]);
    const before = engine.memory();
    let intermediate: Tensor | undefined;
    const y = engine.scope(() => {
      intermediate = square(x);
      return sum(sin(intermediate));
    });
    expect(intermediate?.isDisposed).toBe(true);
    expect(y.isDisposed).toBe(false);
    expect(x.isDisposed).toBe(false);
    expect(engine.memory().numTensors).toBe(before.numTensors + 1);
    expectClose(y, [Math.sin(1) + Math.sin(4) + Math.sin(9)]);
  });

  it("scope keeps tensors inside returned objects and kept tensors", async () => {
    const engine = await cpuEngine();
    const x = tensor(engine, [1, 2]);
    let kept: Tensor | undefined;
    const out = engine.scope(() => {
      kept = engine.keep(exp(x));
      return { a: [square(x)], b: 3 };
    });
    expect(out.a[0]?.isDisposed).toBe(false);
    expect(kept?.isDisposed).toBe(false);
  });

  it("valueAndGrads leaves only its value and gradients", async () => {
    const engine = await cpuEngine();
    const w = randomTensor(engine, [8, 8], 1);
    const x = randomTensor(engine, [4, 8], 2);
    const loss = () => sum(square(tanh(matmul(x, w))));
    expectNoLeaks(engine, () => valueAndGrads(loss, [w, x]));
  });

  it("memory stays flat across repeated gradient calls", async () => {
    const engine = await cpuEngine();
    const w = randomTensor(engine, [6, 6], 3);
    const x = randomTensor(engine, [5, 6], 4);
    const step = () => {
      const { value, grads } = valueAndGrads(() => sum(square(tanh(matmul(x, w)))), [w]);
      value.dispose();
      for (const g of grads) g.dispose();
    };
    step();
    const baseline = engine.memory();
    for (let i = 0; i < 20; i++) step();
    expect(engine.memory()).toEqual(baseline);
  });

  it("second-order gradients release their intermediates", async () => {
    const engine = await cpuEngine();
    const x = randomTensor(engine, [5], 5);
    const hessianDiagonal = () =>
      valueAndGrads(
        () => sum(valueAndGrads(() => sum(mul(square(x), sin(x))), [x]).grads[0] as Tensor),
        [x],
      );
    expectNoLeaks(engine, hessianDiagonal);
    const { grads } = hessianDiagonal();
    const xs = Array.from(x.dataSync());
    // d2/dx2 of x^2 sin x = 2 sin x + 4 x cos x - x^2 sin x
    expectClose(
      grads[0] as Tensor,
      xs.map((v) => 2 * Math.sin(v) + 4 * v * Math.cos(v) - v * v * Math.sin(v)),
    );
  });

  it("disposing releases backend bytes", async () => {
    const engine = await cpuEngine();
    const before = engine.memory().numBytes;
    const t = tensor(engine, new Float64Array(100));
    expect(engine.memory().numBytes).toBe(before + 800);
    t.dispose();
    expect(engine.memory().numBytes).toBe(before);
  });
});

describe("seeded random tensors", () => {
  it("same seed gives the same tensor", async () => {
    const engine: Engine = await cpuEngine();
    const a = randomNormal(engine, [3, 4], { seed: 42 });
    const b = randomNormal(engine, [3, 4], { seed: 42 });
    const c = randomNormal(engine, [3, 4], { seed: 43 });
    expect(a.toArray()).toEqual(b.toArray());
    expect(a.toArray()).not.toEqual(c.toArray());
  });

  it("a generator's state round trip reproduces the next draws", async () => {
    const engine = await cpuEngine();
    const rng = new Random(1);
    randomUniform(engine, [10], { seed: rng });
    const state = JSON.parse(JSON.stringify(rng.state()));
    const next = randomNormal(engine, [7], { seed: rng, mean: 1, std: 2 });
    const again = randomNormal(engine, [7], { seed: Random.fromState(state), mean: 1, std: 2 });
    expect(again.toArray()).toEqual(next.toArray());
  });

  it("uniform respects its bounds and dtype", async () => {
    const engine = await cpuEngine();
    const u = randomUniform(engine, [1000], { seed: 3, low: -2, high: 5, dtype: "float32" });
    expect(u.dtype).toBe("float32");
    const v = u.toArray();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...v)).toBeLessThan(5);
  });
});
