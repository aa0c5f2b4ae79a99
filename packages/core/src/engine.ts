/**
 * The engine: one backend with its kernels, tensor bookkeeping (reference counts and scopes) and
 * the autodiff tape.
 *
 * @module
 */
import type { Backend, DataId, TensorInfo } from "./backend.js";
import {
  convertTypedArray,
  type DType,
  dtypeOfArray,
  type FloatDType,
  type TypedArray,
} from "./dtype.js";
import { DTypeError, ShapeError } from "./errors.js";
import type { KernelAttrs, KernelName } from "./kernels.js";
import type { Logger } from "./logger.js";
import type { GradientRegistry, KernelRegistry } from "./registry.js";
import { assertValidShape, formatShape, type Shape, sizeOf } from "./shape.js";
import { Tensor } from "./tensor.js";

/** Settings of an engine. */
export interface EngineOptions {
  /** Float dtype used when a creation function is given none. Default `float32`. */
  readonly defaultFloat?: FloatDType;
}

/** Counts reported by {@link Engine.memory}. */
export interface EngineMemory {
  /** Live tensor handles created by this engine. */
  readonly numTensors: number;
  /** Live storage handles on the backend. */
  readonly numDataIds: number;
  /** Bytes held by the backend, for backends that track them. */
  readonly numBytes: number;
}

/** Values a scope function may return; tensors found in it survive the scope. */
export type ScopeResult =
  | Tensor
  | readonly ScopeResult[]
  | { readonly [key: string]: ScopeResult }
  | number
  | string
  | boolean
  | null
  | undefined
  // biome-ignore lint/suspicious/noConfusingVoidType: scope callbacks that return nothing are typed `() => void`.
  | void;

/**
 * Runs kernels of one backend and keeps the books: reference counts of storage, scopes that
 * release intermediates, and the tape used by reverse-mode autodiff.
 */
export class Engine {
  readonly backend: Backend;
  readonly kernels: KernelRegistry;
  readonly gradients: GradientRegistry;
  readonly logger: Logger;
  readonly defaultFloat: FloatDType;

  #nextId = 0;
  #liveTensors = 0;
  readonly #refCounts = new Map<DataId, number>();
  readonly #scopes: Tensor[][] = [];
  #gradDepth = 0;
  #noGradDepth = 0;
  readonly #watched = new Map<Tensor, number>();

  constructor(
    backend: Backend,
    kernels: KernelRegistry,
    gradients: GradientRegistry,
    logger: Logger,
    options: EngineOptions = {},
  ) {
    this.backend = backend;
    this.kernels = kernels;
    this.gradients = gradients;
    this.logger = logger;
    this.defaultFloat = options.defaultFloat ?? "float32";
  }

  /** Name of the engine's backend. */
  get backendName(): string {
    return this.backend.name;
  }

  /**
   * Makes a tensor from values. Values are converted to `dtype` (float to int32 truncates).
   *
   * @throws {ShapeError} when the number of values does not match the shape.
   * @throws {DTypeError} when the backend does not support the dtype.
   */
  makeTensor(values: ArrayLike<number> | TypedArray, shape: Shape, dtype: DType): Tensor {
    assertValidShape(shape);
    if (values.length !== sizeOf(shape)) {
      throw new ShapeError(
        `tensor of shape ${formatShape(shape)} needs ${sizeOf(shape)} values, got ${values.length}`,
      );
    }
    this.assertDtype(dtype);
    const typed =
      ArrayBuffer.isView(values) && dtypeOfArray(values as TypedArray) === dtype
        ? (values as TypedArray)
        : convertTypedArray(values, dtype);
    const dataId = this.backend.write(typed, shape, dtype);
    return this.#track(dataId, shape, dtype);
  }

  /** Checks whether the active backend registers kernel `name` (some kernels are optional). */
  hasKernel(name: KernelName): boolean {
    return this.kernels.has(this.backend.name, name);
  }

  /**
   * Runs a kernel on validated inputs and records it on the tape when a gradient is being taken
   * through any input.
   */
  runKernel<K extends KernelName>(
    name: K,
    inputs: readonly Tensor[],
    attrs: KernelAttrs<K>,
  ): Tensor {
    for (const t of inputs) t.assertLive();
    const kernel = this.kernels.get(this.backend.name, name);
    const info: TensorInfo = kernel({ inputs, attrs, backend: this.backend });
    const out = this.#track(info.dataId, info.shape, info.dtype);
    if (this.shouldRecord(inputs)) this.record(name, inputs, attrs, out);
    return out;
  }

  /**
   * Returns a tensor of a new shape over the same storage (a reshape). Sizes must agree, and the
   * caller validates them.
   */
  view(x: Tensor, shape: Shape): Tensor {
    x.assertLive();
    this.#retain(x.dataId);
    const out = this.#makeHandle(x.dataId, shape, x.dtype);
    if (this.shouldRecord([x])) this.record("Reshape", [x], { shape: x.shape }, out);
    return out;
  }

  /** Returns a handle on the same storage that autodiff treats as a constant. */
  detach(x: Tensor): Tensor {
    x.assertLive();
    this.#retain(x.dataId);
    return this.#makeHandle(x.dataId, x.shape, x.dtype);
  }

  /**
   * Runs `fn` and disposes every tensor it created, except those in its result and those marked
   * with {@link Engine.keep}. Tensors that the autodiff tape still needs are handed to the
   * enclosing scope instead.
   */
  scope<T extends ScopeResult>(fn: () => T): T {
    this.startScope();
    let result: T | undefined;
    try {
      result = fn();
      return result;
    } finally {
      this.endScope(result);
    }
  }

  /** @internal Opens a scope; pair with {@link Engine.endScope}. */
  startScope(): void {
    this.#scopes.push([]);
  }

  /** @internal Closes the innermost scope, keeping the tensors found in `result`. */
  endScope(result: ScopeResult): void {
    const created = this.#scopes.pop();
    if (created === undefined) throw new Error("endScope() without a matching startScope()");
    const survivors = new Set<Tensor>();
    collectTensors(result, survivors);
    const parent = this.#scopes[this.#scopes.length - 1];
    for (const t of created) {
      if (t.isDisposed || t.kept) continue;
      if (survivors.has(t) || (t.taped && this.#gradDepth > 0)) {
        parent?.push(t);
        continue;
      }
      t.dispose();
    }
  }

  /** Marks a tensor so that no scope disposes it; it is released only by `dispose()`. */
  keep<T extends Tensor>(t: T): T {
    t.kept = true;
    return t;
  }

  /** Runs `fn` without recording anything on the tape. */
  noGrad<T>(fn: () => T): T {
    this.#noGradDepth++;
    try {
      return fn();
    } finally {
      this.#noGradDepth--;
    }
  }

  /** Current nesting depth of gradient computations (0 outside any). */
  get gradDepth(): number {
    return this.#gradDepth;
  }

  /** Live tensor and storage counts, for leak checks. */
  memory(): EngineMemory {
    const m = this.backend.memory();
    return { numTensors: this.#liveTensors, numDataIds: m.numDataIds, numBytes: m.numBytes };
  }

  /** @internal Whether a kernel call on these inputs must be recorded. */
  shouldRecord(inputs: readonly Tensor[]): boolean {
    if (this.#gradDepth === 0 || this.#noGradDepth > 0) return false;
    for (const t of inputs) if (t.node !== null || this.#watched.has(t)) return true;
    return false;
  }

  /** @internal Records a kernel call on the tape. */
  record(kernel: string, inputs: readonly Tensor[], attrs: unknown, output: Tensor): void {
    output.node = { kernel, inputs: [...inputs], attrs };
    output.taped = true;
    for (const t of inputs) t.taped = true;
  }

  /** @internal Enters a gradient computation that differentiates with respect to `targets`. */
  enterGrad(targets: readonly Tensor[]): void {
    this.#gradDepth++;
    for (const t of targets) this.#watched.set(t, (this.#watched.get(t) ?? 0) + 1);
  }

  /** @internal Leaves the gradient computation entered with the same `targets`. */
  exitGrad(targets: readonly Tensor[]): void {
    this.#gradDepth--;
    for (const t of targets) {
      const n = (this.#watched.get(t) ?? 1) - 1;
      if (n === 0) this.#watched.delete(t);
      else this.#watched.set(t, n);
    }
  }

  /** @internal Called by `Tensor.dispose()`. */
  releaseData(dataId: DataId): void {
    this.#liveTensors--;
    const n = (this.#refCounts.get(dataId) ?? 1) - 1;
    if (n > 0) {
      this.#refCounts.set(dataId, n);
      return;
    }
    this.#refCounts.delete(dataId);
    this.backend.disposeData(dataId);
  }

  /**
   * @throws {DTypeError} when the backend cannot hold tensors of `dtype`.
   */
  assertDtype(dtype: DType): void {
    if (!this.backend.supportsDtype(dtype)) {
      throw new DTypeError(`backend "${this.backend.name}" does not support dtype ${dtype}`);
    }
  }

  #track(dataId: DataId, shape: Shape, dtype: DType): Tensor {
    this.#refCounts.set(dataId, (this.#refCounts.get(dataId) ?? 0) + 1);
    return this.#makeHandle(dataId, shape, dtype);
  }

  #retain(dataId: DataId): void {
    this.#refCounts.set(dataId, (this.#refCounts.get(dataId) ?? 0) + 1);
  }

  #makeHandle(dataId: DataId, shape: Shape, dtype: DType): Tensor {
    const t = new Tensor(this, this.#nextId++, dataId, shape, dtype);
    this.#liveTensors++;
    this.#scopes[this.#scopes.length - 1]?.push(t);
    return t;
  }
}

function collectTensors(value: ScopeResult, into: Set<Tensor>): void {
  if (value instanceof Tensor) {
    into.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, into);
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) collectTensors(v as ScopeResult, into);
  }
}
