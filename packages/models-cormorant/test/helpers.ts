import { type Engine, createContainer, initEngine } from "@covnet/core";
import { cpuBackendModule } from "@covnet/backend-cpu";

/** A fresh engine on the CPU backend in its own container. */
export async function cpuEngine(defaultFloat: "float32" | "float64" = "float64"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat });
}
