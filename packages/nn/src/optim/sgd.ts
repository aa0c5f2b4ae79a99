/**
 * Stochastic gradient descent with momentum.
 *
 * @module
 */
import { ArgumentError, add, mul, sub, type Tensor } from "@covnet/core";
import type { Parameter } from "../parameter.js";
import { Optimizer, type ParameterSource } from "./optimizer.js";

/** Options of {@link SGD}. */
export interface SGDOptions {
  readonly lr: number;
  /** Momentum coefficient `mu` in `[0, 1)`. Default 0. */
  readonly momentum?: number;
  /** Use Nesterov momentum (needs `momentum > 0`). Default `false`. */
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient, `g + weightDecay * p`. Default 0. */
  readonly weightDecay?: number;
}

/**
 * SGD: with `g = grad + weightDecay * p` and velocity `v <- mu v + g` (`v = g` at the first
 * step), the update is `p <- p - lr v`, or `p <- p - lr (g + mu v)` with Nesterov momentum.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  /** @throws {ArgumentError} on a momentum outside `[0, 1)` or Nesterov without momentum. */
  constructor(parameters: ParameterSource, options: SGDOptions) {
    super(parameters, options.lr);
    this.momentum = options.momentum ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) {
      throw new ArgumentError(`SGD: momentum must be in [0, 1), got ${this.momentum}`);
    }
    if (this.nesterov && this.momentum === 0) {
      throw new ArgumentError("SGD: Nesterov momentum needs momentum > 0");
    }
  }

  get kind(): string {
    return "SGD";
  }

  protected update(name: string, p: Parameter, grad: Tensor): void {
    const g = this.weightDecay === 0 ? grad : add(grad, mul(p.value, this.weightDecay));
    if (this.momentum === 0) {
      p.assign(sub(p.value, mul(g, this.lr)));
      return;
    }
    const previous = this.getSlot("velocity", name);
    const v = previous === undefined ? add(g, 0) : add(mul(previous, this.momentum), g);
    this.setSlot("velocity", name, v);
    const direction = this.nesterov ? add(g, mul(v, this.momentum)) : v;
    p.assign(sub(p.value, mul(direction, this.lr)));
  }
}
