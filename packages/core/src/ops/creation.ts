/**
 * Tensor creation.
 *
 * @module
 */
import { type DType, dtypeOfArray, type TypedArray } from "../dtype.js";
import type { Engine } from "../engine.js";
import { ArgumentError } from "../errors.js";
import { Random } from "../random.js";
import { assertValidShape, type Shape, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { floatDtype } from "./validate.js";

/** Nested arrays of numbers, as accepted by {@link tensor}. */
export type NestedNumbers = number | readonly NestedNumbers[];

function inferShape(values: NestedNumbers): number[] {
  const shape: number[] = [];
  let v: NestedNumbers = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as NestedNumbers;
  }
  return shape;
}

function flatten(values: NestedNumbers, shape: Shape, depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof values !== "number") {
      throw new ArgumentError(`tensor: nested arrays are ragged at depth ${depth}`);
    }
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[depth]) {
    throw new ArgumentError(
      `tensor: nested arrays are ragged at depth ${depth} (expected length ${shape[depth]})`,
    );
  }
  for (const v of values) flatten(v, shape, depth + 1, out);
}

/**
 * Creates a tensor from a typed array, a flat array with a shape, or nested arrays.
 *
 * @param values Data, row-major when flat.
 * @param shape Shape; inferred from nested arrays, or `[values.length]` for flat data.
 * @param dtype Element type; defaults to the typed array's own, else the engine's default float.
 * @throws {ShapeError} when the number of values does not match the shape.
 * @example
 * ```ts
 * const x = tensor(engine, [[1, 2], [3, 4]], undefined, "float64"); // shape [2, 2]
 * ```
 */
export function tensor(
  engine: Engine,
  values: TypedArray | NestedNumbers,
  shape?: Shape,
  dtype?: DType,
): Tensor {
  if (ArrayBuffer.isView(values)) {
    const typed = values as TypedArray;
    return engine.makeTensor(typed, shape ?? [typed.length], dtype ?? dtypeOfArray(typed));
  }
  const nested = values as NestedNumbers;
  const inferred = inferShape(nested);
  const flat: number[] = [];
  flatten(nested, inferred, 0, flat);
  const target = shape ?? inferred;
  return engine.makeTensor(flat, target, floatDtype(engine, dtype));
}

/** Creates a scalar (shape `[]`). */
export function scalar(engine: Engine, value: number, dtype?: DType): Tensor {
  return engine.makeTensor([value], [], floatDtype(engine, dtype));
}

/** Creates a tensor of `shape` filled with `value`. */
export function full(engine: Engine, shape: Shape, value: number, dtype?: DType): Tensor {
  assertValidShape(shape);
  const d = floatDtype(engine, dtype);
  const n = sizeOf(shape);
  const values =
    d === "float64"
      ? new Float64Array(n)
      : d === "float32"
        ? new Float32Array(n)
        : new Int32Array(n);
  if (value !== 0) values.fill(value);
  return engine.makeTensor(values, shape, d);
}

/** Creates a tensor of zeros. */
export function zeros(engine: Engine, shape: Shape, dtype?: DType): Tensor {
  return full(engine, shape, 0, dtype);
}

/** Creates a tensor of ones. */
export function ones(engine: Engine, shape: Shape, dtype?: DType): Tensor {
  return full(engine, shape, 1, dtype);
}

/** Zeros with the shape and dtype of `x`. */
export function zerosLike(x: Tensor): Tensor {
  return full(x.engine, x.shape, 0, x.dtype);
}

/** Ones with the shape and dtype of `x`. */
export function onesLike(x: Tensor): Tensor {
  return full(x.engine, x.shape, 1, x.dtype);
}

/**
 * `[start, start + step, ...]` up to but excluding `stop`, as a 1-D tensor.
 *
 * @throws {ArgumentError} when `step` is 0.
 */
export function arange(
  engine: Engine,
  start: number,
  stop: number,
  step = 1,
  dtype: DType = "int32",
): Tensor {
  if (step === 0) throw new ArgumentError("arange: step must be non-zero");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return engine.makeTensor(values, [n], dtype);
}

/** Creates the `n x m` identity matrix (`m` defaults to `n`). */
export function eye(engine: Engine, n: number, m = n, dtype?: DType): Tensor {
  assertValidShape([n, m], "eye shape");
  const values = new Float64Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return engine.makeTensor(values, [n, m], floatDtype(engine, dtype));
}

/** Seed or generator for random creation functions. */
export type RandomSource = number | Random;

function rngOf(source: RandomSource): Random {
  return typeof source === "number" ? new Random(source) : source;
}

/**
 * Normal deviates with mean `mean` and standard deviation `std`, drawn from a seeded generator.
 * Passing a {@link Random} advances it; passing a number seeds a fresh one.
 */
export function randomNormal(
  engine: Engine,
  shape: Shape,
  options: {
    readonly seed: RandomSource;
    readonly mean?: number;
    readonly std?: number;
    readonly dtype?: DType;
  },
): Tensor {
  assertValidShape(shape);
  const rng = rngOf(options.seed);
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = mean + std * rng.normal();
  return engine.makeTensor(values, shape, floatDtype(engine, options.dtype));
}

/** Uniform deviates in `[low, high)`, drawn from a seeded generator. */
export function randomUniform(
  engine: Engine,
  shape: Shape,
  options: {
    readonly seed: RandomSource;
    readonly low?: number;
    readonly high?: number;
    readonly dtype?: DType;
  },
): Tensor {
  assertValidShape(shape);
  const rng = rngOf(options.seed);
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = low + (high - low) * rng.uniform();
  return engine.makeTensor(values, shape, floatDtype(engine, options.dtype));
}
