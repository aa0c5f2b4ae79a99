/**
 * Finite-difference checks of analytic gradients, first and second order.
 *
 * @module
 */
import { valueAndGrads } from "../autodiff.js";
import type { Engine } from "../engine.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { add, mul } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { Random } from "../random.js";
import type { Tensor } from "../tensor.js";
import { expectClose, type Tolerance } from "./assertions.js";

/** A function of tensors with a tensor result, as differentiated by the checker. */
export type TensorFunction = (...xs: Tensor[]) => Tensor;

/** Options of {@link checkGradients}. */
export interface GradientCheckOptions extends Tolerance {
  /** 1 checks gradients; 2 also checks Hessian-vector products. Default 1. */
  readonly order?: 1 | 2;
  /** Step of the central differences. Default `1e-6` (first order) and `1e-5` (second order). */
  readonly eps?: number;
  /** Seed of the output cotangent and the Hessian directions. Default 0. */
  readonly seed?: number;
  /** Indices of the inputs to check; default all. */
  readonly wrt?: readonly number[];
}

/** Values compared by {@link checkGradients}, for tests that inspect them. */
export interface GradientCheckReport {
  /** Per checked input: analytic and finite-difference gradients of `sum(w * f(xs))`. */
  readonly first: ReadonlyArray<{
    readonly analytic: Float64Array;
    readonly numeric: Float64Array;
  }>;
  /** Per checked input: analytic and finite-difference Hessian-vector products (order 2). */
  readonly second: ReadonlyArray<{
    readonly analytic: Float64Array;
    readonly numeric: Float64Array;
  }>;
}

function checkInputs(inputs: readonly Tensor[], wrt: readonly number[]): Engine {
  const first = inputs[0];
  if (first === undefined) throw new ArgumentError("checkGradients: expected at least one input");
  for (const i of wrt) {
    const x = inputs[i];
    if (x === undefined) throw new ArgumentError(`checkGradients: wrt index ${i} has no input`);
    if (x.dtype !== "float64") {
      throw new DTypeError(
        `checkGradients: input ${i} (${x}) is ${x.dtype}; finite differences need float64 inputs`,
      );
    }
  }
  return first.engine;
}

/** Runs `fn` in a scope that releases every tensor it creates; `fn` returns plain data. */
function scoped<T>(engine: Engine, fn: () => T): T {
  engine.startScope();
  try {
    return fn();
  } finally {
    engine.endScope(undefined);
  }
}

function randomLike(engine: Engine, x: Tensor, rng: Random): Tensor {
  const values = new Float64Array(x.size);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return engine.makeTensor(values, x.shape, "float64");
}

/** `sum(w * f(xs))` as a scalar tensor. */
function weightedOutput(f: TensorFunction, xs: readonly Tensor[], w: Tensor): Tensor {
  const y = f(...xs);
  if (y.dtype !== "float64") {
    throw new DTypeError(`checkGradients: the function returned ${y}; expected a float64 tensor`);
  }
  return sum(mul(y, w));
}

/** Each input with `scale * direction` added where a direction is given. */
function shifted(
  engine: Engine,
  xs: readonly Tensor[],
  directions: ReadonlyMap<number, Float64Array>,
  scale: number,
): Tensor[] {
  return xs.map((x, i) => {
    const d = directions.get(i);
    if (d === undefined) return x;
    const values = Float64Array.from(x.dataSync());
    for (let j = 0; j < values.length; j++)
      values[j] = (values[j] as number) + scale * (d[j] as number);
    return engine.makeTensor(values, x.shape, "float64");
  });
}

/**
 * Central finite differences of the scalar `loss(xs)` with respect to each input in `wrt`.
 *
 * @returns One flat array per entry of `wrt`, with the input's size.
 */
export function numericalGradients(
  loss: (xs: readonly Tensor[]) => number,
  inputs: readonly Tensor[],
  wrt: readonly number[],
  eps: number,
): Float64Array[] {
  const engine = checkInputs(inputs, wrt);
  return wrt.map((i) => {
    const x = inputs[i] as Tensor;
    const out = new Float64Array(x.size);
    const unit = new Float64Array(x.size);
    for (let j = 0; j < x.size; j++) {
      unit[j] = 1;
      const dir = new Map([[i, unit]]);
      const plus = scoped(engine, () => loss(shifted(engine, inputs, dir, eps)));
      const minus = scoped(engine, () => loss(shifted(engine, inputs, dir, -eps)));
      out[j] = (plus - minus) / (2 * eps);
      unit[j] = 0;
    }
    return out;
  });
}

/**
 * Compares the analytic gradients of `f` with central finite differences, in float64. A
 * non-scalar output is reduced to `sum(w * f(xs))` with a seeded random cotangent `w`, so every
 * output element is checked. With `order: 2`, the Hessian-vector products of that scalar along
 * seeded random directions `v` (computed by nested `valueAndGrads`) are compared with the central
 * differences `(g(x + eps v) - g(x - eps v)) / (2 eps)` of the analytic gradient `g`.
 *
 * Inputs that are not checked (int32 indices, for example) may be of any dtype. Intermediates
 * are released when the check returns.
 *
 * @param f The function; it must be built from differentiable operations.
 * @param inputs Arguments of `f`; the checked ones must be float64.
 * @throws {AssertionError} naming the input, the order and the worst element on a mismatch.
 * @throws {DTypeError} when a checked input or the output is not float64.
 * @example
 * ```ts
 * checkGradients((a, b) => matmul(a, b), [a, b], { order: 2 });
 * ```
 */
export function checkGradients(
  f: TensorFunction,
  inputs: readonly Tensor[],
  options: GradientCheckOptions = {},
): GradientCheckReport {
  const wrt = options.wrt ?? inputs.map((_, i) => i);
  const engine = checkInputs(inputs, wrt);
  const rtol = options.rtol ?? 1e-6;
  const atol = options.atol ?? 1e-7;
  const rng = new Random(options.seed ?? 0);
  const first: { analytic: Float64Array; numeric: Float64Array }[] = [];
  const second: { analytic: Float64Array; numeric: Float64Array }[] = [];
  scoped(engine, () => {
    const w = engine.scope(() => engine.keep(randomLike(engine, f(...inputs), rng)));
    try {
      const targets = wrt.map((i) => inputs[i] as Tensor);
      const withTargets = (xs: readonly Tensor[]) => {
        const all = [...inputs];
        wrt.forEach((i, k) => {
          all[i] = xs[k] as Tensor;
        });
        return all;
      };
      const gradientsAt = (xs: readonly Tensor[]) =>
        valueAndGrads(() => weightedOutput(f, withTargets(xs), w), xs).grads;

      const eps1 = options.eps ?? 1e-6;
      const analytic = scoped(engine, () =>
        gradientsAt(targets).map((g) => Float64Array.from(g.dataSync())),
      );
      const numeric = numericalGradients(
        (xs) => engine.noGrad(() => weightedOutput(f, xs, w).item()),
        inputs,
        wrt,
        eps1,
      );
      wrt.forEach((i, k) => {
        const entry = {
          analytic: analytic[k] as Float64Array,
          numeric: numeric[k] as Float64Array,
        };
        first.push(entry);
        expectClose(entry.analytic, entry.numeric, {
          rtol,
          atol,
          label: `first-order gradient of input ${i} (${inputs[i]})`,
          input: inputs,
        });
      });
      if ((options.order ?? 1) < 2) return;

      const eps2 = options.eps ?? 1e-5;
      const directions = targets.map((x) => randomLike(engine, x, rng));
      const hvp = scoped(engine, () =>
        valueAndGrads(() => {
          const g = gradientsAt(targets);
          let s = sum(mul(g[0] as Tensor, directions[0] as Tensor));
          for (let k = 1; k < g.length; k++)
            s = add(s, sum(mul(g[k] as Tensor, directions[k] as Tensor)));
          return s;
        }, targets).grads.map((h) => Float64Array.from(h.dataSync())),
      );
      const dirMap = new Map(
        wrt.map((i, k) => [i, (directions[k] as Tensor).dataSync() as Float64Array]),
      );
      const gradAt = (scale: number) =>
        scoped(engine, () => {
          const xs = shifted(engine, inputs, dirMap, scale);
          return gradientsAt(wrt.map((i) => xs[i] as Tensor)).map((g) =>
            Float64Array.from(g.dataSync()),
          );
        });
      const plus = gradAt(eps2);
      const minus = gradAt(-eps2);
      wrt.forEach((i, k) => {
        const p = plus[k] as Float64Array;
        const m = minus[k] as Float64Array;
        const numericHvp = p.map((v, j) => (v - (m[j] as number)) / (2 * eps2));
        const entry = { analytic: hvp[k] as Float64Array, numeric: numericHvp };
        second.push(entry);
        expectClose(entry.analytic, entry.numeric, {
          rtol: rtol * 10,
          atol: atol * 10,
          label: `Hessian-vector product of input ${i} (${inputs[i]})`,
          input: inputs,
        });
      });
    } finally {
      w.dispose();
    }
  });
  return { first, second };
}
