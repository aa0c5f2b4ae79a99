/**
 * Engine for the page: WebGPU when the browser offers it, the CPU backend otherwise.
 *
 * @module
 */
import { cpuBackendModule } from "@covnet/backend-cpu";
import { WebGPUBackend, webgpuBackendModule } from "@covnet/backend-webgpu";
import { createContainer, createLogger, type Engine, initEngine } from "@covnet/core";

/** Which backend the page was asked to use (`?backend=` in the URL). */
export type BackendPreference = "auto" | "webgpu" | "cpu";

/** The engine the page computes with, and why. */
export interface DemoEngine {
  readonly engine: Engine;
  readonly backend: "webgpu" | "cpu";
  /** Adapter name on WebGPU, "TypeScript kernels" on the CPU. */
  readonly device: string;
  /** Reason for computing on the CPU although WebGPU was requested. Absent on WebGPU. */
  readonly fallbackReason?: string;
}

function container(log: (message: string) => void) {
  const logger = createLogger({
    level: "warn",
    sink: (level, message) => log(`${level}: ${message}`),
  });
  const c = createContainer({ logger });
  c.load(cpuBackendModule());
  return c;
}

/**
 * Creates the engine in float32 (the only float type of WGSL). With `auto` or `webgpu` it tries
 * WebGPU first and falls back to the CPU backend, recording the reason.
 *
 * @param log Receives the library's warnings.
 */
export async function createDemoEngine(
  preference: BackendPreference,
  log: (message: string) => void,
): Promise<DemoEngine> {
  let fallbackReason = "the CPU backend was requested with ?backend=cpu";
  if (preference !== "cpu") {
    if (typeof navigator === "undefined" || !("gpu" in navigator) || navigator.gpu === undefined) {
      fallbackReason = "this browser does not offer WebGPU (navigator.gpu is missing)";
    } else {
      const c = container(log);
      c.load(webgpuBackendModule({ gpu: navigator.gpu }));
      try {
        const engine = await initEngine(c, { backend: "webgpu", defaultFloat: "float32" });
        const device =
          engine.backend instanceof WebGPUBackend ? engine.backend.adapterName : "WebGPU";
        return { engine, backend: "webgpu", device };
      } catch (error) {
        fallbackReason = `WebGPU failed to start: ${(error as Error).message}`;
      }
    }
  }
  const engine = await initEngine(container(log), { backend: "cpu", defaultFloat: "float32" });
  return { engine, backend: "cpu", device: "TypeScript kernels", fallbackReason };
}
