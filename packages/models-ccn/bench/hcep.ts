/**
 * HCEP benchmark of CCN 1D and CCN 2D: seeded 80/10/10 split, test MAE and RMSE in percent
 * PCE, training time and evaluation throughput on this machine (CPU backend, float32).
 *
 *   npm run bench -w packages/models-ccn -- [limit] [epochs] [batchSize] [levels] [orders] [budget]
 *     [channels] [readout] [hidden] [loss] [lr] [workers]
 *
 * `limit` molecules are drawn from the 29,978 with the seed before splitting (default 2000;
 * `all` uses every molecule). `budget` stops training after that many seconds (default none,
 * `none` to skip it before `channels`). The learning rate follows a cosine from `lr` (default
 * 2e-3) to `lr / 100` over the epochs, and the test set is scored with the weights of the best
 * validation epoch. With `workers` above 0 the training gradients are computed on that many
 * worker threads (see `CcnWorkerPool`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, initEngine } from "@covnet/core";
import { loadGraphDataset } from "@covnet/datasets";
import { evaluateCcn, trainCcn } from "../src/index.js";

const limitArg = process.argv[2] ?? "2000";
const limit = limitArg === "all" ? undefined : Number(limitArg);
const budgetArg = process.argv[7];
const budget = budgetArg === undefined || budgetArg === "none" ? undefined : Number(budgetArg);
const channels = Number(process.argv[8] ?? 4);
const readout = process.argv[9] === "mean" ? "mean" : "vertex";
const hidden = Number(process.argv[10] ?? 32);
const lossArg = process.argv[11] ?? "mse";
const lr = Number(process.argv[12] ?? 2e-3);
const workers = Number(process.argv[13] ?? 0);
const loss = lossArg === "mae" || lossArg === "huber" ? lossArg : "mse";
const epochs = Number(process.argv[3] ?? 10);
const batchSize = Number(process.argv[4] ?? 32);
const levels = Number(process.argv[5] ?? 2);
const orders = (process.argv[6] ?? "1,2").split(",").map((o) => (o === "2" ? 2 : 1));
const container = createContainer({ logLevel: "silent" });
container.load(cpuBackendModule());
const engine = await initEngine(container, { backend: "cpu", defaultFloat: "float32" });
const dataset = await loadGraphDataset("hcep");
process.stdout.write(
  `HCEP, ${limit ?? "all"} molecules, budget ${budget ?? "none"} s, ${epochs} epochs, batch ${batchSize}, ${levels} levels, ${channels} channels, readout ${readout} of width ${hidden}, ${loss} loss, learning rate ${lr}, ${workers} workers, ${cpus()[0]?.model ?? "cpu"} x${cpus().length}, node ${process.version}\n`,
);
for (const order of orders) {
  const outDir = mkdtempSync(join(tmpdir(), "covnet-ccn-bench-"));
  const run = await trainCcn({
    engine,
    order,
    dataset,
    ...(limit === undefined ? {} : { limit }),
    ...(budget === undefined ? {} : { timeBudgetSeconds: budget }),
    levels,
    channels,
    readout,
    hidden,
    loss,
    epochs,
    batchSize,
    lr,
    ...(workers > 0
      ? {
          workers: { count: workers, engineModule: new URL("./worker_engine.ts", import.meta.url) },
        }
      : {}),
    seed: 1,
    outDir,
    progress: "none",
  });
  rmSync(outDir, { recursive: true, force: true });
  const test = await evaluateCcn({
    model: run.model,
    dataset: run.dataset,
    indices: run.split.test,
    scale: run.scale,
    batchSize: 64,
  });
  process.stdout.write(
    `${JSON.stringify({
      model: `CCN ${order}D`,
      levels,
      channels,
      readout,
      hidden,
      loss,
      workers,
      train: run.split.train.length,
      test: test.count,
      testMae: test.mae,
      testRmse: test.rmse,
      trainSeconds: run.trainSeconds,
      trainedMolecules: run.trainedMolecules,
      trainMoleculesPerSecond: run.trainedMolecules / run.trainSeconds,
      evalMoleculesPerSecond: test.moleculesPerSecond,
      epochsRun: run.epochs,
      bestEpoch: run.bestEpoch,
      lastMetrics: run.lastMetrics,
    })}\n`,
  );
}
