/**
 * The CPU backend: tensor data lives in typed arrays on the JavaScript heap.
 *
 * @module
 */
import {
  allocTypedArray,
  type Backend,
  type BackendMemory,
  bytesPerElement,
  type DataId,
  type DType,
  type Shape,
  sizeOf,
  type TensorInfo,
  type TypedArray,
} from "@covnet/core";

/** Storage of one tensor on the CPU backend. */
export interface CpuData {
  readonly values: TypedArray;
}

/** The CPU backend. Supports float32, float64 and int32, and synchronous reads. */
export class CpuBackend implements Backend {
  readonly name: string;
  readonly supportsSyncRead = true;
  #numDataIds = 0;
  #numBytes = 0;
  readonly #live = new WeakSet<DataId>();

  constructor(name = "cpu") {
    this.name = name;
  }

  supportsDtype(dtype: DType): boolean {
    return dtype === "float32" || dtype === "float64" || dtype === "int32";
  }

  write(values: TypedArray, _shape: Shape, _dtype: DType): DataId {
    return this.adopt(values.slice());
  }

  /** Wraps a typed array that a kernel allocated; the backend takes ownership. */
  adopt(values: TypedArray): CpuData {
    const data: CpuData = { values };
    this.#live.add(data);
    this.#numDataIds++;
    this.#numBytes += values.byteLength;
    return data;
  }

  /** Makes kernel output info from a freshly allocated typed array. */
  output(values: TypedArray, shape: Shape, dtype: DType): TensorInfo {
    return { dataId: this.adopt(values), shape, dtype };
  }

  /** Allocates a zeroed output of `shape` and `dtype`, returning its values and info. */
  allocate(shape: Shape, dtype: DType): { values: TypedArray; info: TensorInfo } {
    const values = allocTypedArray(dtype, sizeOf(shape));
    return { values, info: this.output(values, shape, dtype) };
  }

  /** The typed array of a tensor. Kernels read it and must not write to it. */
  values(info: TensorInfo): TypedArray {
    return (info.dataId as CpuData).values;
  }

  read(dataId: DataId): Promise<TypedArray> {
    return Promise.resolve(this.readSync(dataId));
  }

  readSync(dataId: DataId): TypedArray {
    return (dataId as CpuData).values.slice();
  }

  disposeData(dataId: DataId): void {
    if (!this.#live.has(dataId)) return;
    this.#live.delete(dataId);
    this.#numDataIds--;
    this.#numBytes -= (dataId as CpuData).values.byteLength;
  }

  memory(): BackendMemory {
    return { numDataIds: this.#numDataIds, numBytes: this.#numBytes };
  }

  dispose(): void {}
}

/** Bytes of one element, re-exported for kernels. */
export { bytesPerElement };
