import {
  type Engine,
  matmul,
  mean,
  randomNormal,
  square,
  sub,
  type Tensor,
  tensor,
  valueAndGrads,
} from "@covnet/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Adam,
  AdamW,
  AMSGrad,
  clipGradNorm,
  clipGradValue,
  ExponentialMovingAverage,
  Module,
  type Optimizer,
  Parameter,
  SGD,
  StateDictError,
} from "../src/index.js";
import { cpuEngine } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine("float64");
});

const vec = (values: number[]): Tensor => tensor(engine, values, undefined, "float64");

function singleParameter(values: number[]): Map<string, Parameter> {
  return new Map([["w", new Parameter(vec(values))]]);
}

function value(opt: Optimizer): number[] {
  return (opt.parameters.get("w") as Parameter).value.toArray();
}

describe("hand-computed steps", () => {
  // Two steps with gradients g1 = [1, -2], g2 = [0.5, 0.5] from w0 = [1, 1].
  const g1 = [1, -2];
  const g2 = [0.5, 0.5];

  it("SGD", () => {
    const opt = new SGD(singleParameter([1, 1]), { lr: 0.1 });
    opt.step([vec(g1)]);
    expect(value(opt)).toEqual([1 - 0.1, 1 + 0.2]);
  });

  it("SGD with momentum", () => {
    const opt = new SGD(singleParameter([1, 1]), { lr: 0.1, momentum: 0.9 });
    opt.step([vec(g1)]);
    opt.step([vec(g2)]);
    // v1 = g1, v2 = 0.9 g1 + g2 = [1.4, -1.3]; w = w0 - 0.1 (v1 + v2).
    const w = value(opt);
    expect(w[0]).toBeCloseTo(1 - 0.1 * (1 + 1.4), 15);
    expect(w[1]).toBeCloseTo(1 - 0.1 * (-2 - 1.3), 15);
  });

  it("SGD with Nesterov momentum", () => {
    const opt = new SGD(singleParameter([1, 1]), { lr: 0.1, momentum: 0.9, nesterov: true });
    opt.step([vec(g1)]);
    opt.step([vec(g2)]);
    // Step 1: g1 + 0.9 v1 = 1.9 g1. Step 2: g2 + 0.9 v2 with v2 = [1.4, -1.3].
    const w = value(opt);
    expect(w[0]).toBeCloseTo(1 - 0.1 * (1.9 + 0.5 + 0.9 * 1.4), 15);
    expect(w[1]).toBeCloseTo(1 - 0.1 * (-3.8 + 0.5 - 0.9 * 1.3), 15);
  });

  function adamReference(options: { amsgrad: boolean; decoupled: number; l2: number }): number[] {
    const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.01];
    let w = [1, 1];
    let m = [0, 0];
    let v = [0, 0];
    let vmax = [0, 0];
    [g1, g2].forEach((gRaw, k) => {
      const t = k + 1;
      w = w.map((x) => x - lr * options.decoupled * x);
      const g = gRaw.map((x, i) => x + options.l2 * (w[i] as number));
      m = m.map((x, i) => b1 * x + (1 - b1) * (g[i] as number));
      v = v.map((x, i) => b2 * x + (1 - b2) * (g[i] as number) ** 2);
      vmax = vmax.map((x, i) => Math.max(x, v[i] as number));
      const second = options.amsgrad ? vmax : v;
      w = w.map(
        (x, i) =>
          x -
          (lr * ((m[i] as number) / (1 - b1 ** t))) /
            (Math.sqrt((second[i] as number) / (1 - b2 ** t)) + eps),
      );
    });
    return w;
  }

  it.each([
    [
      "Adam",
      () => new Adam(singleParameter([1, 1]), { lr: 0.01 }),
      { amsgrad: false, decoupled: 0, l2: 0 },
    ],
    [
      "Adam with L2",
      () => new Adam(singleParameter([1, 1]), { lr: 0.01, weightDecay: 0.1 }),
      { amsgrad: false, decoupled: 0, l2: 0.1 },
    ],
    [
      "AdamW",
      () => new AdamW(singleParameter([1, 1]), { lr: 0.01, weightDecay: 0.1 }),
      { amsgrad: false, decoupled: 0.1, l2: 0 },
    ],
    [
      "AMSGrad",
      () => new AMSGrad(singleParameter([1, 1]), { lr: 0.01 }),
      { amsgrad: true, decoupled: 0, l2: 0 },
    ],
  ] as const)("%s", (_name, make, reference) => {
    const opt = make();
    opt.step([vec(g1)]);
    opt.step([vec(g2)]);
    const expected = adamReference(reference);
    const w = value(opt);
    expect(w[0]).toBeCloseTo(expected[0] as number, 14);
    expect(w[1]).toBeCloseTo(expected[1] as number, 14);
  });

  it("AMSGrad differs from Adam when the second moment shrinks", () => {
    const adam = new Adam(singleParameter([1]), { lr: 0.01 });
    const ams = new AMSGrad(singleParameter([1]), { lr: 0.01 });
    for (const g of [10, 0.1, 0.1]) {
      adam.step([vec([g])]);
      ams.step([vec([g])]);
    }
    expect(value(adam)[0]).not.toBeCloseTo(value(ams)[0] as number, 6);
  });

  it("rejects gradients of the wrong shape", () => {
    const opt = new SGD(singleParameter([1, 1]), { lr: 0.1 });
    expect(() => opt.step([vec([1, 2, 3])])).toThrow(
      /gradient 0 has shape \[3\], parameter "w" has \[2\]/,
    );
    expect(() => opt.step([])).toThrow(/expected 1 gradients, got 0/);
  });
});

class LeastSquares extends Module {
  readonly w: Parameter;
  constructor() {
    super();
    this.w = this.registerParameter("w", tensor(engine, [[0], [0], [0]], undefined, "float64"));
  }
}

describe("convergence on least squares", () => {
  // y = X w* with w* = [1, -2, 0.5]; the loss is the mean squared residual.
  const setup = () => {
    const x = randomNormal(engine, [32, 3], { seed: 3, dtype: "float64" });
    const y = matmul(x, tensor(engine, [[1], [-2], [0.5]], undefined, "float64"));
    return { x, y };
  };

  it.each([
    ["SGD", (m: Module) => new SGD(m, { lr: 0.1, momentum: 0.5 }), 300],
    ["Nesterov", (m: Module) => new SGD(m, { lr: 0.1, momentum: 0.5, nesterov: true }), 300],
    ["Adam", (m: Module) => new Adam(m, { lr: 0.05 }), 600],
    ["AdamW", (m: Module) => new AdamW(m, { lr: 0.05, weightDecay: 0 }), 600],
    ["AMSGrad", (m: Module) => new AMSGrad(m, { lr: 0.05 }), 600],
  ] as const)("%s reaches the solution", (_name, make, steps) => {
    const { x, y } = setup();
    const model = new LeastSquares();
    const opt = make(model);
    const step = () =>
      engine.scope(() => {
        const { grads } = valueAndGrads(
          () => mean(square(sub(matmul(x, model.w.value), y))),
          opt.tensors(),
        );
        opt.step(grads);
      });
    // The first step creates the optimizer's slots; later steps must not add tensors.
    step();
    const before = engine.memory().numTensors;
    for (let i = 1; i < steps; i++) step();
    expect(engine.memory().numTensors).toBe(before);
    const w = model.w.value.toArray();
    expect(w[0]).toBeCloseTo(1, 4);
    expect(w[1]).toBeCloseTo(-2, 4);
    expect(w[2]).toBeCloseTo(0.5, 4);
  });
});

describe("optimizer state", () => {
  it("round-trips and continues identically", () => {
    const a = new Adam(singleParameter([1, 2]), { lr: 0.01, amsgrad: true });
    a.step([vec([0.3, -0.1])]);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const b = new Adam(singleParameter(value(a)), { lr: 0.5, amsgrad: true });
    b.loadState(saved);
    expect(b.stepCount).toBe(1);
    expect(b.lr).toBe(0.01);
    a.step([vec([0.2, 0.4])]);
    b.step([vec([0.2, 0.4])]);
    expect(value(b)).toEqual(value(a));
  });

  it("rejects another kind or mismatched slots", () => {
    const a = new SGD(singleParameter([1, 2]), { lr: 0.1, momentum: 0.9 });
    a.step([vec([1, 1])]);
    const state = a.state();
    expect(() => new Adam(singleParameter([1, 2]), { lr: 0.1 }).loadState(state)).toThrow(
      /optimizer state is for SGD, this optimizer is Adam/,
    );
    const other = new SGD(singleParameter([1, 2, 3]), { lr: 0.1, momentum: 0.9 });
    expect(() => other.loadState(state)).toThrow(StateDictError);
    expect(() => other.loadState(state)).toThrow(
      /slot "velocity" of "w" has shape \[2\], expected \[3\]/,
    );
  });
});

describe("gradient clipping", () => {
  it("scales to the maximum global norm", () => {
    const { grads, norm } = clipGradNorm([vec([3, 0]), vec([4])], 1);
    expect(norm.item()).toBeCloseTo(5, 15);
    const a = (grads[0] as Tensor).toArray();
    const b = (grads[1] as Tensor).toArray();
    expect(a[0]).toBeCloseTo(0.6, 6);
    expect(b[0]).toBeCloseTo(0.8, 6);
  });

  it("leaves small gradients alone", () => {
    const { grads } = clipGradNorm([vec([0.3, 0.4])], 1);
    expect((grads[0] as Tensor).toArray()).toEqual([0.3, 0.4]);
  });

  it("clamps by value", () => {
    expect((clipGradValue([vec([-3, 0.5, 2])], 1)[0] as Tensor).toArray()).toEqual([-1, 0.5, 1]);
    expect(() => clipGradValue([], 0)).toThrow(/limit must be positive/);
  });
});

describe("ExponentialMovingAverage", () => {
  it("averages with the given decay", () => {
    const params = singleParameter([0, 0]);
    const w = params.get("w") as Parameter;
    const ema = new ExponentialMovingAverage(params, { decay: 0.5 });
    w.assign(vec([2, 4]));
    ema.update();
    expect(ema.averaged("w").toArray()).toEqual([1, 2]);
    w.assign(vec([4, 4]));
    ema.update();
    expect(ema.averaged("w").toArray()).toEqual([2.5, 3]);
  });

  it("uses the warmup decay", () => {
    const ema = new ExponentialMovingAverage(singleParameter([0]), { decay: 0.999, warmup: true });
    expect(ema.currentDecay()).toBeCloseTo(0.1, 15);
    ema.update();
    expect(ema.currentDecay()).toBeCloseTo(2 / 11, 15);
  });

  it("swaps the averages in and out", () => {
    const params = singleParameter([0]);
    const w = params.get("w") as Parameter;
    const ema = new ExponentialMovingAverage(params, { decay: 0.5 });
    w.assign(vec([2]));
    ema.update();
    const seen = ema.withAverage(() => w.value.toArray());
    expect(seen).toEqual([1]);
    expect(w.value.toArray()).toEqual([2]);
    ema.swapIn();
    expect(() => ema.update()).toThrow(/restore\(\) the training weights first/);
    ema.restore();
  });

  it("round-trips its state", () => {
    const params = singleParameter([0]);
    const ema = new ExponentialMovingAverage(params, { decay: 0.9 });
    (params.get("w") as Parameter).assign(vec([1]));
    ema.update();
    const copy = new ExponentialMovingAverage(singleParameter([5]), { decay: 0.9 });
    copy.loadState(JSON.parse(JSON.stringify(ema.state())));
    expect(copy.numUpdates).toBe(1);
    expect(copy.averaged("w").toArray()).toEqual(ema.averaged("w").toArray());
  });
});
