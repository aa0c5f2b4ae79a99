import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Engine, Random } from "@covnet/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CCN_MODEL_FORMAT,
  ccnSplit,
  evaluateCcn,
  loadCcn,
  readSavedCcn,
  trainCcn,
} from "../src/index.js";
import { cpuEngine } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine("float64");
});

describe("saved CCN", () => {
  it("model.json holds the returned weights and rebuilds the test split", async () => {
    const dir = mkdtempSync(join(tmpdir(), "covnet-ccn-saved-"));
    const run = await trainCcn({
      engine,
      order: 2,
      dataset: "hcep",
      limit: 40,
      levels: 1,
      channels: 2,
      hidden: 8,
      epochs: 2,
      batchSize: 16,
      lr: 1e-3,
      seed: 5,
      outDir: dir,
    });
    const saved = readSavedCcn(join(dir, "model.json"));
    expect(saved.format).toBe(CCN_MODEL_FORMAT);
    expect(saved.config).toMatchObject({ order: 2, levels: 1, channels: 2, readout: "vertex" });
    expect(saved.split).toEqual({ seed: 5, limit: 40, fractions: [0.8, 0.1, 0.1] });
    expect(saved.dataset).toEqual({ id: "hcep", target: "PCE", unit: "percent" });
    expect(run.bestEpoch === 1 || run.bestEpoch === 2).toBe(true);
    // The best epoch's weights are the ones in best.json and in the returned model.
    const best = JSON.parse(readFileSync(join(dir, "best.json"), "utf8")) as { epoch: number };
    expect(best.epoch).toBe(run.bestEpoch);

    const { dataset, split } = ccnSplit(run.dataset, { seed: 5, fractions: [0.8, 0.1, 0.1] });
    expect(dataset.size).toBe(40);
    expect(Array.from(split.test)).toEqual(Array.from(run.split.test));

    const loaded = loadCcn(engine, saved);
    const options = { dataset: run.dataset, indices: run.split.test, scale: saved.scale };
    const a = await evaluateCcn({ model: run.model, batchSize: 3, ...options });
    const b = await evaluateCcn({ model: loaded, batchSize: 7, ...options });
    expect(b.count).toBe(4);
    expect(Math.abs(a.mae - b.mae)).toBeLessThan(1e-12);
    expect(Math.abs(a.rmse - b.rmse)).toBeLessThan(1e-12);
    // A different model scores differently, so the comparison above can fail.
    const other = loadCcn(engine, {
      ...saved,
      state: Object.fromEntries(
        Object.entries(saved.state).map(([k, v]) => {
          const rng = new Random(9);
          return [k, { ...v, data: v.data.map((x) => x + 0.1 * rng.normal()) }];
        }),
      ),
    });
    const c = await evaluateCcn({ model: other, batchSize: 7, ...options });
    expect(Math.abs(a.mae - c.mae)).toBeGreaterThan(1e-6);
  });

  it("resume continues from latest.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "covnet-ccn-resume-"));
    const options = {
      engine,
      order: 1,
      dataset: "hcep",
      limit: 30,
      levels: 1,
      channels: 2,
      hidden: 4,
      epochs: 2,
      batchSize: 8,
      lr: 1e-3,
      seed: 2,
      outDir: dir,
    } as const;
    const first = await trainCcn(options);
    expect(first.resumed).toBe(false);
    expect(first.epochs).toBe(2);
    const again = await trainCcn({ ...options, resume: true });
    expect(again.resumed).toBe(true);
    // Both epochs were done, so the resumed run trains no further and keeps the same weights.
    expect(again.epochs).toBe(2);
    expect(again.saved.state).toEqual(first.saved.state);
    const log = readFileSync(join(dir, "train.log"), "utf8");
    expect(log).toMatch(/"type":"resume"/);
    // Without resume the same directory starts over: a fresh run logs a new first epoch.
    const fresh = await trainCcn({ ...options, epochs: 1 });
    expect(fresh.resumed).toBe(false);
    expect(fresh.epochs).toBe(1);
  });

  it("rejects files that are not saved CCNs, naming the file and the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "covnet-ccn-bad-"));
    const other = join(dir, "other.json");
    writeFileSync(other, '{"format":"covnet-cormorant-model"}\n');
    expect(() => readSavedCcn(other)).toThrow(/other\.json is not a covnet CCN model/);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{not json");
    expect(() => readSavedCcn(broken)).toThrow(/cannot read model file .*broken\.json/);
    const partial = join(dir, "partial.json");
    writeFileSync(
      partial,
      JSON.stringify({ format: CCN_MODEL_FORMAT, conventionVersion: "1", config: { order: 3 } }),
    );
    expect(() => readSavedCcn(partial)).toThrow(/partial\.json: missing or invalid config\.order/);
    expect(() => readSavedCcn(join(dir, "absent.json"))).toThrow(/no saved CCN at .*absent/);
  });
});
