import {
  createContainer,
  DTypeError,
  initEngine,
  registeredBackends,
  segmentSum,
  sparseMatMulTransposed,
  sparseMatrixFromCsr,
  tensor,
} from "@covnet/core";
import { Cause, Effect, Exit } from "effect";
import { describe, expect, it } from "vitest";
import {
  acquireGPUDevice,
  DeviceLostError,
  type WebGPUBackend,
  WebGPUUnavailableError,
  webgpuBackendDescriptor,
  webgpuBackendModule,
} from "../src/index.js";
import { webgpuSetup } from "./helpers.js";
import { seededRandom } from "./vectors.js";

const gpu = await webgpuSetup();

/** A `GPU` whose `requestAdapter()` finds nothing, as on a machine without WebGPU support. */
const noAdapterGPU = {
  requestAdapter: () => Promise.resolve(null),
  getPreferredCanvasFormat: () => "rgba8unorm",
  wgslLanguageFeatures: new Set<string>(),
} as unknown as GPU;

describe("backend descriptor", () => {
  it("registers webgpu at priority 200", () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(webgpuBackendModule());
    const [descriptor] = registeredBackends(container);
    expect(descriptor?.name).toBe("webgpu");
    expect(descriptor?.priority).toBe(200);
  });

  it("create rejects without an adapter", async () => {
    const descriptor = webgpuBackendDescriptor({ gpu: noAdapterGPU });
    const failure = descriptor.create({
      logger: createContainer().get(Symbol.for("covnet.Logger")),
    });
    await expect(failure).rejects.toBeInstanceOf(WebGPUUnavailableError);
    await expect(failure).rejects.toThrow(/given GPU object at core level returned no adapter/);
  });

  it("acquireGPUDevice fails with a typed error", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.scoped(acquireGPUDevice({ gpu: noAdapterGPU })),
    );
    expect(Exit.isFailure(exit)).toBe(true);
    if (Exit.isFailure(exit)) {
      expect(Cause.squash(exit.cause)).toBeInstanceOf(WebGPUUnavailableError);
    }
  });
});

describe.runIf(gpu.ok)("WebGPU backend", () => {
  if (!gpu.ok) return;
  const { engine, backend } = gpu;

  it("rejects float64 tensors", () => {
    expect(() => tensor(engine, [1, 2], [2], "float64")).toThrow(DTypeError);
    expect(() => tensor(engine, [1, 2], [2], "float64")).toThrow(/does not support dtype float64/);
  });

  it("has no synchronous read", () => {
    const t = tensor(engine, [1, 2]);
    expect(backend.supportsSyncRead).toBe(false);
    expect(() => backend.readSync(t.dataId)).toThrow(/no synchronous read/);
    t.dispose();
  });

  it("returns every buffer on dispose", async () => {
    const before = backend.bufferStats();
    const t = tensor(engine, [1, 2, 3]);
    expect(backend.bufferStats().liveBuffers).toBe(before.liveBuffers + 1);
    await t.data();
    t.dispose();
    expect(backend.bufferStats().liveBuffers).toBe(before.liveBuffers);
    expect(backend.bufferStats().pooledBuffers).toBeGreaterThan(0);
  });

  it("segment sum is bitwise reproducible", async () => {
    const random = seededRandom(7);
    const n = 3000;
    const x = tensor(
      engine,
      Float32Array.from({ length: n * 4 }, () => random() * 2 - 1),
      [n, 4],
    );
    const ids = tensor(
      engine,
      Int32Array.from({ length: n }, () => Math.floor(random() * 5)),
      [n],
      "int32",
    );
    const first = Array.from(await segmentSum(x, ids, 5, { deterministic: true }).data());
    for (let run = 0; run < 3; run++) {
      const again = segmentSum(x, ids, 5, { deterministic: true });
      expect(Array.from(await again.data())).toEqual(first);
      again.dispose();
    }
  });

  it("stores sparse transposes without a scatter kernel", async () => {
    expect(engine.hasKernel("SparseMatMulTransposed")).toBe(false);
    const csr = {
      rowStart: Int32Array.from([0, 2, 3]),
      columns: Int32Array.from([0, 2, 1]),
      values: [1, 2, 3],
    };
    expect(() =>
      sparseMatrixFromCsr(engine, [2, 3], csr, "float32", { storeTranspose: false }),
    ).toThrow(/webgpu backend has no SparseMatMulTransposed kernel/);
    const m = sparseMatrixFromCsr(engine, [2, 3], csr, "float32");
    expect(m.csrTransposed).not.toBeNull();
    const y = sparseMatMulTransposed(m, tensor(engine, [1, 10], [2, 1]));
    expect(Array.from(await y.data())).toEqual([1, 30, 2]);
  });

  it("reports device loss as DeviceLostError", async () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(webgpuBackendModule());
    const own = await initEngine(container, { backend: "webgpu" });
    const ownBackend = own.backend as WebGPUBackend;
    ownBackend.device.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(() => tensor(own, [1, 2])).toThrow(DeviceLostError);
    ownBackend.dispose();
  });
});
