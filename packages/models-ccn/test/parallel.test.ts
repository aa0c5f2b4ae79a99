import { type Engine, valueAndGrads } from "@covnet/core";
import { smilesToGraph } from "@covnet/datasets";
import { Adam } from "@covnet/nn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CCN, CcnWorkerPool, ccnLoss, prepareBatch, trainCcn } from "../src/index.js";
import { cpuEngine } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine("float64");
});

const engineModule = new URL("./worker_engine.ts", import.meta.url);
const smiles = [
  "c1ccc(O)cc1C(=O)N",
  "C1=CC=C[SiH2]1",
  "[nH]1cccc1-c1cccs1",
  "c1cc2c3cocc3c3c4[SiH2]C(=Cc4ncc3c2[se]1)c1scc2C=CCc12",
  "C1C=Cc2ncc3c4[se]c(cc4c4=C[SiH2]C=c4c3c12)-c1cccnc1",
];
const graphs = smiles.map((s, i) => ({
  ...smilesToGraph(s, i, { file: "test", record: `${i}` }),
  target: 1 + 0.7 * i,
}));
const scale = { mean: 2.5, std: 1.3 };

describe("CcnWorkerPool", () => {
  const pools: CcnWorkerPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  /** Builds a small float64 CCN, its Adam optimizer, and a pool started with the parameter names. */
  async function modelAndPool(
    order: 1 | 2,
    workers: number,
    loss: "mse" | "huber",
    names: (all: string[]) => string[] = (all) => all,
  ) {
    const config = { order, levels: 2, channels: 3, hidden: 8, seed: 4, dtype: "float64" as const };
    const model = new CCN(engine, config);
    const optimizer = new Adam(model, { lr: 1e-3 });
    const pool = await CcnWorkerPool.start({
      workers: { count: workers, engineModule },
      config,
      parameterNames: names([...optimizer.parameters.keys()]),
      scale,
      loss,
    });
    pools.push(pool);
    return { model, optimizer, pool };
  }

  it.each([1, 2] as const)(
    "order %i: two workers give the batch's loss and gradients",
    async (order) => {
      const { model, optimizer, pool } = await modelAndPool(order, 2, "huber");
      const { value, grads } = valueAndGrads(
        () => ccnLoss(model, prepareBatch(graphs, 2, [order]), scale, "huber"),
        optimizer.tensors(),
      );
      const remote = await pool.gradients(graphs, optimizer.parameters);
      expect(remote.loss).toBeCloseTo(value.item(), 12);
      expect(await pool.loss(graphs, optimizer.parameters)).toBeCloseTo(value.item(), 12);
      let largest = 0;
      grads.forEach((g, j) => {
        const expected = g.toArray();
        const got = remote.grads[j] as ArrayLike<number>;
        expect(got.length).toBe(expected.length);
        expected.forEach((e, k) => {
          largest = Math.max(largest, Math.abs(e));
          expect(Math.abs((got[k] as number) - e)).toBeLessThan(1e-12);
        });
      });
      // The gradients are far from zero, so the comparison can fail.
      expect(largest).toBeGreaterThan(1e-3);
      // After an optimizer step the workers see the new weights.
      optimizer.step(grads);
      const moved = valueAndGrads(
        () => ccnLoss(model, prepareBatch(graphs, 2, [order]), scale, "huber"),
        optimizer.tensors(),
      );
      const next = await pool.gradients(graphs, optimizer.parameters);
      expect(next.loss).toBeCloseTo(moved.value.item(), 12);
      expect(next.loss).not.toBeCloseTo(remote.loss, 6);
    },
  );

  it("trains to the same weights with and without workers", async () => {
    const options = {
      engine,
      order: 2 as const,
      dataset: "hcep" as const,
      limit: 40,
      levels: 1,
      channels: 2,
      hidden: 8,
      epochs: 2,
      batchSize: 8,
      lr: 5e-3,
      seed: 3,
      loss: "huber" as const,
    };
    const local = await trainCcn(options);
    const parallel = await trainCcn({ ...options, workers: { count: 2, engineModule } });
    expect(parallel.trainedMolecules).toBe(local.trainedMolecules);
    for (const [name, value] of Object.entries(local.lastMetrics)) {
      expect(parallel.lastMetrics[name]).toBeCloseTo(value, 10);
    }
    const a = local.saved.state;
    const b = parallel.saved.state;
    for (const [name, record] of Object.entries(a)) {
      const other = b[name]?.data as number[];
      record.data.forEach((v, k) => expect(Math.abs((other[k] as number) - v)).toBeLessThan(1e-10));
    }
  });

  it("reports an engine module without createEngine and a bad worker count", async () => {
    const config = {
      order: 1 as const,
      levels: 1,
      channels: 2,
      hidden: 4,
      seed: 1,
      dtype: "float64" as const,
    };
    const start = (count: number, module: URL) =>
      CcnWorkerPool.start({
        workers: { count, engineModule: module },
        config,
        parameterNames: [],
        scale,
        loss: "mse",
      });
    await expect(start(1, new URL("./no_engine.ts", import.meta.url))).rejects.toThrow(
      /no_engine\.ts does not export a function createEngine\(dtype\)/,
    );
    await expect(start(0, engineModule)).rejects.toThrow(/count must be a positive integer, got 0/);
  });

  it("rejects parameters other than the pool's", async () => {
    const { optimizer, pool } = await modelAndPool(1, 1, "mse", (names) => names.slice(1));
    await expect(pool.gradients(graphs, optimizer.parameters)).rejects.toThrow(
      /differ from the pool's/,
    );
  });
});
