/**
 * Radial bases and cutoff functions of interatomic distances.
 *
 * Distances `r` have any shape `[...]` (typically `[edges]`); a basis adds a last axis of
 * `numBasis` functions, `[..., numBasis]`. Everything is made of differentiable operations, so
 * forces (first derivatives) and force training (second derivatives) work through them.
 *
 * @module
 */
import {
  ArgumentError,
  add,
  cos,
  div,
  type Engine,
  exp,
  expandDims,
  type FloatDType,
  less,
  mul,
  pow,
  sin,
  square,
  sub,
  type Tensor,
  tensor,
  where,
  zerosLike,
} from "@covnet/core";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";

function assertCutoff(op: string, cutoff: number): void {
  if (!(cutoff > 0) || !Number.isFinite(cutoff)) {
    throw new ArgumentError(`${op}: cutoff must be a positive finite number, got ${cutoff}`);
  }
}

function assertCount(op: string, what: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) {
    throw new ArgumentError(`${op}: ${what} must be an integer >= ${min}, got ${n}`);
  }
}

/** `where(r < cutoff, value, 0)`, so the function and its derivatives vanish beyond the cutoff. */
function insideCutoff(r: Tensor, cutoff: number, value: Tensor): Tensor {
  return where(less(r, cutoff), value, zerosLike(value));
}

/**
 * Cosine cutoff `0.5 (cos(pi r / c) + 1)` for `r < c`, else 0: `[...] -> [...]`. Continuous
 * with a continuous first derivative at `c`.
 *
 * @throws {ArgumentError} when `cutoff` is not positive.
 */
export function cosineCutoff(r: Tensor, cutoff: number): Tensor {
  assertCutoff("cosineCutoff", cutoff);
  const value = mul(add(cos(mul(r, Math.PI / cutoff)), 1), 0.5);
  return insideCutoff(r, cutoff, value);
}

/**
 * Polynomial envelope of degree `p` in `d = r / c` (Klicpera, Gross and Gunnemann, DimeNet,
 * 2020): `1 - (p+1)(p+2)/2 d^p + p(p+2) d^(p+1) - p(p+1)/2 d^(p+2)` for `d < 1`, else 0:
 * `[...] -> [...]`. It is 1 at `r = 0` and its value and first two derivatives vanish at `c`.
 *
 * @param p Polynomial degree, an integer >= 1 (6 is common).
 * @throws {ArgumentError} when `cutoff` is not positive or `p` is not an integer >= 1.
 */
export function polynomialCutoff(r: Tensor, cutoff: number, p = 6): Tensor {
  assertCutoff("polynomialCutoff", cutoff);
  assertCount("polynomialCutoff", "p", p, 1);
  const d = div(r, cutoff);
  const dp = pow(d, p);
  const c0 = ((p + 1) * (p + 2)) / 2;
  const c1 = p * (p + 2);
  const c2 = (p * (p + 1)) / 2;
  const poly = add(sub(1, mul(dp, c0)), mul(mul(dp, d), sub(c1, mul(d, c2))));
  return insideCutoff(r, cutoff, poly);
}

/** Options shared by the radial bases. */
export interface RadialBasisOptions {
  /** Dtype of the basis constants; defaults to the engine's default float. */
  readonly dtype?: FloatDType;
}

/**
 * Gaussian radial basis `exp(-(r - mu_k)^2 / (2 sigma^2))` with `numBasis` centres `mu_k`
 * evenly spaced on `[start, stop]` and `sigma` equal to their spacing (unless given):
 * `[...] -> [..., numBasis]`. Has no trainable parameters.
 */
export class GaussianBasis extends Module {
  readonly numBasis: number;
  readonly centers: readonly number[];
  readonly sigma: number;
  readonly #centers: Tensor;

  /** @throws {ArgumentError} when `numBasis < 1`, `stop <= start`, or `sigma <= 0`. */
  constructor(
    engine: Engine,
    options: RadialBasisOptions & {
      readonly numBasis: number;
      readonly start?: number;
      readonly stop: number;
      readonly sigma?: number;
    },
  ) {
    super();
    assertCount("GaussianBasis", "numBasis", options.numBasis, 1);
    const start = options.start ?? 0;
    if (!(options.stop > start)) {
      throw new ArgumentError(`GaussianBasis: stop ${options.stop} must exceed start ${start}`);
    }
    const n = options.numBasis;
    const spacing = n === 1 ? options.stop - start : (options.stop - start) / (n - 1);
    this.numBasis = n;
    this.centers = Array.from({ length: n }, (_, k) => start + k * spacing);
    this.sigma = options.sigma ?? spacing;
    if (!(this.sigma > 0))
      throw new ArgumentError(`GaussianBasis: sigma must be positive, got ${this.sigma}`);
    const dtype = options.dtype ?? engine.defaultFloat;
    this.#centers = engine.keep(tensor(engine, [...this.centers], [n], dtype));
  }

  /** Evaluates the basis at distances `r` of shape `[...]`, giving `[..., numBasis]`. */
  forward(r: Tensor): Tensor {
    const diff = sub(expandDims(r, -1), this.#centers);
    return exp(mul(square(diff), -1 / (2 * this.sigma * this.sigma)));
  }

  override dispose(): void {
    super.dispose();
    this.#centers.dispose();
  }
}

/**
 * Bessel radial basis `sqrt(2 / c) sin(n pi r / c) / r` for `n = 1..numBasis`, multiplied by
 * the polynomial envelope of degree `p` (see {@link polynomialCutoff}), so it goes smoothly to
 * zero at the cutoff `c` (DimeNet): `[...] -> [..., numBasis]`. The frequencies `n pi / c` are
 * trainable when `trainable` is set.
 *
 * Distances must be positive: `r = 0` gives NaN (the limit is finite, but the formula divides
 * by `r`). Neighbour lists exclude self-pairs, so this does not arise for edge distances.
 */
export class BesselBasis extends Module {
  readonly numBasis: number;
  readonly cutoff: number;
  readonly envelopeDegree: number;
  readonly #frequencies: Tensor | null;
  readonly #frequencyParameter: Parameter | null;

  /** @throws {ArgumentError} when `numBasis < 1`, `cutoff <= 0` or `envelopeDegree < 1`. */
  constructor(
    engine: Engine,
    options: RadialBasisOptions & {
      readonly numBasis: number;
      readonly cutoff: number;
      /** Degree `p` of the polynomial envelope. Default 6. */
      readonly envelopeDegree?: number;
      /** Learn the frequencies. Default `false`. */
      readonly trainable?: boolean;
    },
  ) {
    super();
    assertCount("BesselBasis", "numBasis", options.numBasis, 1);
    assertCutoff("BesselBasis", options.cutoff);
    this.numBasis = options.numBasis;
    this.cutoff = options.cutoff;
    this.envelopeDegree = options.envelopeDegree ?? 6;
    assertCount("BesselBasis", "envelopeDegree", this.envelopeDegree, 1);
    const dtype = options.dtype ?? engine.defaultFloat;
    const values = Array.from(
      { length: this.numBasis },
      (_, k) => ((k + 1) * Math.PI) / this.cutoff,
    );
    const frequencies = tensor(engine, values, [this.numBasis], dtype);
    if (options.trainable === true) {
      this.#frequencyParameter = this.registerParameter("frequencies", frequencies);
      this.#frequencies = null;
    } else {
      this.#frequencyParameter = null;
      this.#frequencies = engine.keep(frequencies);
    }
  }

  /** Evaluates the basis at positive distances `r` of shape `[...]`, giving `[..., numBasis]`. */
  forward(r: Tensor): Tensor {
    const frequencies = this.#frequencyParameter?.value ?? (this.#frequencies as Tensor);
    const rr = expandDims(r, -1);
    const bessel = div(mul(sin(mul(rr, frequencies)), Math.sqrt(2 / this.cutoff)), rr);
    const envelope = expandDims(polynomialCutoff(r, this.cutoff, this.envelopeDegree), -1);
    return mul(bessel, envelope);
  }

  override dispose(): void {
    super.dispose();
    this.#frequencies?.dispose();
  }
}
