/**
 * Training and evaluation of Cormorant on molecular datasets: energies alone, or energies and
 * forces with a weighted loss (which differentiates the forces `-dE/dx` with respect to the
 * parameters).
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  abs,
  add,
  type Engine,
  type FloatDType,
  mean,
  mul,
  Random,
  square,
  sub,
  type Tensor,
} from "@covnet/core";
import { type AtomsDataset, datasetStatistics, type GraphBatch, makeBatch } from "@covnet/datasets";
import {
  AMSGrad,
  cosineSchedule,
  type FitResult,
  linearWarmup,
  ReduceOnPlateau,
  type Schedule,
  type StateDict,
  Trainer,
} from "@covnet/nn";
import { MODEL_FORMAT, type SavedCormorant, saveCormorant } from "./checkpoint.js";
import type { CormorantConfig } from "./config.js";
import { CONVENTION_VERSION } from "./export_format.js";
import { type AtomsInput, toAtomsInput } from "./input.js";
import { Cormorant } from "./model.js";

/** Settings of {@link trainCormorant}. */
export interface TrainCormorantOptions {
  readonly engine: Engine;
  readonly dataset: AtomsDataset;
  readonly trainIndices: Int32Array;
  readonly validIndices: Int32Array;
  /** Architecture; species default to the elements of the training set. */
  readonly config?: Partial<CormorantConfig>;
  readonly dtype: FloatDType;
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate of AMSGrad. */
  readonly lr: number;
  /** `cosine` (with a short warmup) or `plateau` (reduce on plateau of the validation loss). */
  readonly schedule?: "cosine" | "plateau";
  /** Weight of the force term of the loss; 0 trains on energies alone. */
  readonly forceWeight: number;
  /** Weight of the energy term of the loss. Default 1. */
  readonly energyWeight?: number;
  readonly seed: number;
  /** Output directory for checkpoints, `best.json`, `model.json` and `train.jsonl`. */
  readonly outDir?: string;
  /** Continue from `outDir/latest.json` when it exists. */
  readonly resume?: boolean;
  readonly clipGradNorm?: number;
  readonly emaDecay?: number;
  readonly earlyStoppingPatience?: number;
  readonly progress?: "auto" | "bar" | "lines" | "none";
  readonly signal?: AbortSignal;
  /** Stop after this many seconds of training (between steps, with a checkpoint). */
  readonly maxSeconds?: number;
  /**
   * Write a step record to `train.jsonl` every this many optimizer steps. Default 1, or 10 on
   * backends without synchronous reads (WebGPU), where each logged step waits for its loss to
   * be read back from the device.
   */
  readonly logEvery?: number;
}

/** Result of {@link trainCormorant}. */
export interface TrainCormorantResult {
  readonly model: Cormorant;
  readonly fit: FitResult;
  readonly saved: SavedCormorant;
  readonly seconds: number;
  readonly resumed: boolean;
}

/** Energy and force errors, in the dataset's units. */
export interface EnergyForceMetrics {
  readonly count: number;
  readonly energy: { readonly mae: number; readonly rmse: number; readonly unit: string };
  readonly forces?: { readonly mae: number; readonly rmse: number; readonly unit: string };
}

function energyUnit(ds: AtomsDataset): string {
  return ds.units.energy ?? "energy unit";
}

function forceUnit(ds: AtomsDataset): string {
  return (ds.units.force ?? `${energyUnit(ds)}/angstrom`).replace(/\/angstrom$/i, "/A");
}

/** The most recent energies and forces, so validation metrics reuse the loss's forward pass. */
class PredictionCache {
  #batch: GraphBatch | null = null;
  #energies: Tensor | null = null;
  #forces: Tensor | null = null;

  get(batch: GraphBatch): { energies: Tensor; forces: Tensor | null } | null {
    if (batch !== this.#batch || this.#energies === null || this.#energies.isDisposed) return null;
    return { energies: this.#energies, forces: this.#forces };
  }

  set(batch: GraphBatch, energies: Tensor, forces: Tensor | null): void {
    this.#batch = batch;
    this.#energies = energies;
    this.#forces = forces;
  }
}

/**
 * Trains Cormorant. Energies are learned as sums of per-atom terms around per-element offsets fit
 * on the training set. The loss is `energyWeight * mean((E - E_ref)^2) / s^2 + forceWeight *
 * mean((F - F_ref)^2) / s^2`, where `s` is the RMS of the training forces, or the residual energy
 * spread when there are no forces. The best model by validation loss (EMA weights when enabled)
 * is saved as `model.json` in `outDir`.
 */
export async function trainCormorant(o: TrainCormorantOptions): Promise<TrainCormorantResult> {
  const { engine, dataset: ds, dtype } = o;
  const stats = datasetStatistics(ds, o.trainIndices);
  const useForces = o.forceWeight > 0 && stats.forceRms > 0;
  const scale = useForces ? stats.forceRms : Math.max(stats.residualStd, 1e-6);
  const config: Partial<CormorantConfig> = { species: stats.elements, ...o.config };
  const model = new Cormorant(engine, config, new Random(o.seed), dtype);
  model.setEnergyStatistics(scale, stats.energyPerAtom);
  const cutoff = model.config.cutoff;
  const inputOptions = {
    species: model.config.species,
    chargePower: model.config.chargePower,
    dtype,
  };
  const cache = new PredictionCache();
  const invScale2 = 1 / (scale * scale);
  const energyWeight = o.energyWeight ?? 1;

  const predict = (
    batch: GraphBatch,
  ): { energies: Tensor; forces: Tensor | null; input: AtomsInput } => {
    const input = toAtomsInput(engine, batch, inputOptions);
    if (useForces) {
      const { energies, forces } = model.energiesAndForces(input);
      return { energies, forces, input };
    }
    return { energies: model.energies(input), forces: null, input };
  };
  const loss = (batch: GraphBatch): Tensor => {
    const { energies, forces } = predict(batch);
    cache.set(batch, energies, forces);
    const eRef = engine.makeTensor(batch.energies as Float64Array, [batch.numMolecules], dtype);
    let total = mul(mean(square(sub(energies, eRef))), energyWeight * invScale2);
    if (forces !== null) {
      const fRef = engine.makeTensor(batch.forces as Float64Array, [batch.numAtoms, 3], dtype);
      total = add(total, mul(mean(square(sub(forces, fRef))), o.forceWeight * invScale2));
    }
    return total;
  };
  const cached = (batch: GraphBatch) =>
    cache.get(batch) ??
    (() => {
      const p = predict(batch);
      cache.set(batch, p.energies, p.forces);
      return { energies: p.energies, forces: p.forces };
    })();
  const metrics: Record<string, (batch: GraphBatch) => Tensor> = {
    energy_mae: (batch) => {
      const eRef = engine.makeTensor(batch.energies as Float64Array, [batch.numMolecules], dtype);
      return mean(abs(sub(cached(batch).energies, eRef)));
    },
  };
  if (useForces) {
    metrics.force_mae = (batch) => {
      const fRef = engine.makeTensor(batch.forces as Float64Array, [batch.numAtoms, 3], dtype);
      return mean(abs(sub(cached(batch).forces as Tensor, fRef)));
    };
  }

  const validBatches: GraphBatch[] = [];
  for (let i = 0; i < o.validIndices.length; i += o.batchSize) {
    validBatches.push(makeBatch(ds, o.validIndices.subarray(i, i + o.batchSize), { cutoff }));
  }
  const stepsPerEpoch = Math.ceil(o.trainIndices.length / o.batchSize);
  const totalSteps = stepsPerEpoch * o.epochs;
  const schedule: Schedule =
    (o.schedule ?? "cosine") === "cosine"
      ? linearWarmup(
          cosineSchedule({ lr: o.lr, minLr: o.lr * 0.01, period: Math.max(1, totalSteps) }),
          {
            warmupSteps: Math.min(stepsPerEpoch, Math.max(1, Math.floor(totalSteps / 20))),
          },
        )
      : new ReduceOnPlateau(o.lr, { factor: 0.5, patience: 5, minLr: o.lr * 1e-3 });
  const optimizer = new AMSGrad(model, { lr: o.lr });
  const trainer = new Trainer<GraphBatch>({
    model,
    optimizer,
    schedule,
    trainBatches: (_epoch, rng) => trainBatchIterator(ds, o.trainIndices, o.batchSize, cutoff, rng),
    loss,
    validationBatches: () => validBatches,
    metrics,
    epochs: o.epochs,
    seed: o.seed,
    ...(o.clipGradNorm === undefined ? {} : { clipGradNorm: o.clipGradNorm }),
    ...(o.emaDecay === undefined ? {} : { ema: { decay: o.emaDecay, warmup: true } }),
    ...(o.earlyStoppingPatience === undefined
      ? {}
      : { earlyStopping: { patience: o.earlyStoppingPatience } }),
    monitor: "val_loss",
    ...(o.outDir === undefined
      ? {}
      : { checkpointDir: o.outDir, logFile: join(o.outDir, "train.jsonl") }),
    logEvery: o.logEvery ?? (engine.backend.supportsSyncRead ? 1 : 10),
    progress: o.progress ?? "auto",
    conventionVersion: CONVENTION_VERSION,
    config: {
      model: model.config,
      dtype,
      dataset: ds.id,
      epochs: o.epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      forceWeight: o.forceWeight,
      seed: o.seed,
    },
    datasetStatistics: {
      scale,
      energyPerAtom: stats.energyPerAtom,
      forceRms: stats.forceRms,
      residualStd: stats.residualStd,
    },
  });
  const resumed = o.resume === true && o.outDir !== undefined ? trainer.resume() : false;
  const started = performance.now();
  const limit = new AbortController();
  o.signal?.addEventListener("abort", () => limit.abort(), { once: true });
  const timer =
    o.maxSeconds === undefined ? undefined : setTimeout(() => limit.abort(), o.maxSeconds * 1000);
  let fit: FitResult;
  try {
    fit = await trainer.fit({ signal: limit.signal });
  } finally {
    clearTimeout(timer);
  }
  const seconds = (performance.now() - started) / 1000;
  loadBest(trainer, model, o.outDir);
  const saved: SavedCormorant = {
    format: MODEL_FORMAT,
    formatVersion: 1,
    conventionVersion: CONVENTION_VERSION,
    config: model.config,
    dtype,
    energyStatistics: model.energyStatistics(),
    units: { energy: energyUnit(ds), length: ds.units.length, forces: forceUnit(ds) },
    dataset: { id: ds.id },
    state: await model.stateDictAsync(),
    metrics: { ...fit.lastMetrics, best: fit.best, epochs: fit.epochs, stopReason: fit.stopReason },
  };
  if (o.outDir !== undefined) saveCormorant(o.outDir, saved);
  return { model, fit, saved, seconds, resumed };
}

/** Loads the best weights that the trainer saved, else the EMA weights when there are any. */
function loadBest(
  trainer: Trainer<GraphBatch>,
  model: Cormorant,
  outDir: string | undefined,
): void {
  const path = outDir === undefined ? null : join(outDir, "best.json");
  if (path !== null && existsSync(path)) {
    const record = JSON.parse(readFileSync(path, "utf8")) as { model: StateDict };
    model.loadStateDict(record.model);
    return;
  }
  trainer.ema?.swapIn();
}

function* trainBatchIterator(
  ds: AtomsDataset,
  indices: Int32Array,
  batchSize: number,
  cutoff: number,
  rng: Random,
): Generator<GraphBatch> {
  const order = rng.shuffle(Array.from(indices));
  for (let i = 0; i < order.length; i += batchSize) {
    yield makeBatch(ds, order.slice(i, i + batchSize), { cutoff });
  }
}

/**
 * Energy and force errors of `model` on `indices` of `ds`, in the dataset's units. Forces are
 * evaluated when the dataset has them and `forces` is not false. Predictions are read back with
 * `await tensor.data()`, once per batch, so this runs on every backend (WebGPU included); the
 * errors are summed on the host in float64.
 */
export async function evaluateCormorant(
  model: Cormorant,
  ds: AtomsDataset,
  indices: ArrayLike<number>,
  options: { readonly batchSize?: number; readonly forces?: boolean } = {},
): Promise<EnergyForceMetrics> {
  const engine = model.engine;
  const batchSize = options.batchSize ?? 50;
  const inputOptions = {
    species: model.config.species,
    chargePower: model.config.chargePower,
    dtype: model.dtype,
  };
  let eAbs = 0;
  let eSq = 0;
  let fAbs = 0;
  let fSq = 0;
  let count = 0;
  let components = 0;
  let withForces = options.forces !== false;
  for (let start = 0; start < indices.length; start += batchSize) {
    const chunk = Array.from(
      { length: Math.min(batchSize, indices.length - start) },
      (_, k) => indices[start + k] as number,
    );
    const batch = makeBatch(ds, chunk, { cutoff: model.config.cutoff });
    withForces = withForces && batch.forces !== undefined;
    // The scope frees the intermediates; the outputs survive it and are disposed after the read.
    const out = engine.scope(() => {
      const input = toAtomsInput(engine, batch, inputOptions);
      return withForces
        ? model.energiesAndForces(input)
        : { energies: model.energies(input), forces: null };
    });
    let e: ArrayLike<number>;
    let f: ArrayLike<number> | null;
    try {
      [e, f] = await Promise.all([out.energies.data(), out.forces?.data() ?? null]);
    } finally {
      out.energies.dispose();
      out.forces?.dispose();
    }
    for (let i = 0; i < e.length; i++) {
      const d = (e[i] as number) - (batch.energies as Float64Array)[i]!;
      eAbs += Math.abs(d);
      eSq += d * d;
    }
    count += e.length;
    if (f !== null) {
      for (let i = 0; i < f.length; i++) {
        const d = (f[i] as number) - (batch.forces as Float64Array)[i]!;
        fAbs += Math.abs(d);
        fSq += d * d;
      }
      components += f.length;
    }
  }
  const result: EnergyForceMetrics = {
    count,
    energy: { mae: eAbs / count, rmse: Math.sqrt(eSq / count), unit: energyUnit(ds) },
    ...(withForces && components > 0
      ? {
          forces: {
            mae: fAbs / components,
            rmse: Math.sqrt(fSq / components),
            unit: forceUnit(ds),
          },
        }
      : {}),
  };
  return result;
}
