/**
 * Finite-difference gradient checks, first and second order.
 *
 * @module
 */
import { ArgumentError, add, mul, Random, sum, type Tensor, valueAndGrads } from "@covnet/core";
import { runDisposing } from "../internal/scope.js";
import type { Module } from "../module.js";
import type { Parameter } from "../parameter.js";

/** Options of {@link gradcheck} and {@link gradgradcheck}. */
export interface GradcheckOptions {
  /** Step of the central difference. Default `1e-6`. */
  readonly eps?: number;
  /** Relative tolerance: an entry passes when `|a - n| <= atol + rtol |n|`. Default `1e-6`. */
  readonly rtol?: number;
  /** Absolute tolerance. Default `1e-8`. */
  readonly atol?: number;
  /** Seed of the random cotangents and directions. Default 0. */
  readonly seed?: number;
}

/** The worst entry found by a gradient check. */
export interface GradcheckEntry {
  /** Index of the input tensor. */
  readonly input: number;
  /** Flat (row-major) index inside that input. */
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
}

/** Result of a gradient check. */
export interface GradcheckReport {
  /** 1 for gradients, 2 for Hessian-vector products. */
  readonly order: 1 | 2;
  /** True when every entry is within `atol + rtol |numeric|`. */
  readonly ok: boolean;
  /** Number of entries compared. */
  readonly checked: number;
  readonly maxAbsoluteError: number;
  /** Largest `|a - n| / max(|a|, |n|, atol)` over all entries. */
  readonly maxRelativeError: number;
  /** The entry with the largest relative error, or null when nothing was compared. */
  readonly worst: GradcheckEntry | null;
  /** One line for failure messages. */
  readonly summary: string;
}

type TensorFunction = (...xs: Tensor[]) => Tensor;

function checkInputs(op: string, inputs: readonly Tensor[]): void {
  if (inputs.length === 0) throw new ArgumentError(`${op}: needs at least one input`);
  inputs.forEach((x, i) => {
    if (x.dtype !== "float64") {
      throw new ArgumentError(
        `${op}: input ${i} (${x}) is ${x.dtype}; finite differences need float64`,
      );
    }
  });
}

function randomValues(rng: Random, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * rng.uniform() - 1;
  return out;
}

/**
 * Central differences of a scalar function of several tensors: for every entry `j` of every
 * input, `(S(x + eps e_j) - S(x - eps e_j)) / (2 eps)`.
 */
function numericGradient(
  scalarFn: (xs: Tensor[]) => number,
  inputs: readonly Tensor[],
  eps: number,
): Float64Array[] {
  const engine = (inputs[0] as Tensor).engine;
  return inputs.map((x, i) => {
    const base = Float64Array.from(x.dataSync());
    const out = new Float64Array(base.length);
    const evaluate = (j: number, delta: number): number => {
      const values = Float64Array.from(base);
      values[j] = (values[j] as number) + delta;
      const perturbed = engine.makeTensor(values, x.shape, "float64");
      try {
        const xs = inputs.map((y, k) => (k === i ? perturbed : y));
        return engine.scope(() => scalarFn(xs));
      } finally {
        perturbed.dispose();
      }
    };
    for (let j = 0; j < base.length; j++) {
      out[j] = (evaluate(j, eps) - evaluate(j, -eps)) / (2 * eps);
    }
    return out;
  });
}

function compare(
  order: 1 | 2,
  analytic: readonly Float64Array[],
  numeric: readonly Float64Array[],
  rtol: number,
  atol: number,
): GradcheckReport {
  let ok = true;
  let checked = 0;
  let maxAbsoluteError = 0;
  let maxRelativeError = 0;
  let worst: GradcheckEntry | null = null;
  analytic.forEach((a, i) => {
    const n = numeric[i] as Float64Array;
    for (let j = 0; j < a.length; j++) {
      const av = a[j] as number;
      const nv = n[j] as number;
      const err = Math.abs(av - nv);
      const rel = err / Math.max(Math.abs(av), Math.abs(nv), atol);
      checked++;
      if (!(err <= atol + rtol * Math.abs(nv))) ok = false;
      maxAbsoluteError = Math.max(maxAbsoluteError, err);
      if (worst === null || rel > maxRelativeError || Number.isNaN(rel)) {
        maxRelativeError = Number.isNaN(rel) ? Number.POSITIVE_INFINITY : rel;
        worst = { input: i, index: j, analytic: av, numeric: nv };
      }
    }
  });
  const where = worst === null ? "" : describeEntry(worst);
  const summary = `order ${order} gradient check ${ok ? "passed" : "failed"}: ${checked} entries, max relative error ${maxRelativeError.toExponential(3)}, max absolute error ${maxAbsoluteError.toExponential(3)} (rtol ${rtol}, atol ${atol})${where}`;
  return { order, ok, checked, maxAbsoluteError, maxRelativeError, worst, summary };
}

function describeEntry(e: GradcheckEntry): string {
  return `; worst at input ${e.input} index ${e.index}: analytic ${e.analytic}, numeric ${e.numeric}`;
}

/** `sum(f(...xs) * c)` with a fixed random cotangent `c`, so every output entry is checked. */
function scalarize(
  f: TensorFunction,
  inputs: readonly Tensor[],
  rng: Random,
): (xs: Tensor[]) => Tensor {
  const engine = (inputs[0] as Tensor).engine;
  const shape = engine.scope(() => f(...inputs).shape);
  const cotangent = randomValues(
    rng,
    shape.reduce((a, b) => a * b, 1),
  );
  return (xs) => {
    const y = f(...xs);
    return sum(mul(y, engine.makeTensor(cotangent, shape, y.dtype)));
  };
}

/**
 * Compares the analytic gradients of `f` (through `valueAndGrads`) with central finite
 * differences, for every entry of every input. A non-scalar output is contracted with a fixed
 * random cotangent first, so every output entry takes part.
 *
 * @param f Function of the inputs; it must be deterministic.
 * @param inputs float64 tensors, the points at which gradients are compared.
 * @throws {ArgumentError} when an input is not float64.
 * @example
 * ```ts
 * const report = gradcheck((x) => sum(sin(x)), [tensor(engine, [0.1, 0.2], undefined, "float64")]);
 * if (!report.ok) throw new Error(report.summary);
 * ```
 */
export function gradcheck(
  f: TensorFunction,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  checkInputs("gradcheck", inputs);
  const eps = options.eps ?? 1e-6;
  const engine = (inputs[0] as Tensor).engine;
  const scalarFn = scalarize(f, inputs, new Random(options.seed ?? 0));
  const analytic = runDisposing(engine, () => {
    const { grads } = valueAndGrads(() => scalarFn([...inputs]), inputs);
    return grads.map((g) => Float64Array.from(g.dataSync()));
  });
  const numeric = numericGradient((xs) => scalarFn(xs).item(), inputs, eps);
  return compare(1, analytic, numeric, options.rtol ?? 1e-6, options.atol ?? 1e-8);
}

/**
 * Second-order check: with the first-order gradients `g_i` of the (contracted) output and fixed
 * random directions `v_i`, compares the analytic gradient of `h = sum_i <g_i, v_i>` (a
 * Hessian-vector product, through nested `valueAndGrads`) with central finite differences of
 * `h`. This is the path that force training takes (differentiating `-dE/dx` again).
 *
 * @throws {ArgumentError} when an input is not float64.
 */
export function gradgradcheck(
  f: TensorFunction,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  checkInputs("gradgradcheck", inputs);
  const eps = options.eps ?? 1e-5;
  const engine = (inputs[0] as Tensor).engine;
  const rng = new Random(options.seed ?? 0);
  const scalarFn = scalarize(f, inputs, rng);
  const directions = inputs.map((x) => randomValues(rng, x.size));
  const h = (xs: Tensor[]): Tensor => {
    const { grads } = valueAndGrads(() => scalarFn(xs), xs);
    let total: Tensor | null = null;
    grads.forEach((g, i) => {
      const v = engine.makeTensor(directions[i] as Float64Array, g.shape, "float64");
      const term = sum(mul(g, v));
      total = total === null ? term : add(total, term);
    });
    return total as unknown as Tensor;
  };
  const analytic = runDisposing(engine, () => {
    const { grads } = valueAndGrads(() => h([...inputs]), inputs);
    return grads.map((g) => Float64Array.from(g.dataSync()));
  });
  const numeric = numericGradient((xs) => h(xs).item(), inputs, eps);
  return compare(2, analytic, numeric, options.rtol ?? 1e-5, options.atol ?? 1e-7);
}

/**
 * Turns a module's forward pass into a function of its parameters and inputs, for
 * {@link gradcheck}: `fn(...parameters, ...inputs)` runs `forward(...inputs)` with the given
 * tensors standing in for the module's parameters (in the order of `module.parameters()`).
 *
 * @example
 * ```ts
 * const { fn, parameters } = moduleFunction(layer, (x) => layer.forward(x));
 * gradcheck(fn, [...parameters, x]);
 * ```
 */
export function moduleFunction(
  module: Module,
  forward: (...inputs: Tensor[]) => Tensor,
): { readonly fn: (...xs: Tensor[]) => Tensor; readonly parameters: Tensor[] } {
  const params = [...module.parameters().values()];
  const fn = (...xs: Tensor[]): Tensor => {
    const values = xs.slice(0, params.length);
    const inputs = xs.slice(params.length);
    const run = (k: number): Tensor =>
      k === params.length
        ? forward(...inputs)
        : (params[k] as Parameter).withValue(values[k] as Tensor, () => run(k + 1));
    return run(0);
  };
  return { fn, parameters: params.map((p) => p.value) };
}
