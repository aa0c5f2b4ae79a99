import type { Backend, BackendMemory, DataId, DType, Shape, TypedArray } from "../src/index.js";

/**
 * A backend with storage and no kernels, so that core's engine, container and error paths can be
 * tested without depending on a backend package.
 */
export class StorageBackend implements Backend {
  readonly name: string;
  readonly supportsSyncRead = true;
  readonly #live = new Set<{ values: TypedArray }>();

  constructor(name = "storage") {
    this.name = name;
  }

  supportsDtype(dtype: DType): boolean {
    return dtype !== "float64" || this.name !== "float32-only";
  }

  write(values: TypedArray, _shape: Shape, _dtype: DType): DataId {
    const data = { values: values.slice() };
    this.#live.add(data);
    return data;
  }

  read(dataId: DataId): Promise<TypedArray> {
    return Promise.resolve(this.readSync(dataId));
  }

  readSync(dataId: DataId): TypedArray {
    return (dataId as { values: TypedArray }).values.slice();
  }

  disposeData(dataId: DataId): void {
    this.#live.delete(dataId as { values: TypedArray });
  }

  memory(): BackendMemory {
    let numBytes = 0;
    for (const d of this.#live) numBytes += d.values.byteLength;
    return { numDataIds: this.#live.size, numBytes };
  }

  dispose(): void {}
}
