import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Engine } from "@covnet/core";
import { loadDataset, splitDataset } from "@covnet/datasets";
import { describe, expect, it } from "vitest";
import { evaluateCormorant, trainCormorant } from "../src/index.js";
import { asyncReadEngine, cpuEngine } from "./helpers.js";

// Training and evaluation on a backend without synchronous reads (as on WebGPU) must give
// exactly what the CPU backend gives, because both run the same kernels.

const tinyConfig = {
  maxl: 1,
  levels: 1,
  channels: 3,
  numRadial: 3,
  radialHidden: 4,
  readoutHidden: [4],
};

describe("Cormorant without synchronous reads", () => {
  it("trains and evaluates like the CPU", async () => {
    const ds = await loadDataset("rmd17/ethanol");
    const split = splitDataset(ds, { train: 8, valid: 4, test: 4, seed: 1 });
    const run = async (engine: Engine) => {
      const outDir = mkdtempSync(join(tmpdir(), "covnet-cormorant-async-"));
      const result = await trainCormorant({
        engine,
        dataset: ds,
        trainIndices: split.train,
        validIndices: split.valid,
        config: tinyConfig,
        dtype: "float64",
        epochs: 2,
        batchSize: 4,
        lr: 1e-2,
        forceWeight: 1,
        seed: 1,
        outDir,
        emaDecay: 0.9,
        progress: "none",
      });
      const metrics = await evaluateCormorant(result.model, ds, split.test, { batchSize: 3 });
      const model = JSON.parse(readFileSync(join(outDir, "model.json"), "utf8")) as {
        state: unknown;
      };
      return { fit: result.fit, metrics, state: model.state };
    };
    const expected = await run(await cpuEngine("float64"));
    const actual = await run(await asyncReadEngine("float64"));
    expect(actual.fit).toEqual(expected.fit);
    expect(actual.metrics).toEqual(expected.metrics);
    expect(actual.state).toEqual(expected.state);
    expect(actual.metrics.count).toBe(4);
    expect(Number.isFinite(actual.metrics.forces?.mae)).toBe(true);
  });
});
