import {
  type CGOperand,
  type CGPathData,
  type CGPlanData,
  type Engine,
  Random,
  type Tensor,
} from "@covnet/core";
import { expectClose } from "@covnet/core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  channelwiseWasmAvailable,
  setChannelwiseWasmEnabled,
} from "../src/kernels/channelwise_wasm.js";
import { cpuEngine, randomTensor } from "./helpers.js";

interface PathSpec {
  readonly l1: number;
  readonly l2: number;
  readonly l: number;
  readonly tau1: number;
  readonly tau2: number;
}

/**
 * Builds a channel-wise plan with random coefficients. Inputs hold one part per path, and paths
 * with the same `l` stack their channels in one output part, as compiled plans do.
 */
function randomChannelwisePlan(specs: readonly PathSpec[], seed: number): CGPlanData {
  const rng = new Random(seed);
  const m1: number[] = [];
  const m2: number[] = [];
  const m: number[] = [];
  const coefficients: number[] = [];
  const outputDegrees = [...new Set(specs.map((s) => s.l))].sort((a, b) => a - b);
  const channelsOut = outputDegrees.map((l) =>
    specs.filter((s) => s.l === l).reduce((n, s) => n + s.tau1, 0),
  );
  const offsetsOut: number[] = [];
  let dimOut = 0;
  outputDegrees.forEach((l, i) => {
    offsetsOut.push(dimOut);
    dimOut += (2 * l + 1) * (channelsOut[i] as number);
  });
  const used = outputDegrees.map(() => 0);
  let dim1 = 0;
  let dim2 = 0;
  const paths: CGPathData[] = specs.map((s, index) => {
    const start = coefficients.length;
    for (let c = 0; c < 2 * s.l + 1; c++) {
      for (let a = 0; a < 2 * s.l1 + 1; a++) {
        for (let b = 0; b < 2 * s.l2 + 1; b++) {
          if (rng.uniform() < 0.6) continue;
          m.push(c);
          m1.push(a);
          m2.push(b);
          coefficients.push(rng.normal());
        }
      }
    }
    const o = outputDegrees.indexOf(s.l);
    const path: CGPathData = {
      l1: s.l1,
      l2: s.l2,
      l: s.l,
      offset1: dim1,
      tau1: s.tau1,
      offset2: dim2,
      tau2: s.tau2,
      offsetOut: offsetsOut[o] as number,
      tauOut: channelsOut[o] as number,
      channelOffsetOut: used[o] as number,
      weightOffset: -1,
      coefficientStart: start,
      coefficientCount: coefficients.length - start,
      pathWeight: 1 + 0.1 * index,
    };
    used[o] = (used[o] as number) + s.tau1;
    dim1 += (2 * s.l1 + 1) * s.tau1;
    dim2 += (2 * s.l2 + 1) * s.tau2;
    return path;
  });
  return {
    key: `random-channelwise-${seed}`,
    mode: "uuu",
    dim1,
    dim2,
    dimOut,
    weightDim: 0,
    paths,
    m1: Int32Array.from(m1),
    m2: Int32Array.from(m2),
    m: Int32Array.from(m),
    coefficients: Float64Array.from(coefficients),
  };
}

/** Computes the `uuu` contraction for `target` coefficient by coefficient. */
function referenceChannelwise(
  plan: CGPlanData,
  target: CGOperand,
  batch: number,
  x1: Float64Array,
  x2: Float64Array,
  out: Float64Array,
): Float64Array {
  const dim = target === "out" ? plan.dimOut : target === "x1" ? plan.dim1 : plan.dim2;
  const result = new Float64Array(batch * dim);
  for (let b = 0; b < batch; b++) {
    for (const p of plan.paths) {
      for (let k = p.coefficientStart; k < p.coefficientStart + p.coefficientCount; k++) {
        const c = (plan.coefficients[k] as number) * p.pathWeight;
        for (let u = 0; u < p.tau1; u++) {
          const i1 = b * plan.dim1 + p.offset1 + (plan.m1[k] as number) * p.tau1 + u;
          const i2 = b * plan.dim2 + p.offset2 + (plan.m2[k] as number) * p.tau2 + u;
          const io =
            b * plan.dimOut +
            p.offsetOut +
            (plan.m[k] as number) * p.tauOut +
            p.channelOffsetOut +
            u;
          const v1 = x1[i1] as number;
          const v2 = x2[i2] as number;
          const vo = out[io] as number;
          if (target === "out") result[io] = (result[io] as number) + c * v1 * v2;
          else if (target === "x1") result[i1] = (result[i1] as number) + c * v2 * vo;
          else result[i2] = (result[i2] as number) + c * v1 * vo;
        }
      }
    }
  }
  return result;
}

function runTarget(
  engine: Engine,
  plan: CGPlanData,
  target: CGOperand,
  batch: number,
  operands: { x1: Tensor; x2: Tensor; out: Tensor },
): Tensor {
  const dtype = operands.x1.dtype;
  const empty = () => engine.makeTensor([], [0], dtype);
  const inputs = [
    target === "x1" ? empty() : operands.x1,
    target === "x2" ? empty() : operands.x2,
    empty(),
    target === "out" ? empty() : operands.out,
  ];
  return engine.runKernel("CGProduct", inputs, { plan, target, batch, perItemWeights: false });
}

const TARGETS: readonly CGOperand[] = ["out", "x1", "x2"];

const CASES: ReadonlyArray<{ name: string; specs: PathSpec[] }> = [
  {
    name: "shared channel count",
    specs: [
      { l1: 0, l2: 0, l: 0, tau1: 3, tau2: 3 },
      { l1: 1, l2: 1, l: 0, tau1: 3, tau2: 3 },
      { l1: 1, l2: 1, l: 2, tau1: 3, tau2: 3 },
      { l1: 2, l2: 1, l: 1, tau1: 3, tau2: 3 },
      { l1: 2, l2: 2, l: 2, tau1: 3, tau2: 3 },
    ],
  },
  {
    name: "vector width channels",
    specs: [
      { l1: 1, l2: 1, l: 1, tau1: 8, tau2: 8 },
      { l1: 2, l2: 1, l: 1, tau1: 8, tau2: 8 },
      { l1: 0, l2: 2, l: 2, tau1: 8, tau2: 8 },
    ],
  },
  {
    name: "mixed channel counts",
    specs: [
      { l1: 0, l2: 1, l: 1, tau1: 2, tau2: 2 },
      { l1: 1, l2: 1, l: 1, tau1: 4, tau2: 4 },
      { l1: 1, l2: 0, l: 1, tau1: 1, tau2: 1 },
    ],
  },
];

describe("CGProduct channel-wise kernel", () => {
  let engine: Engine;
  let engine32: Engine;
  beforeAll(async () => {
    engine = await cpuEngine("float64");
    engine32 = await cpuEngine("float32");
  });

  it("WebAssembly loop available in Node", () => {
    expect(channelwiseWasmAvailable()).toBe(true);
  });

  for (const wasm of [true, false]) {
    const loop = wasm ? "WebAssembly" : "JavaScript";
    for (const { name, specs } of CASES) {
      for (const target of TARGETS) {
        for (const dtype of ["float64", "float32"] as const) {
          it(`${loop}, ${name}, ${target}, ${dtype}`, () => {
            setChannelwiseWasmEnabled(wasm);
            try {
              const e = dtype === "float64" ? engine : engine32;
              const plan = randomChannelwisePlan(specs, 7);
              const batch = 5;
              const x1 = randomTensor(e, [batch, plan.dim1], 1, "normal", dtype);
              const x2 = randomTensor(e, [batch, plan.dim2], 2, "normal", dtype);
              const out = randomTensor(e, [batch, plan.dimOut], 3, "normal", dtype);
              const got = runTarget(e, plan, target, batch, { x1, x2, out });
              const expected = referenceChannelwise(
                plan,
                target,
                batch,
                Float64Array.from(x1.dataSync()),
                Float64Array.from(x2.dataSync()),
                Float64Array.from(out.dataSync()),
              );
              expect(got.dtype).toBe(dtype);
              expect(got.shape[1]).toBe(expected.length / batch);
              const tolerance = dtype === "float64" ? 1e-12 : 1e-5;
              expectClose(got, Array.from(expected), { rtol: tolerance, atol: tolerance });
            } finally {
              setChannelwiseWasmEnabled(true);
            }
          });
        }
      }
    }
  }
});
