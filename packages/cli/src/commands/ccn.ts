/**
 * `covnet train ccn`: train a first- or second-order CCN on a molecular graph dataset, then
 * evaluate it on the test split.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { evaluateCcn, trainCcn } from "@covnet/models-ccn";
import { Command, Options } from "@effect/cli";
import { Effect, Option } from "effect";
import { CliError, cliLogger, createEngine, emitJson, say } from "../runtime.js";
import { backendOption, dtypeOption, jsonOption, verboseOption } from "./options.js";

const intOption = (name: string, fallback: number, description: string) =>
  Options.integer(name).pipe(Options.withDefault(fallback), Options.withDescription(description));

const ccnOptions = {
  order: Options.choice("order", ["1", "2"] as const).pipe(
    Options.withDefault("2" as const),
    Options.withDescription("Tensor order of the activations: 1 (CCN 1D) or 2 (CCN 2D)."),
  ),
  dataset: Options.choice("dataset", ["hcep", "qm9"] as const).pipe(
    Options.withDefault("hcep" as const),
    Options.withDescription(
      "Graph dataset: hcep (target PCE, percent) or qm9 (graphs from SMILES).",
    ),
  ),
  target: Options.text("target").pipe(
    Options.optional,
    Options.withDescription("Target for qm9 (default gap); hcep has only PCE."),
  ),
  epochs: intOption("epochs", 12, "Passes over the training set."),
  batchSize: intOption("batch-size", 32, "Molecules per optimizer step."),
  lr: Options.float("lr").pipe(
    Options.withDefault(2e-3),
    Options.withDescription("Adam learning rate."),
  ),
  levels: intOption(
    "levels",
    1,
    "Levels above the atoms; each widens the receptive field by one bond. A second level of CCN 2D costs about 8x the time of the first.",
  ),
  channels: intOption("channels", 8, "Channels of every covariant activation."),
  hidden: intOption("hidden", 32, "Width of the readout MLP."),
  readout: Options.choice("readout", ["vertex", "mean"] as const).pipe(
    Options.withDefault("vertex" as const),
    Options.withDescription(
      "vertex: an MLP on each atom's invariants, pooled by mean and sum; mean: the invariants averaged over the atoms.",
    ),
  ),
  loss: Options.choice("loss", ["mse", "mae", "huber"] as const).pipe(
    Options.withDefault("mse" as const),
    Options.withDescription("Loss on the standardised target."),
  ),
  schedule: Options.choice("schedule", ["cosine", "constant"] as const).pipe(
    Options.withDefault("cosine" as const),
    Options.withDescription(
      "Learning rate: cosine annealing to lr/100 over the epochs, or constant.",
    ),
  ),
  limit: intOption(
    "limit",
    0,
    "Use this many molecules drawn with the seed before the 80/10/10 split (0: all).",
  ),
  seed: intOption("seed", 1, "Seed of the split, the initial weights and the batch order."),
  workers: intOption(
    "workers",
    0,
    "Compute the gradients and the validation loss on this many worker threads, each on the CPU backend with a share of every batch (0: on the main thread). Results match up to rounding.",
  ),
  out: Options.text("out").pipe(
    Options.withDefault("runs/ccn"),
    Options.withDescription(
      "Directory for checkpoints, the training log (train.log) and model.json, which covnet eval reads.",
    ),
  ),
  resume: Options.boolean("resume").pipe(
    Options.withDescription(
      "Continue the run saved in --out (latest.json) instead of starting anew.",
    ),
  ),
  dtype: dtypeOption("float32"),
  backend: backendOption,
  json: jsonOption,
  verbose: verboseOption,
};

type CcnArgs = {
  readonly [K in keyof typeof ccnOptions]: (typeof ccnOptions)[K] extends Options.Options<infer A>
    ? A
    : never;
};

async function runTrainCcn(a: CcnArgs): Promise<void> {
  const logger = cliLogger(a.verbose);
  const engine = await createEngine(a.backend, a.dtype, logger);
  const order = a.order === "1" ? 1 : 2;
  if (a.workers < 0) throw new CliError(`--workers must be 0 or more, got ${a.workers}`);
  say(
    a.json,
    `covnet: training CCN ${order}D on ${a.dataset} with backend ${engine.backendName}, ${a.dtype}`,
  );
  const run = await trainCcn({
    engine,
    order,
    dataset: a.dataset,
    ...(Option.isSome(a.target) ? { target: a.target.value } : {}),
    epochs: a.epochs,
    batchSize: a.batchSize,
    lr: a.lr,
    seed: a.seed,
    levels: a.levels,
    channels: a.channels,
    hidden: a.hidden,
    readout: a.readout,
    loss: a.loss,
    schedule: a.schedule,
    ...(a.limit > 0 ? { limit: a.limit } : {}),
    outDir: a.out,
    resume: a.resume,
    handleSignals: true,
    dtype: a.dtype,
    ...(a.workers > 0 ? { workers: { count: a.workers, engineModule: workerEngineModule() } } : {}),
    progress: a.json ? "none" : "auto",
  });
  const test = await evaluateCcn({
    model: run.model,
    dataset: run.dataset,
    indices: run.split.test,
    scale: run.scale,
    batchSize: a.batchSize,
  });
  say(
    a.json,
    `covnet: ${run.epochs} epochs in ${run.trainSeconds.toFixed(1)} s; weights of epoch ${run.bestEpoch ?? run.epochs} saved to ${a.out}/model.json`,
  );
  say(
    a.json,
    `covnet: test MAE ${test.mae.toFixed(4)} ${run.dataset.unit}, RMSE ${test.rmse.toFixed(4)} ${run.dataset.unit} on ${test.count} molecules`,
  );
  emitJson(a.json, {
    command: "train ccn",
    order,
    dataset: run.dataset.id,
    target: run.dataset.target,
    unit: run.dataset.unit,
    metrics: { mae: test.mae, rmse: test.rmse },
    count: test.count,
    train: {
      size: run.split.train.length,
      valid: run.split.valid.length,
      epochs: run.epochs,
      resumed: run.resumed,
      bestEpoch: run.bestEpoch,
      seconds: run.trainSeconds,
      workers: a.workers,
    },
    moleculesPerSecond: test.moleculesPerSecond,
    parameters: run.model.numParameters(),
    backend: engine.backendName,
    dtype: a.dtype,
    out: a.out,
  });
}

/** Returns the engine module of the worker threads: compiled next to this file, or its source in tests. */
function workerEngineModule(): URL {
  const compiled = new URL("../worker_engine.js", import.meta.url);
  return existsSync(fileURLToPath(compiled))
    ? compiled
    : new URL("../worker_engine.ts", import.meta.url);
}

/** `covnet train ccn`. */
export const trainCcnCommand = Command.make("ccn", ccnOptions, (args) =>
  Effect.tryPromise({ try: () => runTrainCcn(args), catch: (e) => e }),
).pipe(
  Command.withDescription(
    "Train a CCN (order 1 or 2) on HCEP or QM9 graphs, then report test MAE and RMSE.",
  ),
);
