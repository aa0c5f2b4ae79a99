import { CPU_KERNELS, CpuBackend, cpuBackendModule } from "@covnet/backend-cpu";
import {
  backendModule,
  createContainer,
  type DataId,
  type Engine,
  initEngine,
  type TypedArray,
} from "@covnet/core";

/** A fresh engine on the CPU backend in its own container. */
export async function cpuEngine(defaultFloat: "float32" | "float64" = "float64"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat });
}

/**
 * The CPU backend with synchronous reads switched off, as on WebGPU: `readSync` throws and
 * `read` resolves on a later turn of the event loop.
 */
export class AsyncReadCpuBackend extends CpuBackend {
  constructor(name: string) {
    super(name);
    // The base class types the flag as the literal `true`, so it is overridden at run time.
    Object.defineProperty(this, "supportsSyncRead", { value: false });
  }

  override read(dataId: DataId): Promise<TypedArray> {
    const values = super.readSync(dataId);
    return new Promise((resolve) => setImmediate(() => resolve(values)));
  }

  override readSync(_dataId: DataId): TypedArray {
    throw new Error("backend cpu-async has no synchronous read; use await tensor.data()");
  }
}

/** Creates a fresh engine on {@link AsyncReadCpuBackend}, registered as `cpu-async`. */
export async function asyncReadEngine(
  defaultFloat: "float32" | "float64" = "float64",
): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(
    backendModule({
      name: "cpu-async",
      priority: 1,
      kernels: CPU_KERNELS.map((k) => ({ ...k, backendName: "cpu-async" })),
      create: () => Promise.resolve(new AsyncReadCpuBackend("cpu-async")),
    }),
  );
  return initEngine(container, { backend: "cpu-async", defaultFloat });
}
