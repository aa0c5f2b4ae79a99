/**
 * Exponential moving average of weights.
 *
 * @module
 */
import { ArgumentError, add, mul, type Tensor } from "@covnet/core";
import { StateDictError } from "../errors.js";
import { fromRecord, toRecord, toRecordsAsync } from "../internal/records.js";
import { Module, type TensorRecord } from "../module.js";
import type { Parameter } from "../parameter.js";

/** Serialisable state of an {@link ExponentialMovingAverage}. */
export interface EmaState {
  readonly decay: number;
  readonly numUpdates: number;
  readonly shadow: { readonly [parameter: string]: TensorRecord };
}

/**
 * Keeps `shadow <- d shadow + (1 - d) p` for every parameter after each optimizer step, where
 * `d = decay`, or `min(decay, (1 + n) / (10 + n))` after `n` updates when `warmup` is set (so
 * early averages are not dominated by the initial weights). {@link ExponentialMovingAverage.withAverage}
 * evaluates with the averaged weights swapped in.
 */
export class ExponentialMovingAverage {
  readonly decay: number;
  readonly warmup: boolean;
  readonly #parameters: Map<string, Parameter>;
  readonly #shadow = new Map<string, Tensor>();
  #numUpdates = 0;
  #swapped: Map<string, Tensor> | null = null;

  /** @throws {ArgumentError} when `decay` is outside `[0, 1)`. */
  constructor(
    parameters: Module | ReadonlyMap<string, Parameter>,
    options: { readonly decay: number; readonly warmup?: boolean },
  ) {
    if (!(options.decay >= 0 && options.decay < 1)) {
      throw new ArgumentError(
        `ExponentialMovingAverage: decay must be in [0, 1), got ${options.decay}`,
      );
    }
    this.decay = options.decay;
    this.warmup = options.warmup ?? false;
    this.#parameters =
      parameters instanceof Module ? parameters.trainableParameters() : new Map(parameters);
    for (const [name, p] of this.#parameters) {
      this.#shadow.set(name, p.engine.keep(p.engine.noGrad(() => add(p.value, 0))));
    }
  }

  /** Number of {@link ExponentialMovingAverage.update} calls. */
  get numUpdates(): number {
    return this.#numUpdates;
  }

  /** Decay used by the next update. */
  currentDecay(): number {
    const n = this.#numUpdates;
    return this.warmup ? Math.min(this.decay, (1 + n) / (10 + n)) : this.decay;
  }

  /** Folds the current parameters into the averages; call after each optimizer step. */
  update(): void {
    this.#assertNotSwapped("update");
    const d = this.currentDecay();
    for (const [name, p] of this.#parameters) {
      const engine = p.engine;
      const previous = this.#shadow.get(name) as Tensor;
      const next = engine.noGrad(() =>
        engine.scope(() => add(mul(previous, d), mul(p.value, 1 - d))),
      );
      this.#shadow.set(name, engine.keep(next));
      previous.dispose();
    }
    this.#numUpdates++;
  }

  /** Copies the averaged value of one parameter; the caller disposes the copy. */
  averaged(name: string): Tensor {
    const t = this.#shadow.get(name);
    if (t === undefined)
      throw new ArgumentError(`ExponentialMovingAverage: no parameter "${name}"`);
    return t.engine.noGrad(() => add(t, 0));
  }

  /** Puts the averaged weights into the parameters; undo with {@link ExponentialMovingAverage.restore}. */
  swapIn(): void {
    this.#assertNotSwapped("swapIn");
    const saved = new Map<string, Tensor>();
    for (const [name, p] of this.#parameters)
      saved.set(name, p.swap(this.#shadow.get(name) as Tensor));
    this.#swapped = saved;
  }

  /** Puts the training weights back after {@link ExponentialMovingAverage.swapIn}. */
  restore(): void {
    const saved = this.#swapped;
    if (saved === null)
      throw new ArgumentError("ExponentialMovingAverage.restore: the averages are not swapped in");
    for (const [name, p] of this.#parameters)
      this.#shadow.set(name, p.swap(saved.get(name) as Tensor));
    this.#swapped = null;
  }

  /** Runs `fn` with the averaged weights swapped in, restoring the training weights after. */
  withAverage<T>(fn: () => T): T {
    this.swapIn();
    try {
      return fn();
    } finally {
      this.restore();
    }
  }

  /**
   * Runs the asynchronous `fn` with the averaged weights swapped in, restoring the training
   * weights once its promise settles. Nothing may update or swap the weights meanwhile.
   */
  async withAverageAsync<T>(fn: () => Promise<T>): Promise<T> {
    this.swapIn();
    try {
      return await fn();
    } finally {
      this.restore();
    }
  }

  /**
   * Copies the averages into plain JSON with synchronous reads.
   *
   * @throws {Error} on backends without synchronous reads (WebGPU); use
   *   {@link ExponentialMovingAverage.stateAsync} there.
   */
  state(): EmaState {
    this.#assertNotSwapped("state");
    const shadow: Record<string, TensorRecord> = {};
    for (const [name, t] of this.#shadow) shadow[name] = toRecord(t);
    return { decay: this.decay, numUpdates: this.#numUpdates, shadow };
  }

  /**
   * Copies the averages into plain JSON with asynchronous reads, which every backend supports.
   * The result equals {@link ExponentialMovingAverage.state}.
   */
  async stateAsync(): Promise<EmaState> {
    this.#assertNotSwapped("stateAsync");
    const numUpdates = this.#numUpdates;
    const shadow = await toRecordsAsync(this.#shadow);
    return { decay: this.decay, numUpdates, shadow };
  }

  /**
   * Restores {@link ExponentialMovingAverage.state}.
   *
   * @throws {StateDictError} naming each missing or mis-shaped average.
   */
  loadState(state: EmaState): void {
    this.#assertNotSwapped("loadState");
    const loaded = new Map<string, Tensor>();
    const problems: string[] = [];
    for (const [name, p] of this.#parameters) {
      const t = fromRecord(p.engine, state.shadow[name], p.value, `average of "${name}"`);
      if (typeof t === "string") problems.push(t);
      else loaded.set(name, t);
    }
    if (problems.length > 0) {
      for (const t of loaded.values()) t.dispose();
      throw new StateDictError(`cannot load EMA state:\n  ${problems.join("\n  ")}`);
    }
    for (const t of this.#shadow.values()) t.dispose();
    for (const [name, t] of loaded) this.#shadow.set(name, t);
    this.#numUpdates = state.numUpdates;
  }

  /** Disposes the averages. */
  dispose(): void {
    if (this.#swapped !== null) this.restore();
    for (const t of this.#shadow.values()) t.dispose();
    this.#shadow.clear();
  }

  #assertNotSwapped(op: string): void {
    if (this.#swapped !== null) {
      throw new ArgumentError(
        `ExponentialMovingAverage.${op}: restore() the training weights first`,
      );
    }
  }
}
