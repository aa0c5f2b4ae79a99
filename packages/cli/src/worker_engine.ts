/**
 * Engine module of the CCN worker threads that `covnet train ccn --workers` starts: each worker
 * computes on the CPU backend.
 *
 * @module
 */
import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, type FloatDType, initEngine } from "@covnet/core";

/** Creates a CPU engine with the given default float type and no log output. */
export function createEngine(dtype: FloatDType): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat: dtype });
}
