/** Engine module of the benchmark's worker threads: each computes on the CPU backend. */
import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, type FloatDType, initEngine } from "@covnet/core";

export function createEngine(dtype: FloatDType): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat: dtype });
}
