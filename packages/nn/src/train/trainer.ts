/**
 * The trainer: epochs of gradient steps with validation, early stopping, best-model tracking,
 * progress output, a JSON-lines log, and checkpoints that resume a run exactly.
 *
 * @module
 */
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Writable } from "node:stream";
import {
  ArgumentError,
  add,
  type Engine,
  isFloatDType,
  Random,
  reshape,
  type Tensor,
  valueAndGrads,
} from "@covnet/core";
import { Data, Effect, Exit, Fiber } from "effect";
import type { AtomicWriteHooks } from "../internal/atomic.js";
import { writeFileAtomic } from "../internal/atomic.js";
import { createProgress, type ProgressMode, type ProgressReporter } from "../internal/progress.js";
import type { Module, StateDict } from "../module.js";
import { clipGradNorm, clipGradValue } from "../optim/clip.js";
import { ExponentialMovingAverage } from "../optim/ema.js";
import type { Optimizer } from "../optim/optimizer.js";
import { constantSchedule, type Schedule } from "../optim/schedules.js";
import type { Parameter } from "../parameter.js";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  type Checkpoint,
  type CheckpointReason,
  type MonitorState,
  readCheckpoint,
  writeCheckpoint,
} from "./checkpoint.js";

/** A failure inside the training loop: a step, the data iterator, validation or file output. */
export class TrainingError extends Data.TaggedError("TrainingError")<{
  readonly message: string;
  readonly cause: unknown;
}> {}

/** Batches of one epoch, synchronous or asynchronous. */
export type Batches<B> = Iterable<B> | AsyncIterable<B>;

/** Early stopping settings. */
export interface EarlyStoppingOptions {
  /** Epochs without improvement of the monitored metric before training stops. */
  readonly patience: number;
  /** Minimum change that counts as an improvement. Default 0. */
  readonly minDelta?: number;
}

/** Options of {@link Trainer}. `B` is the caller's batch type. */
export interface TrainerOptions<B> {
  readonly model: Module;
  readonly optimizer: Optimizer;
  /** Learning rate per optimizer step; default the optimizer's rate, constant. */
  readonly schedule?: Schedule;
  /**
   * Creates the training batches of an epoch (0-based). Shuffle with `rng` only: on resume the
   * generator is restored and batches already done in the epoch are skipped, so the batches must
   * depend on nothing else that changes between runs.
   */
  readonly trainBatches: (epoch: number, rng: Random) => Batches<B>;
  /**
   * Scalar loss of a batch. It may take gradients itself (forces as `-dE/dx`): the trainer
   * differentiates it with `valueAndGrads`, which supports nesting.
   */
  readonly loss: (batch: B) => Tensor;
  /**
   * Computes the loss and gradients of a training batch in place of differentiating `loss` on
   * this thread, for example on worker threads. It receives the batch and the optimizer's
   * parameters and resolves with the batch loss and one gradient per parameter, in the order of
   * `Optimizer.parameters`, as host arrays. The trainer then clips the gradients, steps and
   * updates the EMA as usual; `loss` still scores validation.
   */
  readonly gradients?: (
    batch: B,
    parameters: ReadonlyMap<string, Parameter>,
  ) => Promise<ComputedGradients>;
  /**
   * Computes the validation loss of a batch in place of `loss` on this thread, like `gradients`
   * for training: it receives the batch and the optimizer's parameters (the averaged weights
   * when an EMA is kept) and resolves with the batch loss. `metrics` still run on this thread.
   */
  readonly validationLoss?: (
    batch: B,
    parameters: ReadonlyMap<string, Parameter>,
  ) => Promise<number>;
  /** Validation batches of an epoch; when given, validation runs after every epoch. */
  readonly validationBatches?: (epoch: number) => Batches<B>;
  /**
   * Extra validation metrics: scalar tensors per batch, averaged over batches (equal weight per
   * batch). Reported as `val_<name>`; the validation loss is `val_loss`.
   */
  readonly metrics?: Readonly<Record<string, (batch: B) => Tensor>>;
  readonly epochs: number;
  /** Seed of the trainer's generator, from which each epoch's data generator is forked. */
  readonly seed: number;
  /** Clip gradients to this global L2 norm. */
  readonly clipGradNorm?: number;
  /** Clamp every gradient entry to `[-clipGradValue, clipGradValue]`. */
  readonly clipGradValue?: number;
  /** Keep an exponential moving average of the weights; validation and the best model use it. */
  readonly ema?: { readonly decay: number; readonly warmup?: boolean };
  /** Stop when the monitored metric stops improving. */
  readonly earlyStopping?: EarlyStoppingOptions;
  /**
   * Metric that selects the best model and drives early stopping and the schedule's
   * `observe`. Default `val_loss` with validation, else `train_loss`.
   */
  readonly monitor?: string;
  /** Whether lower (`min`, default) or higher values of the monitored metric are better. */
  readonly monitorMode?: "min" | "max";
  /**
   * Directory for `latest.json` (written every `checkpointEvery` epochs and on interruption) and
   * `best.json` (the best model's state dict). No checkpoints when omitted.
   */
  readonly checkpointDir?: string;
  /** Epochs between checkpoints. Default 1. */
  readonly checkpointEvery?: number;
  /** JSON-lines log file, appended to. */
  readonly logFile?: string;
  /**
   * Log a `step` record every this many optimizer steps. Default 1. On backends without
   * synchronous reads (WebGPU) the loss of a step is read back only when the step is logged or
   * `onStep` is set, so a larger interval keeps the device from waiting on the host.
   */
  readonly logEvery?: number;
  /** Progress output: a bar on a TTY, plain lines elsewhere (`auto`, the default), or none. */
  readonly progress?: ProgressMode;
  /** Stream for progress output. Default `process.stderr`. */
  readonly progressStream?: Writable & { isTTY?: boolean };
  /** Convention version stored in checkpoints and required on resume. */
  readonly conventionVersion: string;
  /** The caller's run configuration, stored in checkpoints as given (JSON). */
  readonly config?: unknown;
  /** Dataset statistics, stored in checkpoints as given (JSON). */
  readonly datasetStatistics?: unknown;
  /**
   * Called after every optimizer step (for tests and custom monitoring). Setting it reads the
   * loss back after every step, which stalls GPU backends.
   */
  readonly onStep?: (info: StepInfo) => void;
  /** Called after every epoch with its metrics. */
  readonly onEpochEnd?: (info: EpochInfo) => void;
  /** @internal Hooks of the atomic checkpoint writer, for crash tests. */
  readonly checkpointHooks?: AtomicWriteHooks;
}

/** Result of {@link TrainerOptions.gradients}. */
export interface ComputedGradients {
  /** Loss of the batch. */
  readonly loss: number;
  /** One gradient per optimizer parameter, in order, each with the parameter's element count. */
  readonly grads: readonly ArrayLike<number>[];
}

/** Information passed to {@link TrainerOptions.onStep}. */
export interface StepInfo {
  /** 0-based epoch. */
  readonly epoch: number;
  /** 1-based batch number within the epoch. */
  readonly batch: number;
  /** Optimizer steps completed over the run. */
  readonly globalStep: number;
  readonly loss: number;
  readonly lr: number;
}

/** Information passed to {@link TrainerOptions.onEpochEnd}. */
export interface EpochInfo {
  /** Number of completed epochs (1-based index of this epoch). */
  readonly epoch: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** Reason a training run ended. */
export type StopReason = "completed" | "early-stopping" | "interrupted";

/** Result of a training run. */
export interface FitResult {
  readonly stopReason: StopReason;
  /** Completed epochs. */
  readonly epochs: number;
  readonly globalStep: number;
  /** Metrics of the last completed epoch. */
  readonly lastMetrics: Readonly<Record<string, number>>;
  /** Best value of the monitored metric, and its epoch (1-based). */
  readonly best: { readonly metric: string; readonly value: number; readonly epoch: number } | null;
}

/** Options of {@link Trainer.fit}. */
export interface FitOptions {
  /** Stop (and save a checkpoint) when this signal aborts. */
  readonly signal?: AbortSignal;
  /** Interrupt on SIGINT and SIGTERM, saving a checkpoint first. Default `true`. */
  readonly handleSignals?: boolean;
}

/**
 * Trains a model. The loop is an Effect program ({@link Trainer.fitEffect}); interrupting it
 * (SIGINT, SIGTERM, an abort signal or `Fiber.interrupt`) lands between optimizer steps and
 * runs a finalizer that writes a checkpoint, from which {@link Trainer.resume} continues with
 * the same results as an uninterrupted run. {@link Trainer.fit} is the Promise API.
 *
 * A step is {@link Trainer.computeGradients} then {@link Trainer.applyGradients}. Data-parallel
 * training replaces the first by {@link TrainerOptions.gradients}, which computes the batch's
 * gradients on other threads and combines them before the update.
 *
 * The loop reads tensors only asynchronously, so it runs on backends without synchronous reads
 * (WebGPU). It sums the epoch loss and the validation metrics on the device and reads each sum
 * once. There a step's loss is read back only for a logged step or an `onStep` callback.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ model, optimizer, loss, trainBatches, epochs: 10, seed: 1,
 *   conventionVersion: "1" });
 * const result = await trainer.fit();
 * ```
 */
export class Trainer<B> {
  readonly options: TrainerOptions<B>;
  readonly model: Module;
  readonly optimizer: Optimizer;
  readonly schedule: Schedule;
  readonly ema: ExponentialMovingAverage | null;
  #rng: Random;
  #epochRngState: ReturnType<Random["state"]> | null = null;
  #epoch = 0;
  #batchInEpoch = 0;
  // The training losses of the epoch in progress sum to `#epochLossBase` (restored from a
  // checkpoint, or 0) plus the losses since, which are summed on the device in `#epochLossSum`
  // so that no step has to read its loss back. `#epochLossSum` is null until the first step
  // after a reset or resume.
  #epochLossBase = 0;
  #epochLossSum: Tensor | null = null;
  #epochLossCount = 0;
  #globalStep = 0;
  #monitor: MonitorState = { best: null, bestEpoch: 0, badEpochs: 0 };
  #batchesPerEpoch: number | null = null;
  #lastMetrics: Record<string, number> = {};
  #progress: ProgressReporter;

  /** @throws {ArgumentError} on invalid epochs, patience or intervals. */
  constructor(options: TrainerOptions<B>) {
    if (!Number.isInteger(options.epochs) || options.epochs < 0) {
      throw new ArgumentError(`Trainer: epochs must be an integer >= 0, got ${options.epochs}`);
    }
    const every = options.checkpointEvery ?? 1;
    if (!Number.isInteger(every) || every < 1) {
      throw new ArgumentError(`Trainer: checkpointEvery must be an integer >= 1, got ${every}`);
    }
    const patience = options.earlyStopping?.patience;
    if (patience !== undefined && (!Number.isInteger(patience) || patience < 0)) {
      throw new ArgumentError(
        `Trainer: earlyStopping.patience must be an integer >= 0, got ${patience}`,
      );
    }
    this.options = options;
    this.model = options.model;
    this.optimizer = options.optimizer;
    this.schedule = options.schedule ?? constantSchedule(options.optimizer.lr);
    this.ema =
      options.ema === undefined
        ? null
        : new ExponentialMovingAverage(this.optimizer.parameters, options.ema);
    this.#rng = new Random(options.seed);
    this.#progress = createProgress(
      options.progress ?? "auto",
      options.progressStream ?? process.stderr,
    );
    if (options.checkpointDir !== undefined) mkdirSync(options.checkpointDir, { recursive: true });
  }

  /** Completed epochs. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Completed optimizer steps. */
  get globalStep(): number {
    return this.#globalStep;
  }

  /** Name of the monitored metric. */
  get monitorName(): string {
    return (
      this.options.monitor ??
      (this.options.validationBatches === undefined ? "train_loss" : "val_loss")
    );
  }

  /** Path of the latest checkpoint, or null without a checkpoint directory. */
  get latestCheckpointPath(): string | null {
    return this.options.checkpointDir === undefined
      ? null
      : join(this.options.checkpointDir, "latest.json");
  }

  /**
   * Loss and gradients of one batch, one gradient per optimizer parameter, in order. The results
   * belong to the caller's scope.
   */
  computeGradients(batch: B): { readonly loss: Tensor; readonly grads: Tensor[] } {
    const { value, grads } = valueAndGrads(
      () => this.options.loss(batch),
      this.optimizer.tensors(),
    );
    return { loss: value, grads };
  }

  /**
   * Clips the gradients (when configured), sets the learning rate from the schedule, takes an
   * optimizer step and updates the EMA. Does not dispose `grads`.
   */
  applyGradients(grads: readonly Tensor[]): void {
    let g: readonly Tensor[] = grads;
    if (this.options.clipGradValue !== undefined) g = clipGradValue(g, this.options.clipGradValue);
    if (this.options.clipGradNorm !== undefined)
      g = clipGradNorm(g, this.options.clipGradNorm).grads;
    this.optimizer.lr = this.schedule.value(this.#globalStep);
    this.optimizer.step(g);
    this.ema?.update();
  }

  /**
   * Takes one optimizer step on `batch`, releases its intermediates and returns the loss, read
   * back synchronously.
   *
   * @throws {Error} on backends without synchronous reads (WebGPU); use
   *   {@link Trainer.trainStepAsync} there.
   */
  trainStep(batch: B): number {
    const loss = this.#runStep(batch);
    try {
      return loss.item();
    } finally {
      loss.dispose();
    }
  }

  /** Takes one optimizer step on `batch` like {@link Trainer.trainStep}, reading the loss back asynchronously. */
  async trainStepAsync(batch: B): Promise<number> {
    const loss = this.#runStep(batch);
    try {
      return await readNumber(loss);
    } finally {
      loss.dispose();
    }
  }

  /** Takes one optimizer step and returns the loss as a kept scalar that the caller disposes. */
  #runStep(batch: B): Tensor {
    const engine = this.#engine();
    engine.startScope();
    try {
      const { loss, grads } = this.computeGradients(batch);
      checkScalar(loss);
      this.applyGradients(grads);
      // A new handle on the loss's storage, so disposing it never frees a tensor the caller kept.
      return engine.keep(engine.detach(loss));
    } finally {
      engine.endScope(undefined);
    }
  }

  /**
   * Restores the trainer from a checkpoint (default: `latest.json` in the checkpoint
   * directory): model, optimizer, schedule, EMA, generators, counters and early-stopping state.
   *
   * @returns False when `path` is omitted and no latest checkpoint exists yet, else true.
   * @throws {CheckpointError} on an unreadable checkpoint or another convention version.
   * @throws {StateDictError} when the checkpoint does not match the model or optimizer.
   */
  resume(path?: string): boolean {
    const target = path ?? this.latestCheckpointPath;
    if (target === null) throw new ArgumentError("Trainer.resume: no path and no checkpointDir");
    if (path === undefined && !existsSync(target)) return false;
    const c = readCheckpoint(target, this.options.conventionVersion);
    this.model.loadStateDict(c.model);
    this.optimizer.loadState(c.optimizer);
    this.schedule.loadState(c.schedule);
    if (this.ema !== null && c.ema !== null) this.ema.loadState(c.ema);
    this.#rng = Random.fromState(c.rng);
    this.#epochRngState = c.epochRng;
    this.#epoch = c.epoch;
    this.#batchInEpoch = c.batchInEpoch;
    this.#resetEpochLoss(c.epochLoss.sum, c.epochLoss.count);
    this.#globalStep = c.globalStep;
    this.#monitor = c.monitor;
    this.#log({
      type: "resume",
      path: target,
      epoch: c.epoch,
      batchInEpoch: c.batchInEpoch,
      globalStep: c.globalStep,
    });
    return true;
  }

  /**
   * Builds the checkpoint of the current state, reading tensors synchronously.
   *
   * @throws {Error} on backends without synchronous reads (WebGPU); use
   *   {@link Trainer.checkpointAsync} there.
   */
  checkpoint(reason: CheckpointReason): Checkpoint {
    const sum = this.#epochLossSum === null ? this.#epochLossBase : this.#epochLossSum.item();
    return {
      ...this.#checkpointHeader(reason),
      epochLoss: { sum, count: this.#epochLossCount },
      model: this.model.stateDict(),
      optimizer: this.optimizer.state(),
      ema: this.ema?.state() ?? null,
    };
  }

  /**
   * Builds the checkpoint of the current state with asynchronous reads, which every backend
   * supports. Take no step before the promise settles.
   */
  async checkpointAsync(reason: CheckpointReason): Promise<Checkpoint> {
    const header = this.#checkpointHeader(reason);
    const count = this.#epochLossCount;
    const [sum, model, optimizer, ema] = await Promise.all([
      this.#epochLossSum === null ? this.#epochLossBase : readNumber(this.#epochLossSum),
      this.model.stateDictAsync(),
      this.optimizer.stateAsync(),
      this.ema?.stateAsync() ?? null,
    ]);
    return { ...header, epochLoss: { sum, count }, model, optimizer, ema };
  }

  /** The parts of a checkpoint that need no tensor reads. */
  #checkpointHeader(
    reason: CheckpointReason,
  ): Omit<Checkpoint, "epochLoss" | "model" | "optimizer" | "ema"> {
    return {
      format: CHECKPOINT_FORMAT,
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      conventionVersion: this.options.conventionVersion,
      reason,
      savedAt: new Date().toISOString(),
      config: this.options.config ?? null,
      datasetStatistics: this.options.datasetStatistics ?? null,
      epoch: this.#epoch,
      batchInEpoch: this.#batchInEpoch,
      globalStep: this.#globalStep,
      schedule: this.schedule.state(),
      rng: this.#rng.state(),
      epochRng: this.#epochRngState,
      monitor: this.#monitor,
    };
  }

  /**
   * Writes `latest.json` atomically, reading tensors synchronously; does nothing without a
   * checkpoint directory.
   *
   * @throws {Error} on backends without synchronous reads (WebGPU); use
   *   {@link Trainer.saveCheckpointAsync} there.
   */
  saveCheckpoint(reason: CheckpointReason): void {
    if (this.latestCheckpointPath === null) return;
    this.#writeLatest(this.checkpoint(reason));
  }

  /**
   * Writes `latest.json` atomically with asynchronous reads, which every backend supports; does
   * nothing without a checkpoint directory.
   */
  async saveCheckpointAsync(reason: CheckpointReason): Promise<void> {
    if (this.latestCheckpointPath === null) return;
    this.#writeLatest(await this.checkpointAsync(reason));
  }

  #writeLatest(checkpoint: Checkpoint): void {
    const path = this.latestCheckpointPath as string;
    writeCheckpoint(path, checkpoint, this.options.checkpointHooks ?? {});
    this.#log({
      type: "checkpoint",
      reason: checkpoint.reason,
      path,
      epoch: checkpoint.epoch,
      globalStep: checkpoint.globalStep,
    });
  }

  /**
   * Builds the training loop as an Effect program. Interruption between steps writes a checkpoint
   * (reason `interrupt`) before the fiber ends.
   */
  fitEffect(): Effect.Effect<FitResult, TrainingError> {
    const loop = Effect.gen(this, function* () {
      let stopReason: StopReason = "completed";
      while (this.#epoch < this.options.epochs) {
        const started = performance.now();
        const trainLoss = yield* this.#trainEpoch();
        const metrics: Record<string, number> = { train_loss: trainLoss };
        if (this.options.validationBatches !== undefined) {
          Object.assign(metrics, yield* this.#validate(this.#epoch));
        }
        this.#epoch++;
        this.#batchInEpoch = 0;
        this.#epochRngState = null;
        this.#lastMetrics = metrics;
        const stop = yield* Effect.uninterruptible(
          attemptPromise("epoch bookkeeping", () => this.#endEpoch(metrics, started)),
        );
        if (stop) {
          stopReason = "early-stopping";
          break;
        }
      }
      yield* attemptPromise("final checkpoint", () => this.saveCheckpointAsync("final"));
      return stopReason;
    });
    return loop.pipe(
      Effect.onInterrupt(() =>
        Effect.promise(() => {
          this.#progress.message(
            `interrupted at epoch ${this.#epoch + 1}, step ${this.#globalStep}; saving checkpoint`,
          );
          return this.saveCheckpointAsync("interrupt");
        }),
      ),
      Effect.map((stopReason) => this.#result(stopReason)),
      Effect.ensuring(Effect.sync(() => this.#progress.close())),
    );
  }

  /**
   * Runs {@link Trainer.fitEffect} and resolves with the result. On SIGINT or SIGTERM (unless
   * `handleSignals` is false) or when `signal` aborts, the run is interrupted between steps, a
   * checkpoint is written, and the promise resolves with `stopReason: "interrupted"`.
   *
   * @throws {TrainingError} when a step, the data, validation or file output fails.
   */
  async fit(options: FitOptions = {}): Promise<FitResult> {
    const fiber = Effect.runFork(this.fitEffect());
    const interrupt = () => {
      Effect.runFork(Fiber.interrupt(fiber));
    };
    const handleSignals = options.handleSignals ?? true;
    if (handleSignals) {
      process.once("SIGINT", interrupt);
      process.once("SIGTERM", interrupt);
    }
    options.signal?.addEventListener("abort", interrupt, { once: true });
    if (options.signal?.aborted === true) interrupt();
    try {
      const exit = await Effect.runPromise(Fiber.await(fiber));
      if (Exit.isSuccess(exit)) return exit.value;
      if (Exit.isInterrupted(exit)) return this.#result("interrupted");
      const failure = exit.cause._tag === "Fail" ? exit.cause.error : null;
      if (failure !== null) throw failure;
      throw new TrainingError({ message: "training failed", cause: exit.cause });
    } finally {
      if (handleSignals) {
        process.off("SIGINT", interrupt);
        process.off("SIGTERM", interrupt);
      }
      options.signal?.removeEventListener("abort", interrupt);
    }
  }

  #trainEpoch(): Effect.Effect<number, TrainingError> {
    return Effect.gen(this, function* () {
      const epoch = this.#epoch;
      if (this.#epochRngState === null) {
        this.#epochRngState = this.#rng.fork().state();
      }
      const epochRng = Random.fromState(this.#epochRngState);
      const iterator = yield* attempt("creating training batches", () =>
        iteratorOf(this.options.trainBatches(epoch, epochRng)),
      );
      const skip = this.#batchInEpoch;
      if (skip === 0) this.#resetEpochLoss(0, 0);
      let index = 0;
      while (true) {
        const next = yield* nextBatch(iterator);
        if (next.done === true) break;
        index++;
        if (index <= skip) continue;
        // Uninterruptible, so an interruption never lands between the optimizer update and the
        // counters that a checkpoint records.
        yield* Effect.uninterruptible(this.#trainBatch(epoch, index, next.value));
        yield* yieldToEventLoop;
      }
      this.#batchesPerEpoch = index;
      const sum = yield* attemptPromise("reading the training loss", () => this.#settleEpochLoss());
      const count = this.#epochLossCount;
      return count === 0 ? Number.NaN : sum / count;
    });
  }

  /** Takes one optimizer step with its bookkeeping. The loss is read back only when reported. */
  #trainBatch(epoch: number, index: number, batch: B): Effect.Effect<void, TrainingError> {
    const external = this.options.gradients;
    if (external !== undefined) return this.#trainComputedBatch(epoch, index, batch, external);
    return Effect.gen(this, function* () {
      const loss = yield* attempt(`training step ${this.#globalStep + 1}`, () => {
        const value = this.#runStep(batch);
        try {
          this.#epochLossSum = accumulate(this.#epochLossSum, value, this.#epochLossBase);
        } catch (error) {
          value.dispose();
          throw error;
        }
        return value;
      });
      this.#batchInEpoch = index;
      this.#globalStep++;
      this.#epochLossCount++;
      const read = this.#reportsStepLoss()
        ? attemptPromise(`reading the loss of step ${this.#globalStep}`, () => readNumber(loss))
        : Effect.succeed(null);
      const value = yield* read.pipe(Effect.ensuring(Effect.sync(() => loss.dispose())));
      if (value !== null) this.#afterStep(epoch, index, value);
    });
  }

  /**
   * Takes one optimizer step with gradients from {@link TrainerOptions.gradients}. The loss is a
   * host number, so the epoch sum stays on the host.
   */
  #trainComputedBatch(
    epoch: number,
    index: number,
    batch: B,
    external: NonNullable<TrainerOptions<B>["gradients"]>,
  ): Effect.Effect<void, TrainingError> {
    return Effect.gen(this, function* () {
      const stepName = `training step ${this.#globalStep + 1}`;
      const computed = yield* attemptPromise(stepName, () =>
        external(batch, this.optimizer.parameters),
      );
      yield* attempt(stepName, () => this.#applyComputed(computed));
      this.#batchInEpoch = index;
      this.#globalStep++;
      this.#epochLossCount++;
      this.#epochLossBase += computed.loss;
      this.#afterStep(epoch, index, computed.loss);
    });
  }

  /** Checks host gradients against the parameters and applies them. */
  #applyComputed(computed: ComputedGradients): void {
    const parameters = [...this.optimizer.parameters.entries()];
    if (typeof computed.loss !== "number" || !Array.isArray(computed.grads)) {
      throw new ArgumentError("Trainer: gradients must resolve with { loss, grads }");
    }
    if (computed.grads.length !== parameters.length) {
      throw new ArgumentError(
        `Trainer: gradients returned ${computed.grads.length} arrays for ${parameters.length} parameters`,
      );
    }
    const engine = this.#engine();
    engine.startScope();
    try {
      const grads = parameters.map(([name, p], i) => {
        const g = computed.grads[i] as ArrayLike<number>;
        if (g.length !== p.value.size) {
          throw new ArgumentError(
            `Trainer: the gradient of ${name} has ${g.length} elements, expected ${p.value.size}`,
          );
        }
        return engine.makeTensor(g, p.value.shape, p.value.dtype);
      });
      this.applyGradients(grads);
    } finally {
      engine.endScope(undefined);
    }
  }

  /**
   * Whether the loss of the step just taken is read back: always where reads are synchronous
   * (cheap), else only when a step record is due or `onStep` wants it.
   */
  #reportsStepLoss(): boolean {
    if (this.#engine().backend.supportsSyncRead) return true;
    if (this.options.onStep !== undefined) return true;
    const every = this.options.logEvery ?? 1;
    return this.options.logFile !== undefined && this.#globalStep % every === 0;
  }

  #afterStep(epoch: number, batch: number, loss: number): void {
    const lr = this.optimizer.lr;
    this.#progress.step(epoch + 1, this.options.epochs, batch, this.#batchesPerEpoch, loss, lr);
    const every = this.options.logEvery ?? 1;
    if (this.#globalStep % every === 0) {
      this.#log({ type: "step", epoch: epoch + 1, batch, globalStep: this.#globalStep, loss, lr });
    }
    this.options.onStep?.({ epoch, batch, globalStep: this.#globalStep, loss, lr });
  }

  /** Starts the epoch loss from `sum` over `count` steps, dropping the device sum. */
  #resetEpochLoss(sum: number, count: number): void {
    this.#epochLossSum?.dispose();
    this.#epochLossSum = null;
    this.#epochLossBase = sum;
    this.#epochLossCount = count;
  }

  /** Reads the epoch loss sum back once and keeps it on the host, releasing the device sum. */
  async #settleEpochLoss(): Promise<number> {
    const device = this.#epochLossSum;
    if (device === null) return this.#epochLossBase;
    const sum = await readNumber(device);
    this.#resetEpochLoss(sum, this.#epochLossCount);
    return sum;
  }

  #validate(epoch: number): Effect.Effect<Record<string, number>, TrainingError> {
    const make = this.options.validationBatches as (epoch: number) => Batches<B>;
    const metricFns = Object.entries(this.options.metrics ?? {});
    // Sums of the loss and each metric over the batches, kept on the device and read once.
    const deviceSums: Array<Tensor | null> = new Array(metricFns.length + 1).fill(null);
    const release = Effect.sync(() => {
      for (const t of deviceSums) t?.dispose();
    });
    const run = Effect.gen(this, function* () {
      const iterator = yield* attempt("creating validation batches", () => iteratorOf(make(epoch)));
      let count = 0;
      // The loss sum when `validationLoss` computes it (a host number); the device sum stays null.
      let hostLoss = 0;
      while (true) {
        const next = yield* nextBatch(iterator);
        if (next.done === true) break;
        const external = this.options.validationLoss;
        if (external !== undefined) {
          const value = yield* attemptPromise("validation", () =>
            external(next.value, this.optimizer.parameters),
          );
          hostLoss += value;
        }
        yield* attempt("validation", () =>
          this.#evaluateBatch(next.value, metricFns, deviceSums, external === undefined),
        );
        count++;
        yield* yieldToEventLoop;
      }
      const sums = yield* attemptPromise("reading the validation metrics", () =>
        Promise.all(deviceSums.map((t) => (t === null ? 0 : readNumber(t)))),
      );
      const lossSum = this.options.validationLoss === undefined ? (sums[0] as number) : hostLoss;
      const out: Record<string, number> = {
        val_loss: count === 0 ? Number.NaN : lossSum / count,
      };
      metricFns.forEach(([name], i) => {
        out[`val_${name}`] = count === 0 ? Number.NaN : (sums[i + 1] as number) / count;
      });
      return out;
    }).pipe(Effect.ensuring(release));
    const ema = this.ema;
    if (ema === null) return run;
    return Effect.acquireUseRelease(
      Effect.sync(() => ema.swapIn()),
      () => run,
      () => Effect.sync(() => ema.restore()),
    );
  }

  /**
   * Adds the metrics of `batch`, and its loss when `withLoss`, to `sums` (kept scalars, replaced
   * in place; the loss is entry 0).
   */
  #evaluateBatch(
    batch: B,
    metricFns: ReadonlyArray<readonly [string, (batch: B) => Tensor]>,
    sums: Array<Tensor | null>,
    withLoss: boolean,
  ): void {
    if (!withLoss && metricFns.length === 0) return;
    const engine = this.#engine();
    engine.startScope();
    try {
      // No noGrad here: a loss that computes forces needs autodiff even in evaluation.
      const values = [withLoss ? checkScalar(this.options.loss(batch)) : null];
      for (const [, fn] of metricFns) values.push(checkScalar(fn(batch)));
      values.forEach((value, i) => {
        if (value !== null) sums[i] = accumulate(sums[i] ?? null, value, 0);
      });
    } finally {
      engine.endScope(undefined);
    }
  }

  /** Updates monitoring, schedule, best model, log and checkpoint; resolves true to stop early. */
  async #endEpoch(metrics: Record<string, number>, started: number): Promise<boolean> {
    const name = this.monitorName;
    const value = metrics[name];
    if (value === undefined) {
      throw new ArgumentError(
        `Trainer: monitored metric "${name}" is not among ${Object.keys(metrics).join(", ")}`,
      );
    }
    this.schedule.observe(value);
    const improved = this.#isImprovement(value);
    this.#monitor = improved
      ? { best: value, bestEpoch: this.#epoch, badEpochs: 0 }
      : { ...this.#monitor, badEpochs: this.#monitor.badEpochs + 1 };
    if (improved) await this.#saveBest();
    const seconds = (performance.now() - started) / 1000;
    this.#progress.epochEnd(this.#epoch, this.options.epochs, metrics, seconds);
    this.#log({
      type: "epoch",
      epoch: this.#epoch,
      globalStep: this.#globalStep,
      seconds,
      improved,
      ...metrics,
    });
    this.options.onEpochEnd?.({ epoch: this.#epoch, metrics });
    if (this.#epoch % (this.options.checkpointEvery ?? 1) === 0) {
      await this.saveCheckpointAsync("epoch");
    }
    const patience = this.options.earlyStopping?.patience;
    if (patience !== undefined && this.#monitor.badEpochs > patience) {
      this.#progress.message(
        `early stopping: ${name} has not improved for ${this.#monitor.badEpochs} epochs`,
      );
      this.#log({
        type: "early_stop",
        epoch: this.#epoch,
        metric: name,
        best: this.#monitor.best,
        bestEpoch: this.#monitor.bestEpoch,
      });
      return true;
    }
    return false;
  }

  #isImprovement(value: number): boolean {
    if (Number.isNaN(value)) return false;
    const best = this.#monitor.best;
    if (best === null) return true;
    const delta = this.options.earlyStopping?.minDelta ?? 0;
    return (this.options.monitorMode ?? "min") === "min"
      ? value < best - delta
      : value > best + delta;
  }

  async #saveBest(): Promise<void> {
    const dir = this.options.checkpointDir;
    if (dir === undefined) return;
    const state: StateDict =
      this.ema === null
        ? await this.model.stateDictAsync()
        : await this.ema.withAverageAsync(() => this.model.stateDictAsync());
    const record = {
      conventionVersion: this.options.conventionVersion,
      epoch: this.#epoch,
      metric: this.monitorName,
      value: this.#monitor.best,
      model: state,
    };
    writeFileAtomic(join(dir, "best.json"), `${JSON.stringify(record)}\n`);
  }

  #result(stopReason: StopReason): FitResult {
    const m = this.#monitor;
    return {
      stopReason,
      epochs: this.#epoch,
      globalStep: this.#globalStep,
      lastMetrics: this.#lastMetrics,
      best:
        m.best === null ? null : { metric: this.monitorName, value: m.best, epoch: m.bestEpoch },
    };
  }

  #log(record: Record<string, unknown>): void {
    const file = this.options.logFile;
    if (file === undefined) return;
    appendFileSync(
      file,
      `${JSON.stringify({ time: new Date().toISOString(), ...record }, jsonNumber)}\n`,
    );
  }

  #engine(): Engine {
    return this.optimizer.tensors()[0]?.engine as Engine;
  }
}

/** Writes non-finite numbers as strings, since JSON has no NaN or Infinity. */
function jsonNumber(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

/** Returns `t` when it is a one-element float tensor. */
function checkScalar(t: Tensor): Tensor {
  if (t.size !== 1 || !isFloatDType(t.dtype)) {
    throw new ArgumentError(`Trainer: the loss and metrics must be float scalars, got ${t}`);
  }
  return t;
}

/** Reads a one-element tensor back asynchronously (every backend supports this). */
async function readNumber(t: Tensor): Promise<number> {
  return (await t.data())[0] as number;
}

/**
 * Returns the kept scalar `sum + value` and disposes `sum`. Without `sum` the result is
 * `base + value`, so a sum restored from a checkpoint continues in the same order of additions.
 */
function accumulate(sum: Tensor | null, value: Tensor, base: number): Tensor {
  const engine = value.engine;
  const next = engine.scope(() =>
    engine.noGrad(() => add(sum ?? engine.makeTensor([base], [], value.dtype), reshape(value, []))),
  );
  engine.keep(next);
  sum?.dispose();
  return next;
}

function failure(what: string, cause: unknown): TrainingError {
  return new TrainingError({
    message: `${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    cause,
  });
}

function attempt<A>(what: string, fn: () => A): Effect.Effect<A, TrainingError> {
  return Effect.try({ try: fn, catch: (cause) => failure(what, cause) });
}

function attemptPromise<A>(what: string, fn: () => Promise<A>): Effect.Effect<A, TrainingError> {
  return Effect.tryPromise({ try: fn, catch: (cause) => failure(what, cause) });
}

/**
 * Yields to the Node.js event loop (a macrotask, unlike `Effect.yieldNow`), so signal handlers,
 * timers and I/O run between steps and an interruption can arrive.
 */
const yieldToEventLoop: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void));
  return Effect.sync(() => clearImmediate(handle));
});

type AnyIterator<B> = Iterator<B> | AsyncIterator<B>;

function iteratorOf<B>(batches: Batches<B>): AnyIterator<B> {
  if (Symbol.asyncIterator in batches) return (batches as AsyncIterable<B>)[Symbol.asyncIterator]();
  return (batches as Iterable<B>)[Symbol.iterator]();
}

function nextBatch<B>(iterator: AnyIterator<B>): Effect.Effect<IteratorResult<B>, TrainingError> {
  return Effect.tryPromise({
    try: async () => iterator.next(),
    catch: (cause) =>
      new TrainingError({
        message: `reading the next batch failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      }),
  });
}
