import { add, type Engine, matmul, ones, Random, type Tensor, tensor, zeros } from "@covnet/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  computeFans,
  kaimingNormal,
  kaimingUniform,
  Module,
  ModuleList,
  normalInit,
  orthogonalInit,
  Parameter,
  StateDictError,
  uniformInit,
  xavierNormal,
  xavierUniform,
} from "../src/index.js";
import { cpuEngine } from "./helpers.js";

class Affine extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;
  constructor(engine: Engine, n: number, m: number) {
    super();
    this.weight = this.registerParameter("weight", ones(engine, [n, m], "float64"));
    this.bias = this.registerParameter("bias", zeros(engine, [m], "float64"));
  }
  forward(x: Tensor): Tensor {
    return add(matmul(x, this.weight.value), this.bias.value);
  }
}

class Net extends Module {
  readonly layers: ModuleList<Affine>;
  readonly scale: Parameter;
  constructor(engine: Engine) {
    super();
    this.scale = this.registerParameter("scale", ones(engine, [1], "float64"), {
      trainable: false,
    });
    this.layers = this.registerModule(
      "layers",
      new ModuleList([new Affine(engine, 2, 3), new Affine(engine, 3, 1)]),
    );
  }
}

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine();
});

describe("Module", () => {
  it("names parameters with dotted paths in order", () => {
    const net = new Net(engine);
    expect([...net.parameters().keys()]).toEqual([
      "scale",
      "layers.0.weight",
      "layers.0.bias",
      "layers.1.weight",
      "layers.1.bias",
    ]);
    expect([...net.trainableParameters().keys()]).not.toContain("scale");
    net.dispose();
  });

  it("counts parameters", () => {
    const net = new Net(engine);
    expect(net.numParameters()).toBe(2 * 3 + 3 + 3 + 1);
    expect(net.numParameters({ includeFrozen: true })).toBe(2 * 3 + 3 + 3 + 1 + 1);
    net.dispose();
  });

  it("propagates train and eval modes", () => {
    const net = new Net(engine);
    net.eval();
    expect(net.layers.at(1).training).toBe(false);
    net.train();
    expect(net.layers.at(0).training).toBe(true);
    net.dispose();
  });

  it("rejects duplicate and dotted names", () => {
    class Bad extends Module {
      constructor(name: string, twice: boolean) {
        super();
        this.registerParameter(name, zeros(engine, [1], "float64"));
        if (twice) this.registerParameter(name, zeros(engine, [1], "float64"));
      }
    }
    expect(() => new Bad("a.b", false)).toThrow(/invalid parameter or module name "a.b"/);
    expect(() => new Bad("w", true)).toThrow(/already registered/);
  });

  it("round-trips the state dict through JSON", () => {
    const a = new Net(engine);
    a.layers.at(0).weight.assign(
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
    const json = JSON.stringify(a.stateDict());
    const b = new Net(engine);
    b.loadStateDict(JSON.parse(json));
    expect(b.layers.at(0).weight.value.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.stateDict()).toEqual(a.stateDict());
    a.dispose();
    b.dispose();
  });

  it("rejects missing, mis-shaped and unexpected entries", () => {
    const net = new Net(engine);
    const state = { ...net.stateDict() };
    const { scale: _dropped, ...missing } = state;
    expect(() => net.loadStateDict(missing)).toThrow(StateDictError);
    expect(() => net.loadStateDict(missing)).toThrow(/missing entry "scale"/);
    const misShaped = {
      ...state,
      "layers.0.bias": { shape: [4], dtype: "float64" as const, data: [0, 0, 0, 0] },
    };
    expect(() => net.loadStateDict(misShaped)).toThrow(
      /"layers.0.bias" has shape \[4\], the parameter has \[3\]/,
    );
    const extra = { ...state, other: { shape: [1], dtype: "float64" as const, data: [0] } };
    expect(() => net.loadStateDict(extra)).toThrow(/unexpected entry "other"/);
    expect(() => net.loadStateDict(extra, { strict: false })).not.toThrow();
    net.dispose();
  });

  it("converts dtype in place", () => {
    const net = new Net(engine);
    net.toDtype("float32");
    for (const p of net.parameters().values()) expect(p.dtype).toBe("float32");
    net.toDtype("float64");
    expect(net.layers.at(1).weight.dtype).toBe("float64");
    net.dispose();
  });

  it("disposes the old tensor on assign", () => {
    const before = engine.memory().numTensors;
    const p = new Parameter(zeros(engine, [2], "float64"));
    const old = p.value;
    p.assign(ones(engine, [2], "float64"));
    expect(old.isDisposed).toBe(true);
    expect(() => p.assign(ones(engine, [3], "float64"))).toThrow(
      /shape \[3\], the parameter has \[2\]/,
    );
    p.dispose();
    expect(engine.memory().numTensors).toBeLessThanOrEqual(before + 1);
  });

  it("keeps parameters out of scopes", () => {
    let p: Parameter | undefined;
    engine.scope(() => {
      p = new Parameter(ones(engine, [2], "float64"));
    });
    if (p === undefined) throw new Error("scope did not run");
    expect(p.value.isDisposed).toBe(false);
    p.dispose();
  });
});

describe("initialisers", () => {
  const n = 4000;
  function moments(t: Tensor): { mean: number; variance: number } {
    const v = t.toArray();
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    return { mean, variance };
  }

  it("computes fans for the [..., in, out] layout", () => {
    expect(computeFans([3, 5])).toEqual({ fanIn: 3, fanOut: 5 });
    expect(computeFans([2, 3, 5])).toEqual({ fanIn: 6, fanOut: 10 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
  });

  it.each([
    ["normal", normalInit({ std: 2 }), 4],
    ["uniform", uniformInit({ low: -1, high: 1 }), 1 / 3],
    ["xavierUniform", xavierUniform(), 2 / (40 + 100)],
    ["xavierNormal", xavierNormal(), 2 / (40 + 100)],
    ["kaimingUniform", kaimingUniform(), 2 / 40],
    ["kaimingNormal fanOut", kaimingNormal({ mode: "fanOut" }), 2 / 100],
  ])("%s has the expected variance", (_name, init, expected) => {
    const t = init(engine, [40, 100], new Random(1), "float64");
    const { mean, variance } = moments(t);
    expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(expected / n));
    expect(Math.abs(variance / expected - 1)).toBeLessThan(0.1);
    t.dispose();
  });

  it("is reproducible from the generator state", () => {
    const a = xavierNormal()(engine, [3, 3], new Random(7), "float64");
    const b = xavierNormal()(engine, [3, 3], new Random(7), "float64");
    expect(a.toArray()).toEqual(b.toArray());
  });

  it.each([
    [6, 3],
    [3, 6],
    [4, 4],
  ])("orthogonal %ix%i is semi-orthogonal", (rows, cols) => {
    const w = orthogonalInit({ gain: 2 })(engine, [rows, cols], new Random(3), "float64");
    const v = w.toArray();
    const k = Math.min(rows, cols);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        if (rows >= cols)
          for (let r = 0; r < rows; r++)
            dot += (v[r * cols + i] as number) * (v[r * cols + j] as number);
        else
          for (let c = 0; c < cols; c++)
            dot += (v[i * cols + c] as number) * (v[j * cols + c] as number);
        expect(dot).toBeCloseTo(i === j ? 4 : 0, 12);
      }
    }
    w.dispose();
  });
});
