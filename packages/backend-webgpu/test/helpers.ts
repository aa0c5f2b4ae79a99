import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, initEngine } from "@covnet/core";
import { inject } from "vitest";
import { type WebGPUBackend, webgpuBackendModule } from "../src/index.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** True under CI: a missing WebGPU adapter must fail the suite, not skip it. */
    requireWebGPU: boolean;
  }
}

/** An engine on WebGPU, or the reason none could be created. */
export type WebGPUSetup =
  | { readonly ok: true; readonly engine: Engine; readonly backend: WebGPUBackend }
  | { readonly ok: false; readonly reason: string };

let setup: Promise<WebGPUSetup> | undefined;

/** The WebGPU engine of this test file, created once. */
export function webgpuSetup(): Promise<WebGPUSetup> {
  setup ??= (async () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(webgpuBackendModule());
    try {
      const engine = await initEngine(container, { backend: "webgpu", defaultFloat: "float32" });
      return { ok: true, engine, backend: engine.backend as WebGPUBackend };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  })();
  return setup;
}

/** Whether a missing adapter must fail the suite (set from the CI environment variable). */
export function webgpuRequired(): boolean {
  return inject("requireWebGPU");
}

/** A fresh engine on the CPU backend, the reference of every comparison. */
export async function cpuEngine(): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat: "float32" });
}
