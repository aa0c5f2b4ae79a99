import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, initEngine } from "@covnet/core";

/** Creates a fresh engine on the CPU backend in its own container. */
export async function cpuEngine(defaultFloat: "float32" | "float64" = "float64"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat });
}
