/**
 * `covnet train cormorant`: train Cormorant on a molecular dataset, then evaluate it on the test
 * split.
 *
 * @module
 */

import { type AtomsDataset, loadDataset, splitDataset } from "@covnet/datasets";
import { evaluateCormorant, trainCormorant } from "@covnet/models-cormorant";
import { Command, Options } from "@effect/cli";
import { Effect, Option } from "effect";
import { CliError, cliLogger, createEngine, emitJson, say, withMeV } from "../runtime.js";
import { trainCcnCommand } from "./ccn.js";
import {
  backendOption,
  dataOption,
  datasetOption,
  dtypeOption,
  jsonOption,
  targetOption,
  verboseOption,
} from "./options.js";

const intOption = (name: string, fallback: number, description: string) =>
  Options.integer(name).pipe(Options.withDefault(fallback), Options.withDescription(description));
const floatOption = (name: string, fallback: number, description: string) =>
  Options.float(name).pipe(Options.withDefault(fallback), Options.withDescription(description));

const cormorantOptions = {
  dataset: datasetOption.pipe(Options.withDefault("rmd17/ethanol")),
  data: dataOption,
  target: targetOption,
  trainSize: intOption(
    "train-size",
    950,
    "Training molecules (frames), taken from the dataset's training file when it has one.",
  ),
  validSize: intOption(
    "valid-size",
    50,
    "Validation molecules, taken from the training file and disjoint from the training set.",
  ),
  testSize: intOption(
    "test-size",
    0,
    "Test molecules to evaluate after training; 0 means the whole test split.",
  ),
  epochs: intOption("epochs", 25, "Passes over the training set."),
  batchSize: intOption("batch-size", 16, "Molecules per optimizer step."),
  lr: floatOption("lr", 5e-3, "Peak learning rate of AMSGrad (cosine decay after a short warmup)."),
  forceWeight: floatOption(
    "force-weight",
    10,
    "Weight of the force term of the loss (0: train on energies only).",
  ),
  maxl: intOption("maxl", 2, "Largest degree l of the covariant activations."),
  levels: intOption("levels", 3, "Number of CG layers."),
  channels: intOption("channels", 8, "Channels per degree l in every layer."),
  cutoff: floatOption("cutoff", 5, "Neighbour cutoff radius, in Angstrom."),
  dtype: dtypeOption("float32"),
  backend: backendOption,
  seed: intOption("seed", 1, "Seed of every random choice (split, initial weights, batch order)."),
  out: Options.text("out").pipe(
    Options.withDefault("runs/cormorant"),
    Options.withDescription(
      "Directory for checkpoints, the training log (train.jsonl) and the final model.json.",
    ),
  ),
  resume: Options.boolean("resume").pipe(
    Options.withDescription(
      "Continue the run saved in --out (latest.json) instead of starting anew.",
    ),
  ),
  maxMinutes: floatOption(
    "max-minutes",
    0,
    "Stop training after this many minutes, keeping the best model so far (0: no limit).",
  ),
  ema: floatOption(
    "ema",
    0.99,
    "Decay of the exponential moving average of the weights used for evaluation (0: off).",
  ),
  json: jsonOption,
  verbose: verboseOption,
};

type CormorantArgs = {
  readonly [K in keyof typeof cormorantOptions]: (typeof cormorantOptions)[K] extends Options.Options<
    infer A
  >
    ? A
    : never;
};

async function runTrainCormorant(a: CormorantArgs): Promise<void> {
  const logger = cliLogger(a.verbose);
  const started = performance.now();
  const dataset: AtomsDataset = await loadDataset(a.dataset, {
    ...(Option.isSome(a.data) ? { dataPath: a.data.value } : {}),
    ...(Option.isSome(a.target) ? { target: a.target.value } : {}),
  });
  if (dataset.size === 0) throw new CliError(`dataset ${a.dataset} has no molecules`);
  const predefined = dataset.predefinedSplit;
  const available = predefined?.train.length ?? dataset.size;
  if (a.trainSize + a.validSize > available) {
    throw new CliError(
      `--train-size ${a.trainSize} plus --valid-size ${a.validSize} exceeds the ${available} training molecules of ${dataset.id}`,
    );
  }
  // Without --test-size, rMD17 uses its whole test file; other datasets hold out 10 %.
  let test: { test?: number } = {};
  if (a.testSize > 0) test = { test: a.testSize };
  else if (predefined === undefined) test = { test: 0.1 };
  const split = splitDataset(dataset, {
    train: a.trainSize,
    valid: a.validSize,
    ...test,
    seed: a.seed,
  });

  const engine = await createEngine(a.backend, a.dtype, logger);
  say(
    a.json,
    `covnet: training Cormorant on ${dataset.id} (${split.train.length} train, ${split.valid.length} valid, ${split.test.length} test) with backend ${engine.backendName}, ${a.dtype}`,
  );
  const result = await trainCormorant({
    engine,
    dataset,
    trainIndices: split.train,
    validIndices: split.valid,
    config: { maxl: a.maxl, levels: a.levels, channels: a.channels, cutoff: a.cutoff },
    dtype: a.dtype,
    epochs: a.epochs,
    batchSize: a.batchSize,
    lr: a.lr,
    forceWeight: a.forceWeight,
    seed: a.seed,
    outDir: a.out,
    resume: a.resume,
    ...(a.ema > 0 ? { emaDecay: a.ema } : {}),
    ...(a.maxMinutes > 0 ? { maxSeconds: a.maxMinutes * 60 } : {}),
    progress: a.json ? "none" : "auto",
  });
  say(
    a.json,
    `covnet: ${result.fit.stopReason} after ${result.fit.epochs} epochs in ${result.seconds.toFixed(1)} s; model saved to ${a.out}/model.json`,
  );

  const metrics = await evaluateCormorant(result.model, dataset, split.test);
  say(a.json, `covnet: test set of ${metrics.count} molecules`);
  say(
    a.json,
    `  energy MAE ${withMeV(metrics.energy.mae, metrics.energy.unit)}, RMSE ${withMeV(metrics.energy.rmse, metrics.energy.unit)}`,
  );
  if (metrics.forces !== undefined) {
    say(
      a.json,
      `  force  MAE ${withMeV(metrics.forces.mae, metrics.forces.unit)}, RMSE ${withMeV(metrics.forces.rmse, metrics.forces.unit)}`,
    );
  }
  emitJson(a.json, {
    command: "train cormorant",
    dataset: dataset.id,
    metrics: { energy: metrics.energy, ...(metrics.forces ? { forces: metrics.forces } : {}) },
    count: metrics.count,
    train: {
      size: split.train.length,
      valid: split.valid.length,
      epochs: result.fit.epochs,
      seconds: result.seconds,
      stopReason: result.fit.stopReason,
      resumed: result.resumed,
      best: result.fit.best,
    },
    parameters: result.model.numParameters(),
    backend: engine.backendName,
    dtype: a.dtype,
    out: a.out,
    seconds: (performance.now() - started) / 1000,
  });
}

/** `covnet train cormorant`. */
export const trainCormorantCommand = Command.make("cormorant", cormorantOptions, (args) =>
  Effect.tryPromise({ try: () => runTrainCormorant(args), catch: (e) => e }),
).pipe(
  Command.withDescription("Train Cormorant on energies and forces, then report test MAE and RMSE."),
);

/** `covnet train`: one subcommand per model. */
export const trainCommand = Command.make("train").pipe(
  Command.withDescription("Train a model."),
  Command.withSubcommands([trainCormorantCommand, trainCcnCommand]),
);
