/**
 * Training and evaluation entry points of CCN on graph datasets.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ArgumentError, type Engine, type FloatDType, Random } from "@covnet/core";
import { type GraphDataset, loadGraphDataset, type MolecularGraph } from "@covnet/datasets";
import { Adam, constantSchedule, cosineSchedule, type StateDict, Trainer } from "@covnet/nn";
import { type CcnBatch, prepareBatch } from "./graph_batch.js";
import { ccnLoss, type TargetScale } from "./loss.js";
import { CCN } from "./model.js";
import { CcnWorkerPool, type CcnWorkersOptions } from "./parallel.js";
import {
  CCN_CONVENTION_VERSION,
  CCN_MODEL_FORMAT,
  type CcnSplitSpec,
  type SavedCcn,
  saveCcn,
} from "./saved.js";

/** Options of {@link trainCcn}. */
export interface TrainCcnOptions {
  readonly engine: Engine;
  /** 1 for CCN 1D, 2 for CCN 2D. */
  readonly order: 1 | 2;
  /** `hcep`, `qm9`, or a loaded graph dataset. */
  readonly dataset: "hcep" | "qm9" | GraphDataset;
  /** Target name (QM9 only; HCEP has `PCE`). */
  readonly target?: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** Levels above the atoms. Default 2. */
  readonly levels?: number;
  /** Channels per activation. Default 4. */
  readonly channels?: number;
  /** Readout MLP width. Default 32. */
  readonly hidden?: number;
  /** Readout of the vertex invariants (see `CcnConfig.readout`). Default `vertex`. */
  readonly readout?: "mean" | "vertex";
  /** Use only this many molecules (drawn with `seed`) before splitting. Default all. */
  readonly limit?: number;
  /** Train, validation and test fractions. Default `[0.8, 0.1, 0.1]`. */
  readonly fractions?: readonly [number, number, number];
  /**
   * Output directory: checkpoints (`latest.json`, `best.json`), the JSON-lines log `train.log`,
   * and the final `model.json` with the weights of the best validation epoch.
   */
  readonly outDir?: string;
  /**
   * Learning rate over the run: `cosine` (the default) anneals from `lr` to `lr / 100` over all
   * epochs; `constant` keeps `lr`.
   */
  readonly schedule?: "cosine" | "constant";
  /** Loss on the standardised target: `mse` (default), `mae`, or `huber` (delta 1). */
  readonly loss?: "mse" | "mae" | "huber";
  readonly dtype?: FloatDType;
  /**
   * Stop training after this many seconds of wall-clock time, between optimizer steps, and keep
   * the current weights. Default no limit (`epochs` epochs).
   */
  readonly timeBudgetSeconds?: number;
  /** Continue the run saved in `outDir` (`latest.json`) when there is one. Default `false`. */
  readonly resume?: boolean;
  /** Stop training (after saving a checkpoint in `outDir`) when this signal aborts. */
  readonly signal?: AbortSignal;
  /** Stop on SIGINT and SIGTERM after saving a checkpoint. Default `false`. */
  readonly handleSignals?: boolean;
  /** Progress output of the trainer. Default `none`. */
  readonly progress?: "auto" | "none";
  /**
   * Compute the training gradients and the validation loss on worker threads (see
   * {@link CcnWorkerPool}). The results match a run without workers up to rounding. Default none.
   */
  readonly workers?: CcnWorkersOptions;
}

/** Result of {@link trainCcn}. */
export interface TrainCcnResult {
  readonly model: CCN;
  readonly dataset: GraphDataset;
  readonly split: {
    readonly train: Int32Array;
    readonly valid: Int32Array;
    readonly test: Int32Array;
  };
  readonly scale: TargetScale;
  readonly epochs: number;
  /** Whether training continued from a checkpoint in `outDir`. */
  readonly resumed: boolean;
  /** Epoch (1-based) whose weights the model holds: the best validation epoch when known. */
  readonly bestEpoch: number | null;
  /** The model as written to `model.json` (also returned without an output directory). */
  readonly saved: SavedCcn;
  /**
   * Training molecules handed to the optimizer; when the time budget ends a run, this counts the
   * interrupted batch too.
   */
  readonly trainedMolecules: number;
  /** Wall-clock training time in seconds, validation included. */
  readonly trainSeconds: number;
  readonly lastMetrics: Readonly<Record<string, number>>;
}

/** Metrics of {@link evaluateCcn}, in the target's unit. */
export interface CcnMetrics {
  readonly mae: number;
  readonly rmse: number;
  readonly count: number;
  readonly seconds: number;
  readonly moleculesPerSecond: number;
}

/**
 * Splits indices `0..size-1` with a seeded shuffle into train, validation and test parts of the
 * given fractions (test takes the rest).
 */
export function splitIndices(
  size: number,
  fractions: readonly [number, number, number],
  seed: number,
): { train: Int32Array; valid: Int32Array; test: Int32Array } {
  const order = new Random(seed).shuffle(Array.from({ length: size }, (_, i) => i));
  const train = Math.round(fractions[0] * size);
  const valid = Math.round(fractions[1] * size);
  return {
    train: Int32Array.from(order.slice(0, train)),
    valid: Int32Array.from(order.slice(train, train + valid)),
    test: Int32Array.from(order.slice(train + valid)),
  };
}

/** The molecules of each batch, in order. */
function* graphBatches(
  dataset: GraphDataset,
  indices: ArrayLike<number>,
  batchSize: number,
): Generator<MolecularGraph[]> {
  for (let start = 0; start < indices.length; start += batchSize) {
    const graphs: MolecularGraph[] = [];
    for (let i = start; i < Math.min(indices.length, start + batchSize); i++) {
      graphs.push(dataset.graph(indices[i] as number));
    }
    yield graphs;
  }
}

/** Prepares batches lazily: the CCN 2D promotion tables of a whole HCEP epoch take gigabytes. */
function* batchesOf(
  dataset: GraphDataset,
  indices: ArrayLike<number>,
  batchSize: number,
  levels: number,
  order: number,
): Generator<CcnBatch> {
  for (const graphs of graphBatches(dataset, indices, batchSize)) {
    yield prepareBatch(graphs, levels, [order]);
  }
}

/**
 * Trains a CCN of order 1 or 2 on a graph dataset with a seeded split, Adam with a cosine
 * learning rate and MSE (or MAE, Huber) on the standardised target, through the nn `Trainer`.
 * With `outDir` it writes checkpoints, a log and `model.json`, and the returned model has the
 * weights of the best validation epoch. Without `outDir` it keeps the final weights.
 *
 * @throws {ArgumentError} on invalid sizes or a dataset too small to split.
 */
export async function trainCcn(options: TrainCcnOptions): Promise<TrainCcnResult> {
  const { engine, order, epochs, batchSize, lr, seed } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ArgumentError(`trainCcn: batchSize must be a positive integer, got ${batchSize}`);
  }
  const levels = options.levels ?? 2;
  const full =
    typeof options.dataset === "string"
      ? await loadGraphDataset(
          options.dataset,
          options.target === undefined ? {} : { target: options.target },
        )
      : options.dataset;
  const splitSpec: CcnSplitSpec = {
    seed,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    fractions: options.fractions ?? [0.8, 0.1, 0.1],
  };
  const { dataset, split } = ccnSplit(full, splitSpec);
  if (split.train.length === 0 || split.valid.length === 0) {
    throw new ArgumentError(`trainCcn: ${dataset.size} molecules are too few to split`);
  }
  const scale = targetScale(dataset, split.train);
  const dtype = options.dtype ?? engine.defaultFloat;
  const config = {
    order,
    levels,
    channels: options.channels ?? 4,
    hidden: options.hidden ?? 32,
    readout: options.readout ?? "vertex",
    seed,
  };
  const model = new CCN(engine, { ...config, dtype });
  const lossKind = options.loss ?? "mse";
  const lossOf = (graphs: readonly MolecularGraph[]) =>
    ccnLoss(model, prepareBatch(graphs, levels, [order]), scale, lossKind);
  const steps = epochs * Math.ceil(split.train.length / batchSize);
  const schedule =
    (options.schedule ?? "cosine") === "cosine"
      ? cosineSchedule({ lr, minLr: lr / 100, period: Math.max(1, steps) })
      : constantSchedule(lr);
  let trainedMolecules = 0;
  const optimizer = new Adam(model, { lr });
  // Started after the trainer and its checkpoint are set up, so nothing before `fit` can fail
  // with workers left running.
  let pool: CcnWorkerPool | null = null;
  const trainer = new Trainer<MolecularGraph[]>({
    model,
    optimizer,
    schedule,
    loss: lossOf,
    ...(options.workers === undefined
      ? {}
      : {
          gradients: (graphs, parameters) => (pool as CcnWorkerPool).gradients(graphs, parameters),
          validationLoss: (graphs, parameters) => (pool as CcnWorkerPool).loss(graphs, parameters),
        }),
    trainBatches: function* (_epoch, rng) {
      const indices = rng.shuffle(Array.from(split.train));
      for (const graphs of graphBatches(dataset, indices, batchSize)) {
        trainedMolecules += graphs.length;
        yield graphs;
      }
    },
    validationBatches: () => graphBatches(dataset, split.valid, batchSize),
    epochs,
    seed,
    conventionVersion: "1",
    config: { ...config, dtype, loss: lossKind, schedule: options.schedule ?? "cosine" },
    datasetStatistics: scale,
    progress: options.progress ?? "none",
    clipGradNorm: 10,
    ...(options.outDir === undefined
      ? {}
      : { checkpointDir: options.outDir, logFile: `${options.outDir}/train.log` }),
  });
  const resumed =
    options.resume === true && options.outDir !== undefined ? trainer.resume() : false;
  if (options.workers !== undefined) {
    pool = await CcnWorkerPool.start({
      workers: options.workers,
      config: { ...config, dtype },
      parameterNames: [...optimizer.parameters.keys()],
      scale,
      loss: lossKind,
    });
  }
  const started = performance.now();
  const budget = new AbortController();
  options.signal?.addEventListener("abort", () => budget.abort(), { once: true });
  const timer =
    options.timeBudgetSeconds === undefined
      ? undefined
      : setTimeout(() => budget.abort(), options.timeBudgetSeconds * 1000);
  let result: Awaited<ReturnType<typeof trainer.fit>>;
  try {
    result = await trainer.fit({
      handleSignals: options.handleSignals ?? false,
      signal: budget.signal,
    });
  } finally {
    clearTimeout(timer);
    await pool?.close();
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const bestPath = options.outDir === undefined ? null : join(options.outDir, "best.json");
  let bestEpoch: number | null = null;
  // Only this run's best.json: a run stopped before its first validation has none, and the
  // directory may hold one from an earlier run.
  if (bestPath !== null && result.best !== null && existsSync(bestPath)) {
    const record = JSON.parse(readFileSync(bestPath, "utf8")) as {
      epoch: number;
      model: StateDict;
    };
    if (record.epoch === result.best.epoch) {
      model.loadStateDict(record.model);
      bestEpoch = record.epoch;
    }
  }
  const saved: SavedCcn = {
    format: CCN_MODEL_FORMAT,
    formatVersion: 1,
    conventionVersion: CCN_CONVENTION_VERSION,
    config,
    dtype,
    scale,
    dataset: { id: full.id, target: full.target, unit: full.unit },
    split: splitSpec,
    state: await model.stateDictAsync(),
    metrics: {
      ...result.lastMetrics,
      epochs: result.epochs,
      bestEpoch,
      stopReason: result.stopReason,
      trainSeconds,
    },
  };
  if (options.outDir !== undefined) saveCcn(options.outDir, saved);
  return {
    model,
    dataset,
    split,
    scale,
    epochs: result.epochs,
    resumed,
    bestEpoch,
    saved,
    trainedMolecules,
    trainSeconds,
    lastMetrics: result.lastMetrics,
  };
}

/**
 * Mean absolute and root-mean-square error of a trained CCN on `indices` of `dataset`, in the
 * target's unit, with the throughput of the forward pass.
 */
export async function evaluateCcn(options: {
  readonly model: CCN;
  readonly dataset: GraphDataset;
  readonly indices: ArrayLike<number>;
  readonly scale: TargetScale;
  readonly batchSize: number;
}): Promise<CcnMetrics> {
  const { model, dataset, indices, scale, batchSize } = options;
  const engine = model.embed.weight.engine;
  let absSum = 0;
  let sqSum = 0;
  const started = performance.now();
  for (const batch of batchesOf(
    dataset,
    indices,
    batchSize,
    model.config.levels,
    model.config.order,
  )) {
    // Read back asynchronously, so backends without synchronous reads (WebGPU) work too.
    const output = engine.noGrad(() => engine.scope(() => engine.keep(model.forward(batch))));
    const predictions = await output.data();
    output.dispose();
    predictions.forEach((p, i) => {
      const error = scale.mean + scale.std * p - (batch.targets[i] as number);
      absSum += Math.abs(error);
      sqSum += error * error;
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const count = indices.length;
  return {
    mae: absSum / count,
    rmse: Math.sqrt(sqSum / count),
    count,
    seconds,
    moleculesPerSecond: count / seconds,
  };
}

function targetScale(dataset: GraphDataset, indices: Int32Array): TargetScale {
  let s = 0;
  let s2 = 0;
  for (const i of indices) {
    const t = dataset.graph(i).target;
    s += t;
    s2 += t * t;
  }
  const mean = s / indices.length;
  const std = Math.sqrt(Math.max(s2 / indices.length - mean * mean, 1e-12));
  return { mean, std };
}

/**
 * Rebuilds the molecules and the training, validation and test indices of a split specification: `limit`
 * molecules drawn with the seed (all when absent), then a seeded shuffle cut by the fractions.
 * `trainCcn` and `covnet eval` both cut datasets with it, so a saved model is evaluated on the
 * molecules it was tested on.
 */
export function ccnSplit(
  full: GraphDataset,
  spec: CcnSplitSpec,
): {
  dataset: GraphDataset;
  split: { train: Int32Array; valid: Int32Array; test: Int32Array };
} {
  const dataset = spec.limit === undefined ? full : subset(full, spec.limit, spec.seed);
  return { dataset, split: splitIndices(dataset.size, spec.fractions, spec.seed) };
}

function subset(dataset: GraphDataset, limit: number, seed: number): GraphDataset {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ArgumentError(`trainCcn: limit must be a positive integer, got ${limit}`);
  }
  const chosen = new Random(seed ^ 0x5eed)
    .shuffle(Array.from({ length: dataset.size }, (_, i) => i))
    .slice(0, Math.min(limit, dataset.size));
  return {
    ...dataset,
    size: chosen.length,
    graph: (i: number) => dataset.graph(chosen[i] as number),
  };
}
