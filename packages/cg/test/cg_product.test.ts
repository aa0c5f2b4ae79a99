import { type Engine, mul, sum, type Tensor, valueAndGrads } from "@covnet/core";
import { beforeAll, describe, expect, it } from "vitest";
import { cgProduct } from "../src/cg_product.js";
import { type CGPlan, type CGProductMode, compileCGPlan } from "../src/plan.js";
import { expectEquivariant } from "../src/testing.js";
import { cpuEngine, finiteDifferenceGradient, randomTensor, relativeError } from "./helpers.js";

let engine: Engine;

beforeAll(async () => {
  engine = await cpuEngine();
});

interface Case {
  readonly mode: CGProductMode;
  readonly irreps1: string;
  readonly irreps2: string;
  readonly outputIrreps?: string;
}

const CASES: readonly Case[] = [
  { mode: "full", irreps1: "3x0e + 2x1o + 2x2e", irreps2: "2x0e + 1x1o + 2x2o" },
  { mode: "channelwise", irreps1: "2x0e + 2x1o + 2x2e", irreps2: "2x0o + 2x1e + 2x2o" },
  {
    mode: "weighted",
    irreps1: "3x0e + 2x1o + 2x2e",
    irreps2: "2x0e + 1x1o + 2x2o",
    outputIrreps: "2x0e + 3x1o + 2x1e + 2x2e + 1x3o",
  },
  { mode: "uvu", irreps1: "3x0e + 2x1o + 2x2e", irreps2: "2x0e + 1x1o + 1x2e" },
];

function planFor(c: Case): CGPlan {
  return compileCGPlan(c.irreps1, c.irreps2, {
    mode: c.mode,
    ...(c.outputIrreps === undefined ? {} : { outputIrreps: c.outputIrreps }),
  });
}

function weightsFor(
  plan: CGPlan,
  batch: number,
  perItem: boolean,
  seed: number,
): Tensor | undefined {
  if (plan.weightDim === 0) return undefined;
  return randomTensor(engine, perItem ? [batch, plan.weightDim] : [plan.weightDim], seed);
}

describe("compileCGPlan", () => {
  it("caches plans by signature", () => {
    const a = compileCGPlan("2x0e + 1x1o", "1x1o", { mode: "full" });
    const b = compileCGPlan("2x0e+1x1o", "1x1o", { mode: "full" });
    expect(a).toBe(b);
  });

  it("selects parity and lmax", () => {
    const plan = compileCGPlan("1x1o + 1x2e", "1x1o", { lmax: 2 });
    expect(plan.irrepsOut.toString()).toBe("1x0e + 1x1e + 1x1o + 1x2e + 1x2o");
    const so3 = compileCGPlan("2x1", "1x1", { mode: "full" });
    expect(so3.irrepsOut.toString()).toBe("2x0 + 2x1 + 2x2");
  });

  it("keeps only selected output irreps", () => {
    const plan = compileCGPlan("2x1o", "1x1o", { outputIrreps: "0e + 2e" });
    expect(plan.irrepsOut.toString()).toBe("2x0e + 2x2e");
  });

  it("rejects mismatched channelwise channels and missing outputs", () => {
    expect(() => compileCGPlan("2x1o", "3x1o", { mode: "channelwise" })).toThrow(
      /2x1o of 2x1o meets 3x1o/,
    );
    expect(() => compileCGPlan("2x1o", "3x1o", { mode: "weighted" })).toThrow(/needs outputIrreps/);
    expect(() => compileCGPlan("1x1o", "1x1o", { mode: "weighted", outputIrreps: "3x3o" })).toThrow(
      /no coupling path/,
    );
  });
});

describe("cgProduct equivariance", () => {
  for (const c of CASES) {
    for (const dtype of ["float64", "float32"] as const) {
      for (const perItem of c.mode === "weighted" || c.mode === "uvu" ? [false, true] : [false]) {
        it(`${c.mode} ${dtype}${perItem ? " per-item weights" : ""}`, () => {
          const plan = planFor(c);
          const samples = 3;
          const w64 = weightsFor(plan, samples, perItem, 7);
          const w =
            w64 === undefined ? undefined : engine.makeTensor(w64.dataSync(), w64.shape, dtype);
          const report = expectEquivariant((a, b) => cgProduct(a!, b!, plan, w), {
            engine,
            inputIrreps: [c.irreps1, c.irreps2],
            outputIrreps: plan.irrepsOut,
            samples,
            dtype,
          });
          expect(report.worst).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
          expect(report.elements).toBeGreaterThan(20);
        });
      }
    }
  }

  it("detects a broken product", () => {
    const plan = compileCGPlan("1x1o", "1x1o");
    expect(() =>
      expectEquivariant((a, b) => mul(cgProduct(a!, b!, plan), cgProduct(a!, b!, plan)), {
        engine,
        inputIrreps: ["1x1o", "1x1o"],
        outputIrreps: plan.irrepsOut,
      }),
    ).toThrow(/not equivariant/);
  });
});

describe("cgProduct values", () => {
  it("couples two vectors into dot, cross and traceless products", () => {
    const plan = compileCGPlan("1x1o", "1x1o");
    // Vectors in the real basis (y, z, x).
    const a = [0.3, -1.2, 0.5];
    const b = [0.7, 0.4, -0.9];
    const out = cgProduct(
      engine.makeTensor(a, [1, 3], "float64"),
      engine.makeTensor(b, [1, 3], "float64"),
      plan,
    ).dataSync();
    const dot = a.reduce((s, v, i) => s + v * (b[i] as number), 0);
    expect(Math.abs((out[0] as number) - dot / Math.sqrt(3))).toBeLessThan(1e-15);
    let norm1 = 0;
    for (let i = 1; i < 4; i++) norm1 += (out[i] as number) ** 2;
    const [ay, az, ax] = a as [number, number, number];
    const [by, bz, bx] = b as [number, number, number];
    const cross = [az * bx - ax * bz, ax * by - ay * bx, ay * bz - az * by];
    const crossNorm2 = cross.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(norm1 - crossNorm2 / 2)).toBeLessThan(1e-14);
  });

  it("has roughly unit output variance for unit-variance inputs", () => {
    const batch = 400;
    for (const c of CASES) {
      const plan = planFor(c);
      const x1 = randomTensor(engine, [batch, plan.dim1], 1);
      const x2 = randomTensor(engine, [batch, plan.dim2], 2);
      const w = weightsFor(plan, batch, false, 3);
      const out = cgProduct(x1, x2, plan, w).dataSync();
      let s = 0;
      for (const v of out) s += v * v;
      const variance = s / out.length;
      expect(variance, c.mode).toBeGreaterThan(0.6);
      expect(variance, c.mode).toBeLessThan(1.6);
    }
  });

  it("rejects mismatched shapes and weights", () => {
    const plan = compileCGPlan("2x0e + 1x1o", "1x1o", { mode: "uvu" });
    const x1 = randomTensor(engine, [2, plan.dim1], 1);
    const x2 = randomTensor(engine, [2, plan.dim2], 2);
    expect(() => cgProduct(x1, x2, plan)).toThrow(/needs weights/);
    expect(() => cgProduct(x2, x1, plan, randomTensor(engine, [plan.weightDim], 3))).toThrow(
      /x1 must have shape/,
    );
    expect(() => cgProduct(x1, x2, plan, randomTensor(engine, [3], 3))).toThrow(
      /weights must have shape/,
    );
  });
});

describe("cgProduct gradients", () => {
  for (const c of CASES) {
    for (const perItem of c.mode === "weighted" || c.mode === "uvu" ? [false, true] : [false]) {
      it(`first and second order, ${c.mode}${perItem ? " per-item weights" : ""}`, () => {
        const plan = planFor(c);
        const batch = 2;
        const x1 = randomTensor(engine, [batch, plan.dim1], 11);
        const x2 = randomTensor(engine, [batch, plan.dim2], 12);
        const w = weightsFor(plan, batch, perItem, 13);
        const r = randomTensor(engine, [batch, plan.dimOut], 14);
        const operands = w === undefined ? [x1, x2] : [x1, x2, w];
        const f = (ops: Tensor[]) => sum(mul(cgProduct(ops[0]!, ops[1]!, plan, ops[2]), r));
        const { grads } = valueAndGrads(() => f(operands), operands);
        operands.forEach((op, k) => {
          const fd = finiteDifferenceGradient((t) => {
            const copy = [...operands];
            copy[k] = t;
            return f(copy).item();
          }, op);
          expect(relativeError(grads[k]!.dataSync(), fd), `operand ${k}`).toBeLessThan(1e-8);
        });
        // Second order: g(ops) = <d f / d x1, v>, differentiated with respect to every operand.
        const v = randomTensor(engine, [batch, plan.dim1], 15);
        const g = (ops: Tensor[]) => {
          const inner = valueAndGrads(() => f(ops), [ops[0]!]);
          return sum(mul(inner.grads[0]!, v));
        };
        const second = valueAndGrads(() => g(operands), operands);
        operands.forEach((op, k) => {
          if (k === 0) return;
          const fd = finiteDifferenceGradient((t) => {
            const copy = [...operands];
            copy[k] = t;
            return g(copy).item();
          }, op);
          expect(
            relativeError(second.grads[k]!.dataSync(), fd),
            `second order, operand ${k}`,
          ).toBeLessThan(1e-8);
        });
        // x1 enters g linearly through f's bilinearity only via other operands: d g / d x1 = 0.
        const zero = second.grads[0]!.dataSync();
        expect(Math.max(...Array.from(zero, Math.abs))).toBe(0);
      });
    }
  }
});
