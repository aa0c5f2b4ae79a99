/**
 * Learning-rate schedules. A schedule maps the step number (0-based, counted in optimizer
 * steps) to a learning rate. Step-based schedules are pure functions of the step; the
 * plateau schedule also reacts to validation metrics and has state to save in checkpoints.
 * Schedules compose: {@link linearWarmup} and {@link ReduceOnPlateau} wrap another schedule,
 * and {@link sequentialSchedule} switches between schedules at given steps.
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";

/** JSON state of a schedule; `null` for stateless schedules. */
export type ScheduleState = null | {
  readonly [key: string]: ScheduleState | number | boolean | string | null;
};

/** A learning-rate schedule. */
export interface Schedule {
  /** Learning rate at optimizer step `step` (0-based). */
  value(step: number): number;
  /**
   * Reports a validation metric at the end of an epoch. Step-based schedules ignore it.
   */
  observe(metric: number): void;
  /** State for checkpoints. */
  state(): ScheduleState;
  /** Restores {@link Schedule.state}. */
  loadState(state: ScheduleState): void;
}

function assertStep(step: number): void {
  if (!Number.isInteger(step) || step < 0) {
    throw new ArgumentError(`schedule: step must be an integer >= 0, got ${step}`);
  }
}

function positive(op: string, what: string, x: number): void {
  if (!(x > 0) || !Number.isFinite(x))
    throw new ArgumentError(`${op}: ${what} must be positive, got ${x}`);
}

/** A schedule given by a pure function of the step. */
function stateless(fn: (step: number) => number): Schedule {
  return {
    value: (step) => {
      assertStep(step);
      return fn(step);
    },
    observe: () => {},
    state: () => null,
    loadState: () => {},
  };
}

/** Creates a schedule with the same learning rate at every step. */
export function constantSchedule(lr: number): Schedule {
  return stateless(() => lr);
}

/** `lr * gamma^floor(step / stepSize)`: multiply by `gamma` every `stepSize` steps. */
export function stepSchedule(options: {
  readonly lr: number;
  readonly stepSize: number;
  readonly gamma: number;
}): Schedule {
  if (!Number.isInteger(options.stepSize) || options.stepSize < 1) {
    throw new ArgumentError(
      `stepSchedule: stepSize must be an integer >= 1, got ${options.stepSize}`,
    );
  }
  return stateless((step) => options.lr * options.gamma ** Math.floor(step / options.stepSize));
}

/** `lr * gamma^step`. */
export function exponentialSchedule(options: {
  readonly lr: number;
  readonly gamma: number;
}): Schedule {
  return stateless((step) => options.lr * options.gamma ** step);
}

/** Options of {@link cosineSchedule}. */
export interface CosineOptions {
  /** Learning rate at the start of each cycle. */
  readonly lr: number;
  /** Learning rate at the end of each cycle. Default 0. */
  readonly minLr?: number;
  /** Length of the first cycle in steps. */
  readonly period: number;
  /**
   * Restart at the end of each cycle (SGDR, Loshchilov and Hutter, 2017), each cycle
   * `periodMultiplier` times longer than the one before. Without restarts the rate stays at
   * `minLr` after the first cycle. Default: no restarts.
   */
  readonly restarts?: { readonly periodMultiplier?: number };
}

/**
 * Cosine annealing: within a cycle of length `T` at position `s`,
 * `minLr + (lr - minLr) (1 + cos(pi s / T)) / 2`.
 *
 * @throws {ArgumentError} when `period` is not positive or the multiplier is below 1.
 */
export function cosineSchedule(options: CosineOptions): Schedule {
  positive("cosineSchedule", "period", options.period);
  const minLr = options.minLr ?? 0;
  const multiplier = options.restarts?.periodMultiplier ?? 1;
  if (!(multiplier >= 1)) {
    throw new ArgumentError(`cosineSchedule: periodMultiplier must be >= 1, got ${multiplier}`);
  }
  const cosine = (s: number, period: number) =>
    minLr + ((options.lr - minLr) * (1 + Math.cos((Math.PI * s) / period))) / 2;
  return stateless((step) => {
    if (options.restarts === undefined)
      return step >= options.period ? minLr : cosine(step, options.period);
    let period = options.period;
    let s = step;
    while (s >= period) {
      s -= period;
      period *= multiplier;
    }
    return cosine(s, period);
  });
}

/**
 * Linear warmup in front of another schedule: for `step < warmupSteps` the rate rises linearly
 * from `startFactor * inner(0)` towards `inner(0)`; afterwards it is `inner(step - warmupSteps)`.
 */
export function linearWarmup(
  inner: Schedule,
  options: { readonly warmupSteps: number; readonly startFactor?: number },
): Schedule {
  const warmup = options.warmupSteps;
  if (!Number.isInteger(warmup) || warmup < 0) {
    throw new ArgumentError(`linearWarmup: warmupSteps must be an integer >= 0, got ${warmup}`);
  }
  const start = options.startFactor ?? 0;
  return {
    value: (step) => {
      assertStep(step);
      if (step >= warmup) return inner.value(step - warmup);
      return inner.value(0) * (start + ((1 - start) * step) / warmup);
    },
    observe: (metric) => inner.observe(metric),
    state: () => ({ inner: inner.state() }),
    loadState: (state) => inner.loadState(childState(state, "inner")),
  };
}

/**
 * Runs `schedules[0]` until `milestones[0]`, then `schedules[1]` (with its step counted from
 * the milestone) until `milestones[1]`, and so on.
 *
 * @throws {ArgumentError} unless there is one milestone fewer than schedules, increasing.
 */
export function sequentialSchedule(
  schedules: readonly Schedule[],
  milestones: readonly number[],
): Schedule {
  if (schedules.length === 0 || milestones.length !== schedules.length - 1) {
    throw new ArgumentError(
      `sequentialSchedule: ${schedules.length} schedules need ${Math.max(0, schedules.length - 1)} milestones, got ${milestones.length}`,
    );
  }
  milestones.forEach((m, i) => {
    if (!Number.isInteger(m) || m <= (i === 0 ? 0 : (milestones[i - 1] as number))) {
      throw new ArgumentError(
        `sequentialSchedule: milestones must be increasing positive integers, got [${milestones.join(", ")}]`,
      );
    }
  });
  const active = (step: number): [Schedule, number] => {
    let i = 0;
    while (i < milestones.length && step >= (milestones[i] as number)) i++;
    const offset = i === 0 ? 0 : (milestones[i - 1] as number);
    return [schedules[i] as Schedule, step - offset];
  };
  let lastStep = 0;
  return {
    value: (step) => {
      assertStep(step);
      lastStep = step;
      const [schedule, local] = active(step);
      return schedule.value(local);
    },
    observe: (metric) => active(lastStep)[0].observe(metric),
    state: () => ({
      lastStep,
      schedules: Object.fromEntries(schedules.map((s, i) => [String(i), s.state()])),
    }),
    loadState: (state) => {
      const all = childState(state, "schedules");
      schedules.forEach((s, i) => {
        s.loadState(childState(all, String(i)));
      });
      const saved = state !== null && typeof state === "object" ? state.lastStep : undefined;
      lastStep = typeof saved === "number" ? saved : 0;
    },
  };
}

function childState(state: ScheduleState, key: string): ScheduleState {
  if (state === null || typeof state !== "object") return null;
  const child = state[key];
  return child !== undefined && typeof child === "object" ? child : null;
}

/** Options of {@link ReduceOnPlateau}. */
export interface ReduceOnPlateauOptions {
  /** Multiply the rate by this factor in `(0, 1)` on a plateau. Default 0.1. */
  readonly factor?: number;
  /** Number of epochs without improvement before reducing. Default 10. */
  readonly patience?: number;
  /** `min` when lower metrics are better (losses, the default), `max` otherwise. */
  readonly mode?: "min" | "max";
  /** Relative improvement needed to count as better: `metric < best (1 - threshold)`. Default 1e-4. */
  readonly threshold?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  readonly cooldown?: number;
  /** Lower bound of the rate. Default 0. */
  readonly minLr?: number;
}

/**
 * Reduce-on-plateau: multiplies the rate of the wrapped schedule by a scale that drops by
 * `factor` whenever the observed metric has not improved for `patience` epochs.
 */
export class ReduceOnPlateau implements Schedule {
  readonly factor: number;
  readonly patience: number;
  readonly mode: "min" | "max";
  readonly threshold: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly #inner: Schedule;
  #scale = 1;
  #best: number | null = null;
  #badEpochs = 0;
  #cooldownLeft = 0;

  /**
   * @param inner Schedule to scale; a number stands for a constant rate.
   * @throws {ArgumentError} when `factor` is outside `(0, 1)` or `patience` is negative.
   */
  constructor(inner: Schedule | number, options: ReduceOnPlateauOptions = {}) {
    this.#inner = typeof inner === "number" ? constantSchedule(inner) : inner;
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.mode = options.mode ?? "min";
    this.threshold = options.threshold ?? 1e-4;
    this.cooldown = options.cooldown ?? 0;
    this.minLr = options.minLr ?? 0;
    if (!(this.factor > 0 && this.factor < 1)) {
      throw new ArgumentError(`ReduceOnPlateau: factor must be in (0, 1), got ${this.factor}`);
    }
    if (!Number.isInteger(this.patience) || this.patience < 0) {
      throw new ArgumentError(
        `ReduceOnPlateau: patience must be an integer >= 0, got ${this.patience}`,
      );
    }
  }

  /** Current multiplier of the wrapped schedule. */
  get scale(): number {
    return this.#scale;
  }

  value(step: number): number {
    return Math.max(this.minLr, this.#inner.value(step) * this.#scale);
  }

  observe(metric: number): void {
    this.#inner.observe(metric);
    if (this.#isImprovement(metric)) {
      this.#best = metric;
      this.#badEpochs = 0;
    } else {
      this.#badEpochs++;
    }
    if (this.#cooldownLeft > 0) {
      this.#cooldownLeft--;
      this.#badEpochs = 0;
    }
    if (this.#badEpochs > this.patience) {
      this.#scale *= this.factor;
      this.#cooldownLeft = this.cooldown;
      this.#badEpochs = 0;
    }
  }

  state(): ScheduleState {
    return {
      scale: this.#scale,
      best: this.#best,
      badEpochs: this.#badEpochs,
      cooldownLeft: this.#cooldownLeft,
      inner: this.#inner.state(),
    };
  }

  loadState(state: ScheduleState): void {
    if (state === null || typeof state !== "object") return;
    const number = (key: string, fallback: number) => {
      const v = state[key];
      return typeof v === "number" ? v : fallback;
    };
    this.#scale = number("scale", 1);
    this.#best = typeof state.best === "number" ? state.best : null;
    this.#badEpochs = number("badEpochs", 0);
    this.#cooldownLeft = number("cooldownLeft", 0);
    this.#inner.loadState(childState(state, "inner"));
  }

  #isImprovement(metric: number): boolean {
    if (Number.isNaN(metric)) return false;
    if (this.#best === null) return true;
    return this.mode === "min"
      ? metric < this.#best * (1 - Math.sign(this.#best) * this.threshold)
      : metric > this.#best * (1 + Math.sign(this.#best) * this.threshold);
  }
}
