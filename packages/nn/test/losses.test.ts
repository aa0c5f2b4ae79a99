import { type Engine, type Tensor, tensor } from "@covnet/core";
import { beforeAll, describe, expect, it } from "vitest";
import { huberLoss, maeLoss, mseLoss } from "../src/index.js";
import { gradcheck, gradgradcheck } from "../src/testing/index.js";
import { cpuEngine } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine("float64");
});

const t = (values: number[] | number[][]): Tensor => tensor(engine, values, undefined, "float64");

describe("losses", () => {
  const prediction = () => t([1, 2, 4, -1]);
  const target = () => t([1.5, 2, 1, 1]);

  it("mse has the known value", () => {
    expect(mseLoss(prediction(), target()).item()).toBeCloseTo((0.25 + 0 + 9 + 4) / 4, 15);
  });

  it("mae has the known value", () => {
    expect(maeLoss(prediction(), target()).item()).toBeCloseTo((0.5 + 0 + 3 + 2) / 4, 15);
  });

  it("huber has the known value", () => {
    // delta 1: 0.5 * 0.25, 0, 1 * (3 - 0.5), 1 * (2 - 0.5).
    expect(huberLoss(prediction(), target()).item()).toBeCloseTo((0.125 + 0 + 2.5 + 1.5) / 4, 15);
    // delta 2.5: 0.125, 0, 2.5 * (3 - 1.25), 0.5 * 4.
    expect(huberLoss(prediction(), target(), { delta: 2.5 }).item()).toBeCloseTo(
      (0.125 + 0 + 4.375 + 2) / 4,
      15,
    );
  });

  it("weights give a weighted mean", () => {
    const weights = t([1, 0, 3, 0]);
    expect(mseLoss(prediction(), target(), { weights }).item()).toBeCloseTo((0.25 + 27) / 4, 15);
    const rows = t([[1, 2]]);
    const p = t([
      [1, 2],
      [3, 4],
    ]);
    const q = t([
      [0, 2],
      [3, 2],
    ]);
    // Row weights [1, 2] broadcast over columns: (1 * 1 + 2 * 0 + 1 * 0 + 2 * 4) / 6.
    expect(mseLoss(p, q, { weights: rows }).item()).toBeCloseTo(9 / 6, 15);
  });

  it("rejects mismatched shapes and bad weights", () => {
    expect(() => mseLoss(t([1, 2]), t([1, 2, 3]))).toThrow(
      /prediction has shape \[2\], target has \[3\]/,
    );
    expect(() => maeLoss(t([1, 2]), t([1, 2]), { weights: t([[1], [1], [1]]) })).toThrow(
      /broadcast/,
    );
    expect(() => huberLoss(t([1]), t([1]), { delta: 0 })).toThrow(/delta must be positive/);
  });

  it.each([
    ["mse", mseLoss],
    ["mae", maeLoss],
    ["huber", huberLoss],
  ] as const)("%s matches finite differences", (_name, loss) => {
    const p = t([0.3, -1.2, 2.5, 0.9]);
    const q = t([0.1, 0.4, 0.2, 0.7]);
    const w = t([0.5, 1, 2, 1]);
    const report = gradcheck((a, b, c) => loss(a, b, { weights: c }), [p, q, w]);
    expect(report.ok, report.summary).toBe(true);
    const second = gradgradcheck((a, b) => loss(a, b), [p, q]);
    expect(second.ok, second.summary).toBe(true);
  });
});
