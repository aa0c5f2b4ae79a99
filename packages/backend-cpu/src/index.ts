/**
 * `@covnet/backend-cpu`: the CPU backend, with float32, float64 and int32 kernels for every
 * kernel name of the core contract, and synchronous reads.
 *
 * @example
 * ```ts
 * import { createContainer, initEngine } from "@covnet/core";
 * import { cpuBackendModule } from "@covnet/backend-cpu";
 * const container = createContainer();
 * container.load(cpuBackendModule());
 * const engine = await initEngine(container, { defaultFloat: "float64" });
 * ```
 *
 * @module
 */
import { type BackendDescriptor, backendModule } from "@covnet/core";
import type { ContainerModule } from "inversify";
import { CpuBackend } from "./backend.js";
import { CPU_KERNELS } from "./kernels/index.js";

export { CpuBackend, type CpuData } from "./backend.js";
export { CPU_KERNELS } from "./kernels/index.js";

/** Priority of the CPU backend in automatic selection (below webgpu and cuda). */
export const CPU_PRIORITY = 100;

/** Descriptor of the CPU backend. */
export const cpuBackendDescriptor: BackendDescriptor = {
  name: "cpu",
  priority: CPU_PRIORITY,
  kernels: CPU_KERNELS,
  create: () => Promise.resolve(new CpuBackend()),
};

/** A container module that registers the CPU backend. */
export function cpuBackendModule(): ContainerModule {
  return backendModule(cpuBackendDescriptor);
}
