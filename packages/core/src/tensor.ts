/**
 * The tensor handle.
 *
 * @module
 */
import type { Backend, DataId } from "./backend.js";
import type { DType, TypedArray } from "./dtype.js";
import type { Engine } from "./engine.js";
import { DisposedTensorError } from "./errors.js";
import { type Shape, sizeOf } from "./shape.js";

/** A kernel call recorded for reverse-mode differentiation. */
export interface TapeNode {
  /** Kernel or view name, the key of its gradient function. */
  readonly kernel: string;
  readonly inputs: readonly Tensor[];
  readonly attrs: unknown;
}

/**
 * An immutable n-dimensional array on one backend. Operations never change a tensor; they return
 * new ones. Data is read back with {@link Tensor.data} (or {@link Tensor.dataSync} on backends
 * that allow it), and storage is released with {@link Tensor.dispose} or by the engine's scopes.
 */
export class Tensor {
  /** Unique id within the engine, for messages and debugging. */
  readonly id: number;
  /** Dimensions, outermost first; `[]` is a scalar. */
  readonly shape: Shape;
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** The engine (backend, registries, autodiff state) that owns this tensor. */
  readonly engine: Engine;
  /** @internal Storage handle on the backend. */
  readonly dataId: DataId;
  /** @internal The recorded kernel call that produced this tensor, when differentiated. */
  node: TapeNode | null = null;
  /** @internal True while a tape node refers to this tensor. */
  taped = false;
  /** @internal True when scopes must not dispose this tensor. */
  kept = false;
  #disposed = false;

  /** @internal Tensors are made by operations, never by user code. */
  constructor(engine: Engine, id: number, dataId: DataId, shape: Shape, dtype: DType) {
    this.engine = engine;
    this.id = id;
    this.dataId = dataId;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** The backend holding this tensor's storage. */
  get backend(): Backend {
    return this.engine.backend;
  }

  /** True after {@link Tensor.dispose}. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** @throws {DisposedTensorError} when the tensor was disposed. */
  assertLive(): void {
    if (this.#disposed) throw new DisposedTensorError(this.id);
  }

  /**
   * Reads the data back, row-major, as a new typed array of the tensor's dtype. A disposed tensor
   * gives a rejected promise, never a synchronous throw.
   */
  async data(): Promise<TypedArray> {
    this.assertLive();
    return this.engine.backend.read(this.dataId);
  }

  /**
   * Reads the data back synchronously, row-major.
   *
   * @throws {Error} on backends without synchronous reads (WebGPU).
   */
  dataSync(): TypedArray {
    this.assertLive();
    return this.engine.backend.readSync(this.dataId);
  }

  /** Reads the data back synchronously as a plain array of numbers. */
  toArray(): number[] {
    return Array.from(this.dataSync());
  }

  /**
   * Reads a one-element tensor back as a number.
   *
   * @throws {Error} when the tensor has more than one element.
   */
  item(): number {
    if (this.size !== 1) {
      throw new Error(
        `item() needs a tensor with one element, got shape [${this.shape.join(", ")}]`,
      );
    }
    return this.dataSync()[0] as number;
  }

  /** Releases the storage (once its last tensor is gone). Disposing twice does nothing. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.engine.releaseData(this.dataId);
  }

  /** Short description: `Tensor#3 float64 [2, 3]`. */
  toString(): string {
    return `Tensor#${this.id} ${this.dtype} [${this.shape.join(", ")}]`;
  }
}
