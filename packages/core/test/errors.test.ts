import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  add,
  type BackendDescriptor,
  BackendInitError,
  backendModule,
  createContainer,
  DisposedTensorError,
  DTypeError,
  DuplicateRegistrationError,
  defineKernel,
  type Engine,
  GradientError,
  initEngine,
  KernelNotFoundError,
  KernelRegistry,
  kernelModule,
  neg,
  reshape,
  ShapeError,
  tensor,
} from "../src/index.js";
import { StorageBackend } from "./storage_backend.js";

function descriptor(name: string, priority: number, fail?: string): BackendDescriptor {
  return {
    name,
    priority,
    kernels: [],
    create: () =>
      fail === undefined
        ? Promise.resolve(new StorageBackend(name))
        : Promise.reject(new Error(fail)),
  };
}

async function storageEngine(name = "storage"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(backendModule(descriptor(name, 1)));
  return initEngine(container, { defaultFloat: "float64" });
}

describe("error messages", () => {
  it("unknown kernel names kernel and backend", async () => {
    const engine = await storageEngine();
    const x = tensor(engine, [1, 2]);
    const expected = 'kernel "Unary" is not registered for backend "storage"';
    expect(() => neg(x)).toThrow(new KernelNotFoundError("Unary", "storage"));
    expect(() => neg(x)).toThrow(expected);
    expect(() => new KernelRegistry().get("cpu", "BatchMatMul")).toThrow(
      'kernel "BatchMatMul" is not registered for backend "cpu"',
    );
  });

  it("duplicate backend registration", () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(backendModule(descriptor("storage", 1)));
    expect(() => container.load(backendModule(descriptor("storage", 2)))).toThrow(
      new DuplicateRegistrationError("backend", "storage"),
    );
    expect(() => container.load(backendModule(descriptor("storage", 2)))).toThrow(
      'backend "storage" is already registered in this container',
    );
  });

  it("duplicate kernel registration in a registry", () => {
    const registry = new KernelRegistry();
    const kernel = defineKernel("Cast", "storage", ({ inputs }) => inputs[0]!);
    registry.register(kernel);
    expect(() => registry.register(kernel)).toThrow(
      'kernel "Cast" for backend "storage" is already registered in this container',
    );
  });

  it("duplicate kernel between a kernel module and the backend list", async () => {
    const container = createContainer({ logLevel: "silent" });
    const kernel = defineKernel("Cast", "storage", ({ inputs }) => inputs[0]!);
    container.load(backendModule({ ...descriptor("storage", 1), kernels: [kernel] }));
    container.load(kernelModule([kernel]));
    // initEngine reports registration failures as a failed backend.
    await expect(initEngine(container)).rejects.toThrow(
      'storage: kernel "Cast" for backend "storage" is already registered in this container',
    );
  });

  it("duplicate gradient registration", () => {
    const container = createContainer({ logLevel: "silent" });
    const registry = container.get<{ register: (c: unknown) => void }>(
      Symbol.for("covnet.GradientRegistry"),
    );
    expect(() => registry.register({ kernelName: "Unary", gradFunc: () => [] })).toThrow(
      'gradient "Unary" is already registered in this container',
    );
  });

  it("backend init failure lists each candidate", async () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(backendModule(descriptor("cuda", 300, "no CUDA driver found")));
    container.load(backendModule(descriptor("webgpu", 200, "navigator.gpu is undefined")));
    const error = await initEngine(container).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendInitError);
    expect((error as BackendInitError).message).toBe(
      "no backend could be initialised:\n  cuda: no CUDA driver found\n  webgpu: navigator.gpu is undefined",
    );
    expect((error as BackendInitError).failures).toEqual([
      { backend: "cuda", reason: "no CUDA driver found" },
      { backend: "webgpu", reason: "navigator.gpu is undefined" },
    ]);
  });

  it("backend init falls back by priority", async () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(backendModule(descriptor("cuda", 300, "no device")));
    container.load(backendModule(descriptor("storage", 100)));
    const engine = await initEngine(container);
    expect(engine.backendName).toBe("storage");
  });

  it("no registered backend", async () => {
    const container = createContainer({ logLevel: "silent" });
    await expect(initEngine(container)).rejects.toThrow(
      "no backend could be initialised:\n  no backend is registered",
    );
  });

  it("unknown explicit backend", async () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(backendModule(descriptor("storage", 1)));
    await expect(initEngine(container, { backend: "cuda" })).rejects.toThrow(
      new ArgumentError('backend "cuda" is not registered (registered: storage)'),
    );
  });

  it("use after dispose", async () => {
    const engine = await storageEngine();
    const x = tensor(engine, [1, 2, 3]);
    const id = x.id;
    x.dispose();
    x.dispose(); // a second dispose does nothing
    expect(x.isDisposed).toBe(true);
    expect(() => x.dataSync()).toThrow(new DisposedTensorError(id));
    expect(() => x.dataSync()).toThrow(`tensor #${id} was used after it was disposed`);
    expect(() => reshape(x, [3, 1])).toThrow(`tensor #${id} was used after it was disposed`);
    await expect(x.data()).rejects.toThrow(`tensor #${id} was used after it was disposed`);
  });

  it("shape mismatch of values", async () => {
    const engine = await storageEngine();
    expect(() => tensor(engine, [1, 2, 3], [2, 2])).toThrow(
      new ShapeError("tensor of shape [2, 2] needs 4 values, got 3"),
    );
    const x = tensor(engine, [1, 2, 3, 4, 5, 6], [2, 3]);
    expect(() => reshape(x, [4, 2])).toThrow(
      "reshape: cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)",
    );
  });

  it("shape mismatch of operands", async () => {
    const engine = await storageEngine();
    const a = tensor(engine, [1, 2, 3]);
    const b = tensor(engine, [1, 2]);
    expect(() => add(a, b)).toThrow(
      new ShapeError("add: shapes [3] and [2] cannot be broadcast (axis -1 has 3 and 2)"),
    );
  });

  it("dtype mismatch of operands", async () => {
    const engine = await storageEngine();
    const a = tensor(engine, [1, 2, 3], undefined, "float64");
    const b = tensor(engine, [1, 2, 3], undefined, "float32");
    expect(() => add(a, b)).toThrow(
      new DTypeError("add: dtypes differ: float64 and float32; cast one operand first"),
    );
  });

  it("unsupported dtype on a backend", async () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(backendModule(descriptor("float32-only", 1)));
    const engine = await initEngine(container);
    expect(() => tensor(engine, [1], undefined, "float64")).toThrow(
      new DTypeError('backend "float32-only" does not support dtype float64'),
    );
  });

  it("tensors of two engines do not mix", async () => {
    const e1 = await storageEngine("one");
    const e2 = await storageEngine("two");
    const a = tensor(e1, [1]);
    const b = tensor(e2, [1]);
    expect(() => add(a, b)).toThrow(
      `add: ${b} and ${a} belong to different engines (backends "two" and "one")`,
    );
  });

  it("error classes carry stable codes", () => {
    expect(new ShapeError("x").code).toBe("shape");
    expect(new DTypeError("x").code).toBe("dtype");
    expect(new GradientError("x").code).toBe("gradient");
    expect(new KernelNotFoundError("A", "b").name).toBe("KernelNotFoundError");
  });
});

describe("container isolation", () => {
  it("registries are per container", async () => {
    const c1 = createContainer({ logLevel: "silent" });
    const c2 = createContainer({ logLevel: "silent" });
    const kernel = defineKernel("Cast", "storage", ({ inputs }) => inputs[0]!);
    c1.load(backendModule({ ...descriptor("storage", 1), kernels: [kernel] }));
    c2.load(backendModule(descriptor("storage", 1)));
    const e1 = await initEngine(c1);
    const e2 = await initEngine(c2);
    expect(e1.kernels.has("storage", "Cast")).toBe(true);
    expect(e2.kernels.has("storage", "Cast")).toBe(false);
    expect(e1.kernels).not.toBe(e2.kernels);
    expect(e1.gradients).not.toBe(e2.gradients);
  });

  it("a second engine in one container reuses the registered kernels", async () => {
    const container = createContainer({ logLevel: "silent" });
    const kernel = defineKernel("Cast", "storage", ({ inputs }) => inputs[0]!);
    container.load(backendModule({ ...descriptor("storage", 1), kernels: [kernel] }));
    const e1 = await initEngine(container);
    const e2 = await initEngine(container);
    expect(e2.kernels).toBe(e1.kernels);
    expect(e2.kernels.kernelsOf("storage")).toEqual(["Cast"]);
  });
});
