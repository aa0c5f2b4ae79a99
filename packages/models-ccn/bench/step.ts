/**
 * CPU time of one CCN training step (forward and backward) on the first 32 HCEP molecules, for
 * the sparse and the dense implementation of the levels, and of building the sparse operators.
 *
 *   npm run bench:step -w packages/models-ccn -- [order] [levels] [channels] [repeats]
 *
 * Each implementation runs `repeats` steps after one warm-up step on the same batch. The output
 * gives the median of the process CPU time (user plus system) per step. Operators are cached per
 * batch, so the step times exclude building them; the build is timed separately on fresh
 * batches. `freshBatchStepSeconds` times whole sparse steps on new batches, as in training.
 */
import { cpus } from "node:os";
import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, initEngine, mean, square, valueAndGrads } from "@covnet/core";
import { loadGraphDataset } from "@covnet/datasets";
import { CCN, ccnReductions, prepareBatch, reductionOperator } from "../src/index.js";

const order = process.argv[2] === "1" ? 1 : 2;
const levels = Number(process.argv[3] ?? 2);
const channels = Number(process.argv[4] ?? 4);
const repeats = Number(process.argv[5] ?? 3);
const container = createContainer({ logLevel: "silent" });
container.load(cpuBackendModule());
const engine = await initEngine(container, { backend: "cpu", defaultFloat: "float32" });
const dataset = await loadGraphDataset("hcep");

function cpuSeconds(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const batch = prepareBatch(
  Array.from({ length: 32 }, (_, i) => dataset.graph(i)),
  levels,
  [order],
);
const result: Record<string, number | string> = {
  order,
  levels,
  channels,
  vertices: batch.numVertices,
  machine: `${cpus()[0]?.model ?? "cpu"} x${cpus().length}`,
  node: process.version,
};
for (const implementation of ["sparse", "dense"] as const) {
  const model = new CCN(engine, { order, levels, channels, hidden: 32, seed: 1, implementation });
  const weights = [...model.parameters().values()].map((p) => p.value);
  const step = () =>
    engine.scope(() => {
      valueAndGrads(() => mean(square(model.forward(batch))), weights);
    });
  cpuSeconds(step);
  result[`${implementation}StepSeconds`] = median(
    Array.from({ length: repeats }, () => cpuSeconds(step)),
  );
}
const reductions = ccnReductions(order);
const builds: number[] = [];
for (let r = 1; r <= repeats; r++) {
  const fresh = prepareBatch(
    Array.from({ length: 32 }, (_, i) => dataset.graph(32 * r + i)),
    levels,
    [order],
  );
  builds.push(
    cpuSeconds(() => {
      for (let l = 1; l <= levels; l++) reductionOperator(fresh, l, order, reductions);
    }),
  );
}
result.operatorBuildSeconds = median(builds);

// A training step as the trainer runs it: each batch is new, so its fields, operators and
// matrices are built before the forward and backward pass.
const model = new CCN(engine, { order, levels, channels, hidden: 32, seed: 1 });
const weights = [...model.parameters().values()].map((p) => p.value);
const fullSteps: number[] = [];
for (let r = 1; r <= repeats; r++) {
  const graphs = Array.from({ length: 32 }, (_, i) => dataset.graph(32 * (repeats + r) + i));
  fullSteps.push(
    cpuSeconds(() =>
      engine.scope(() => {
        const fresh = prepareBatch(graphs, levels, [order]);
        valueAndGrads(() => mean(square(model.forward(fresh))), weights);
      }),
    ),
  );
}
result.freshBatchStepSeconds = median(fullSteps);
process.stdout.write(`${JSON.stringify(result)}\n`);
