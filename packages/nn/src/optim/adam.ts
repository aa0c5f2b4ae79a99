/**
 * Adam, AMSGrad and AdamW.
 *
 * @module
 */
import {
  ArgumentError,
  add,
  div,
  maximum,
  mul,
  sqrt,
  square,
  sub,
  type Tensor,
} from "@covnet/core";
import type { Parameter } from "../parameter.js";
import { Optimizer, type ParameterSource } from "./optimizer.js";

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions {
  readonly lr: number;
  /** Decay rates of the first and second moment estimates. Default `[0.9, 0.999]`. */
  readonly betas?: readonly [number, number];
  /** Added to the denominator. Default `1e-8`. */
  readonly eps?: number;
  /**
   * Weight decay. In {@link Adam} an L2 penalty added to the gradient; in {@link AdamW}
   * decoupled, `p <- p - lr * weightDecay * p` before the Adam step. Default 0 for Adam, 0.01
   * for AdamW.
   */
  readonly weightDecay?: number;
  /** Use the AMSGrad variant: the running maximum of the second moment. Default `false`. */
  readonly amsgrad?: boolean;
}

/**
 * Adam (Kingma and Ba, 2015). With `t` the step number:
 * `m <- b1 m + (1 - b1) g`, `v <- b2 v + (1 - b2) g^2`,
 * `p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`.
 * With `amsgrad`, `v` in the update is replaced by `vmax <- max(vmax, v)`.
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  readonly #decoupled: boolean;

  /** @throws {ArgumentError} on betas outside `[0, 1)` or a negative `eps` or weight decay. */
  constructor(parameters: ParameterSource, options: AdamOptions, decoupled = false) {
    super(parameters, options.lr);
    const [beta1, beta2] = options.betas ?? [0.9, 0.999];
    for (const [what, b] of [
      ["beta1", beta1],
      ["beta2", beta2],
    ] as const) {
      if (!(b >= 0 && b < 1)) throw new ArgumentError(`Adam: ${what} must be in [0, 1), got ${b}`);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? (decoupled ? 0.01 : 0);
    this.amsgrad = options.amsgrad ?? false;
    this.#decoupled = decoupled;
    if (!(this.eps >= 0)) throw new ArgumentError(`Adam: eps must be >= 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) {
      throw new ArgumentError(`Adam: weightDecay must be >= 0, got ${this.weightDecay}`);
    }
  }

  get kind(): string {
    return this.amsgrad ? "AMSGrad" : "Adam";
  }

  protected update(name: string, p: Parameter, grad: Tensor, step: number): void {
    let value = p.value;
    let g = grad;
    if (this.weightDecay !== 0) {
      if (this.#decoupled) value = sub(value, mul(value, this.lr * this.weightDecay));
      else g = add(g, mul(value, this.weightDecay));
    }
    const m0 = this.getSlot("m", name);
    const v0 = this.getSlot("v", name);
    const m = add(m0 === undefined ? 0 : mul(m0, this.beta1), mul(g, 1 - this.beta1));
    const v = add(v0 === undefined ? 0 : mul(v0, this.beta2), mul(square(g), 1 - this.beta2));
    this.setSlot("m", name, m);
    this.setSlot("v", name, v);
    let second = v;
    if (this.amsgrad) {
      const previousMax = this.getSlot("vmax", name);
      // maximum(v, 0) copies v, because one tensor must not sit in two slots.
      second = maximum(previousMax ?? 0, v);
      this.setSlot("vmax", name, second);
    }
    const bias1 = 1 - this.beta1 ** step;
    const bias2 = 1 - this.beta2 ** step;
    const denominator = add(sqrt(div(second, bias2)), this.eps);
    p.assign(sub(value, mul(div(m, denominator), this.lr / bias1)));
  }
}

/**
 * AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay,
 * `p <- p - lr * weightDecay * p` before the Adam step. Default weight decay 0.01.
 */
export class AdamW extends Adam {
  constructor(parameters: ParameterSource, options: AdamOptions) {
    super(parameters, options, true);
  }

  override get kind(): string {
    return this.amsgrad ? "AdamW-AMSGrad" : "AdamW";
  }
}

/** Adam with the AMSGrad correction (Reddi, Kale and Kumar, 2018); the same as `amsgrad: true`. */
export class AMSGrad extends Adam {
  constructor(parameters: ParameterSource, options: Omit<AdamOptions, "amsgrad">) {
    super(parameters, { ...options, amsgrad: true });
  }
}
