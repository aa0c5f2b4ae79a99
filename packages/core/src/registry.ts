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
  readonly #loadedBackends = new Set<string>();

  /** @internal True once a backend's own kernel list has been registered. */
  isBackendLoaded(backendName: string): boolean {
    return this.#loadedBackends.has(backendName);
  }

  /** @internal Records that a backend's own kernel list is registered. */
  markBackendLoaded(backendName: string): void {
    this.#loadedBackends.add(backendName);
  }

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
  /** For each input, whether its gradient is needed; others may be returned as `null`. */
  readonly needsGradient: readonly boolean[];
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
  /** Kernel name, or `Reshape` for the engine's reshape view. */
  readonly kernelName: K | "Reshape";
  readonly gradFunc: GradientFunction<K>;
}

/** Builds a {@link GradientConfig} whose function sees the attributes of kernel `K`. */
export function defineGradient<K extends KernelName>(
  kernelName: K | "Reshape",
  gradFunc: GradientFunction<K>,
): GradientConfig {
  return { kernelName, gradFunc: gradFunc as unknown as GradientFunction };
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
