/**
 * Dense layers.
 *
 * @module
 */
import {
  ArgumentError,
  add,
  type Engine,
  type FloatDType,
  formatShape,
  matmul,
  type Random,
  relu,
  silu,
  softplus,
  type Tensor,
  tanh,
} from "@covnet/core";
import {
  calculateGain,
  type GainNonlinearity,
  type Initializer,
  kaimingUniform,
  zerosInit,
} from "../init.js";
import { Module, ModuleList } from "../module.js";
import type { Parameter } from "../parameter.js";

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Generator for the initial weights. */
  readonly rng: Random;
  /** Add a learned bias. Default `true`. */
  readonly bias?: boolean;
  /** Parameter dtype; defaults to the engine's default float. */
  readonly dtype?: FloatDType;
  /** Weight initialiser; default `kaimingUniform({ nonlinearity: "linear" })`, variance `1 / in`. */
  readonly weightInit?: Initializer;
  /** Bias initialiser; default zeros. */
  readonly biasInit?: Initializer;
}

/**
 * Affine map `y = x W + b` over the last axis: `[..., in] -> [..., out]`, with `W` stored as
 * `[in, out]` and `b` as `[out]`.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  /** @throws {ArgumentError} when a size is not a positive integer. */
  constructor(engine: Engine, inFeatures: number, outFeatures: number, options: LinearOptions) {
    super();
    assertPositiveInt("Linear", "inFeatures", inFeatures);
    assertPositiveInt("Linear", "outFeatures", outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? engine.defaultFloat;
    const weightInit = options.weightInit ?? kaimingUniform({ nonlinearity: "linear" });
    this.weight = this.registerParameter(
      "weight",
      weightInit(engine, [inFeatures, outFeatures], options.rng, dtype),
    );
    this.bias =
      options.bias === false
        ? null
        : this.registerParameter(
            "bias",
            (options.biasInit ?? zerosInit())(engine, [outFeatures], options.rng, dtype),
          );
  }

  /**
   * Applies the layer to `x` of shape `[..., in]`.
   *
   * @throws {ArgumentError} when the last axis of `x` is not `in`.
   */
  forward(x: Tensor): Tensor {
    if (x.rank === 0 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ArgumentError(
        `Linear.forward: input shape ${formatShape(x.shape)} must end in ${this.inFeatures}`,
      );
    }
    const y = matmul(x, this.weight.value);
    return this.bias === null ? y : add(y, this.bias.value);
  }
}

/** Activations offered by {@link MLP}. */
export type Activation = "silu" | "relu" | "tanh" | "softplus";

/** Applies the named activation elementwise. */
export function activate(name: Activation, x: Tensor): Tensor {
  switch (name) {
    case "silu":
      return silu(x);
    case "relu":
      return relu(x);
    case "tanh":
      return tanh(x);
    case "softplus":
      return softplus(x);
  }
}

/** Options of {@link MLP}. */
export interface MLPOptions {
  readonly rng: Random;
  /** Activation between layers (none after the last). Default `silu`. */
  readonly activation?: Activation;
  /** Biases in every layer. Default `true`. */
  readonly bias?: boolean;
  readonly dtype?: FloatDType;
  /** Apply the activation after the last layer too. Default `false`. */
  readonly activateLast?: boolean;
}

/**
 * Multilayer perceptron `[..., sizes[0]] -> [..., sizes[n-1]]`: `Linear` layers with an
 * activation between them. Each layer after the first uses He uniform initialisation with the
 * activation's gain (see {@link calculateGain}); the first layer uses gain 1.
 */
export class MLP extends Module {
  readonly layers: ModuleList<Linear>;
  readonly activation: Activation;
  readonly activateLast: boolean;

  /** @throws {ArgumentError} when `sizes` has fewer than two entries. */
  constructor(engine: Engine, sizes: readonly number[], options: MLPOptions) {
    super();
    if (sizes.length < 2) {
      throw new ArgumentError(
        `MLP: sizes [${sizes.join(", ")}] needs at least an input and an output size`,
      );
    }
    this.activation = options.activation ?? "silu";
    this.activateLast = options.activateLast ?? false;
    const layers: Linear[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      // He initialisation scales by the gain of the activation that produces this layer's input.
      const nonlinearity: GainNonlinearity = i === 0 ? "linear" : this.activation;
      layers.push(
        new Linear(engine, sizes[i] as number, sizes[i + 1] as number, {
          rng: options.rng,
          weightInit: kaimingUniform({ nonlinearity }),
          ...(options.bias === undefined ? {} : { bias: options.bias }),
          ...(options.dtype === undefined ? {} : { dtype: options.dtype }),
        }),
      );
    }
    this.layers = this.registerModule("layers", new ModuleList(layers));
  }

  /** Applies the network to `x` of shape `[..., sizes[0]]`. */
  forward(x: Tensor): Tensor {
    let h = x;
    const n = this.layers.length;
    for (let i = 0; i < n; i++) {
      h = this.layers.at(i).forward(h);
      if (i + 1 < n || this.activateLast) h = activate(this.activation, h);
    }
    return h;
  }
}

function assertPositiveInt(op: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) {
    throw new ArgumentError(`${op}: ${what} must be a positive integer, got ${n}`);
  }
}
