/**
 * Kernel and gradient registries. Each container owns one of each, so separate containers never
 * share registrations.
 *
 * @module
 */
import type { KernelConfig, KernelFunction } from "./backend.js";
import { DuplicateRegistrationError, GradientError, KernelNotFoundError } from "./errors.js";
import type { KernelAttrs, KernelName } from "./kernels.js";
import type { Tensor } from "./tensor.js";

/** Kernel implementations by backend name and kernel name. */
export class KernelRegistry {
  readonly #kernels = new Map<string, Map<string, KernelFunction>>();

  /**
   * Registers one kernel implementation.
   *
   * @throws {DuplicateRegistrationError} when the backend already has a kernel of that name.
   */
  register(config: KernelConfig): void {
    let table = this.#kernels.get(config.backendName);
    if (table === undefined) {
      table = new Map();
      this.#kernels.set(config.backendName, table);
    }
    if (table.has(config.kernelName)) {
      throw new DuplicateRegistrationError(
        "kernel",
        `${config.kernelName}" for backend "${config.backendName}`,
      );
    }
    table.set(config.kernelName, config.kernelFunc as KernelFunction);
  }

  /** Registers a list of kernels; stops at the first duplicate. */
  registerAll(configs: readonly KernelConfig[]): void {
    for (const c of configs) this.register(c);
  }

  /**
   * Looks up a kernel.
   *
   * @throws {KernelNotFoundError} naming kernel and backend.
   */
  get<K extends KernelName>(backendName: string, kernelName: K): KernelFunction<K> {
    const fn = this.#kernels.get(backendName)?.get(kernelName);
    if (fn === undefined) throw new KernelNotFoundError(kernelName, backendName);
    return fn as KernelFunction<K>;
  }

  /** Returns true when the backend has a kernel of that name. */
  has(backendName: string, kernelName: string): boolean {
    return this.#kernels.get(backendName)?.has(kernelName) ?? false;
  }

  /** Names of the kernels registered for a backend. */
  kernelsOf(backendName: string): string[] {
    return [...(this.#kernels.get(backendName)?.keys() ?? [])].sort();
  }
}

/** What a gradient function receives about the recorded kernel call. */
export interface GradientContext<K extends KernelName = KernelName> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: KernelAttrs<K>;
}

/**
 * A gradient function: from the output cotangent `dy`, the cotangent of every input (or `null`
 * where the input has no gradient). It must be written with differentiable operations, so that
 * gradients of gradients work.
 */
export type GradientFunction<K extends KernelName = KernelName> = (
  dy: Tensor,
  context: GradientContext<K>,
) => ReadonlyArray<Tensor | null>;

/** One gradient function for one kernel name. */
export interface GradientConfig<K extends KernelName = KernelName> {
  readonly kernelName: K;
  readonly gradFunc: GradientFunction<K>;
}

/** Gradient functions by kernel name. */
export class GradientRegistry {
  readonly #grads = new Map<string, GradientFunction>();

  /**
   * Registers the gradient of a kernel.
   *
   * @throws {DuplicateRegistrationError} when that kernel already has a gradient.
   */
  register<K extends KernelName>(config: GradientConfig<K>): void {
    if (this.#grads.has(config.kernelName)) {
      throw new DuplicateRegistrationError("gradient", config.kernelName);
    }
    this.#grads.set(config.kernelName, config.gradFunc as unknown as GradientFunction);
  }

  /**
   * Looks up the gradient of a kernel.
   *
   * @throws {GradientError} when the kernel has none.
   */
  get(kernelName: string): GradientFunction {
    const fn = this.#grads.get(kernelName);
    if (fn === undefined) {
      throw new GradientError(`kernel "${kernelName}" has no registered gradient`);
    }
    return fn;
  }

  /** Returns true when the kernel has a gradient. */
  has(kernelName: string): boolean {
    return this.#grads.has(kernelName);
  }
}
