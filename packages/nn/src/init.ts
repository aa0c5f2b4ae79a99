/**
 * Parameter initialisers. Every random initialiser draws from an explicit {@link Random}, so a
 * model built twice from generators in the same state has identical parameters.
 *
 * Fan convention: weights are stored `[..., fanIn, fanOut]` (a layer computes `x @ W`); leading
 * axes, if any, multiply both fans (a receptive field). A rank-1 shape has
 * `fanIn = fanOut = size`.
 *
 * @module
 */
import {
  ArgumentError,
  assertValidShape,
  type Engine,
  type FloatDType,
  formatShape,
  type Random,
  type Shape,
  sizeOf,
  type Tensor,
} from "@covnet/core";

/** Creates a tensor of `shape` and `dtype`, drawing from `rng` where the method is random. */
export type Initializer = (engine: Engine, shape: Shape, rng: Random, dtype: FloatDType) => Tensor;

/** Nonlinearities with a recommended gain for Xavier and He initialisation. */
export type GainNonlinearity = "linear" | "tanh" | "relu" | "leaky_relu" | "silu" | "softplus";

/**
 * Recommended gain for a nonlinearity: 1 for linear, 5/3 for tanh, sqrt(2) for relu,
 * sqrt(2 / (1 + slope^2)) for leaky relu. Silu and softplus have no standard value: silu gets
 * 1.6765 = 1 / sqrt(E[silu(z)^2]) for `z ~ N(0, 1)` (the rule that gives sqrt(2) for relu), and
 * softplus gets 1.
 */
export function calculateGain(nonlinearity: GainNonlinearity, negativeSlope = 0.01): number {
  switch (nonlinearity) {
    case "linear":
    case "softplus":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu":
      return Math.sqrt(2 / (1 + negativeSlope * negativeSlope));
    case "silu":
      return 1.6765;
  }
}

/** Fan-in and fan-out of a weight shape under the `[..., fanIn, fanOut]` convention. */
export function computeFans(shape: Shape): { fanIn: number; fanOut: number } {
  assertValidShape(shape);
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0] as number, fanOut: shape[0] as number };
  const receptive = sizeOf(shape.slice(0, -2));
  return {
    fanIn: (shape[shape.length - 2] as number) * receptive,
    fanOut: (shape[shape.length - 1] as number) * receptive,
  };
}

function filled(engine: Engine, shape: Shape, dtype: FloatDType, draw: () => number): Tensor {
  assertValidShape(shape);
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = draw();
  return engine.makeTensor(values, shape, dtype);
}

/** All zeros. */
export function zerosInit(): Initializer {
  return (engine, shape, _rng, dtype) => filled(engine, shape, dtype, () => 0);
}

/** All ones. */
export function onesInit(): Initializer {
  return (engine, shape, _rng, dtype) => filled(engine, shape, dtype, () => 1);
}

/** Fills every entry with `value`. */
export function constantInit(value: number): Initializer {
  return (engine, shape, _rng, dtype) => filled(engine, shape, dtype, () => value);
}

/** Normal deviates with the given mean and standard deviation (default N(0, 1)). */
export function normalInit(
  options: { readonly mean?: number; readonly std?: number } = {},
): Initializer {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  return (engine, shape, rng, dtype) =>
    filled(engine, shape, dtype, () => mean + std * rng.normal());
}

/**
 * Uniform deviates in `[low, high)` (default `[0, 1)`).
 *
 * @throws {ArgumentError} when `high < low`.
 */
export function uniformInit(
  options: { readonly low?: number; readonly high?: number } = {},
): Initializer {
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  if (!(high >= low)) throw new ArgumentError(`uniformInit: high ${high} is below low ${low}`);
  return (engine, shape, rng, dtype) =>
    filled(engine, shape, dtype, () => low + (high - low) * rng.uniform());
}

/** Xavier/Glorot uniform: `U(-a, a)` with `a = gain * sqrt(6 / (fanIn + fanOut))`. */
export function xavierUniform(options: { readonly gain?: number } = {}): Initializer {
  const gain = options.gain ?? 1;
  return (engine, shape, rng, dtype) => {
    const { fanIn, fanOut } = computeFans(shape);
    const a = gain * Math.sqrt(6 / (fanIn + fanOut));
    return filled(engine, shape, dtype, () => a * (2 * rng.uniform() - 1));
  };
}

/** Xavier/Glorot normal: `N(0, std^2)` with `std = gain * sqrt(2 / (fanIn + fanOut))`. */
export function xavierNormal(options: { readonly gain?: number } = {}): Initializer {
  const gain = options.gain ?? 1;
  return (engine, shape, rng, dtype) => {
    const { fanIn, fanOut } = computeFans(shape);
    const std = gain * Math.sqrt(2 / (fanIn + fanOut));
    return filled(engine, shape, dtype, () => std * rng.normal());
  };
}

/** Options of the He/Kaiming initialisers. */
export interface KaimingOptions {
  /** Preserve the variance of activations (`fanIn`, default) or of gradients (`fanOut`). */
  readonly mode?: "fanIn" | "fanOut";
  /** Nonlinearity whose gain is used (default `relu`). */
  readonly nonlinearity?: GainNonlinearity;
  /** Negative slope, for `leaky_relu` only. */
  readonly negativeSlope?: number;
}

function kaimingStd(shape: Shape, options: KaimingOptions): number {
  const { fanIn, fanOut } = computeFans(shape);
  const fan = (options.mode ?? "fanIn") === "fanIn" ? fanIn : fanOut;
  return calculateGain(options.nonlinearity ?? "relu", options.negativeSlope) / Math.sqrt(fan);
}

/** He/Kaiming uniform: `U(-a, a)` with `a = sqrt(3) * gain / sqrt(fan)`. */
export function kaimingUniform(options: KaimingOptions = {}): Initializer {
  return (engine, shape, rng, dtype) => {
    const a = Math.sqrt(3) * kaimingStd(shape, options);
    return filled(engine, shape, dtype, () => a * (2 * rng.uniform() - 1));
  };
}

/** He/Kaiming normal: `N(0, std^2)` with `std = gain / sqrt(fan)`. */
export function kaimingNormal(options: KaimingOptions = {}): Initializer {
  return (engine, shape, rng, dtype) => {
    const std = kaimingStd(shape, options);
    return filled(engine, shape, dtype, () => std * rng.normal());
  };
}

/**
 * (Semi-)orthogonal matrices scaled by `gain`. The shape is viewed as a matrix
 * `[size / last, last]`. When it has at least as many rows as columns the columns are
 * orthonormal, otherwise the rows are. Computed by Gram-Schmidt on a normal matrix with the sign
 * fixed so that the triangular factor has a positive diagonal (the Haar measure).
 *
 * @throws {ArgumentError} for shapes of rank below 2.
 */
export function orthogonalInit(options: { readonly gain?: number } = {}): Initializer {
  const gain = options.gain ?? 1;
  return (engine, shape, rng, dtype) => {
    if (shape.length < 2) {
      throw new ArgumentError(`orthogonalInit: shape ${formatShape(shape)} has rank below 2`);
    }
    const cols = shape[shape.length - 1] as number;
    const rows = sizeOf(shape) / cols;
    const tall = rows >= cols;
    // Orthonormalise k vectors of length n, where k <= n.
    const n = tall ? rows : cols;
    const k = tall ? cols : rows;
    const q = orthonormalVectors(n, k, rng);
    const values = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = tall ? (q[c] as Float64Array)[r] : (q[r] as Float64Array)[c];
        values[r * cols + c] = gain * (v as number);
      }
    }
    return engine.makeTensor(values, shape, dtype);
  };
}

function orthonormalVectors(n: number, k: number, rng: Random): Float64Array[] {
  const out: Float64Array[] = [];
  while (out.length < k) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal();
    // Modified Gram-Schmidt, twice for stability.
    for (let pass = 0; pass < 2; pass++) {
      for (const u of out) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += (u[i] as number) * (v[i] as number);
        for (let i = 0; i < n; i++) v[i] = (v[i] as number) - dot * (u[i] as number);
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += (v[i] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm < 1e-10) continue;
    for (let i = 0; i < n; i++) v[i] = (v[i] as number) / norm;
    out.push(v);
  }
  return out;
}
