/**
 * The backend contract: storage of tensor data and the kernel functions that compute on it.
 *
 * @module
 */
import type { DType, TypedArray } from "./dtype.js";
import type { KernelAttrs, KernelName } from "./kernels.js";
import type { Shape } from "./shape.js";

/** Opaque handle of a backend's storage for one tensor's data. */
export type DataId = object;

/** What a kernel sees of a tensor: its storage handle, shape and dtype. */
export interface TensorInfo {
  readonly dataId: DataId;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** Counts a backend reports about its storage. */
export interface BackendMemory {
  /** Live storage handles. */
  readonly numDataIds: number;
  /** Bytes held by live storage, where the backend knows it. */
  readonly numBytes: number;
}

/**
 * A compute backend. A backend owns storage (written from and read back into typed arrays) and is
 * given its kernels through the container's kernel registry.
 */
export interface Backend {
  /** Registered name, such as `cpu` or `webgpu`. */
  readonly name: string;
  /** True when {@link Backend.readSync} is available. */
  readonly supportsSyncRead: boolean;
  /** Returns true when tensors of `dtype` can live on this backend. */
  supportsDtype(dtype: DType): boolean;
  /** Stores a copy of `values` (already of `dtype`) and returns its handle. */
  write(values: TypedArray, shape: Shape, dtype: DType): DataId;
  /** Reads data back as a new typed array of the tensor's dtype. */
  read(dataId: DataId): Promise<TypedArray>;
  /** Reads data back synchronously; backends without it throw. */
  readSync(dataId: DataId): TypedArray;
  /** Releases storage. Called once per handle, when its last tensor is disposed. */
  disposeData(dataId: DataId): void;
  /** Storage counts, used by leak checks. */
  memory(): BackendMemory;
  /** Releases the backend's own resources (devices, pools). */
  dispose(): void;
}

/** Arguments a kernel function receives. */
export interface KernelArgs<K extends KernelName, B extends Backend = Backend> {
  readonly inputs: readonly TensorInfo[];
  readonly attrs: KernelAttrs<K>;
  readonly backend: B;
}

/** Result of a kernel: a new storage handle and its shape and dtype. */
export type KernelResult = TensorInfo;

/** A kernel implementation. It assumes validated input and allocates its output. */
export type KernelFunction<K extends KernelName = KernelName, B extends Backend = Backend> = (
  args: KernelArgs<K, B>,
) => KernelResult;

/** One kernel implementation for one backend, as listed by a backend package. */
export interface KernelConfig<K extends KernelName = KernelName> {
  readonly kernelName: K;
  readonly backendName: string;
  readonly kernelFunc: KernelFunction<K>;
}

/**
 * Builds a {@link KernelConfig}; the function is typed by the kernel's attributes and the
 * backend class.
 */
export function defineKernel<K extends KernelName, B extends Backend>(
  kernelName: K,
  backendName: string,
  kernelFunc: KernelFunction<K, B>,
): KernelConfig {
  return { kernelName, backendName, kernelFunc: kernelFunc as unknown as KernelFunction };
}
