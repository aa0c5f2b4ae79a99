/**
 * The WebGPU backend: tensor data lives in GPU storage buffers; kernels encode compute passes and
 * submit them at once, and reads copy into a mappable buffer and resolve when the GPU is done.
 *
 * @module
 */
import {
  type Backend,
  type BackendMemory,
  type DataId,
  type DType,
  DTypeError,
  type Shape,
  sizeOf,
  type TensorInfo,
  type TypedArray,
} from "@covnet/core";
import type { GPUContext } from "./device.js";
import { type DeviceLostError, GPUCommandError } from "./errors.js";
import { BufferPool } from "./internal/buffer_pool.js";
import type { ProgramResource, ProgramSpec } from "./internal/program.js";
import { PARAMS_WORDS } from "./internal/wgsl.js";

/** `GPUBufferUsage` flags, spelled out because Node.js has no `GPUBufferUsage` global. */
export const BufferUsage = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
} as const;

const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
const UNIFORM_USAGE = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
const STAGING_USAGE = BufferUsage.MAP_READ | BufferUsage.COPY_DST;
const MAP_MODE_READ = 0x1;

/** Largest int32 tensor, in elements, whose host copy is kept for index structures. */
const HOST_COPY_MAX_ELEMENTS = 1 << 22;

/** Storage of one tensor on the WebGPU backend. */
export interface GPUData {
  readonly buffer: GPUBuffer;
  readonly length: number;
  readonly dtype: DType;
  /**
   * The values of an int32 tensor written from the host, kept to build index structures (such as
   * the segment-sum row index) without reading the GPU back; null otherwise.
   */
  readonly hostCopy: Int32Array | null;
  /** Buffers derived from this tensor's values, released with it, by cache key. */
  readonly derived: Map<string, GPUBuffer>;
}

/** Buffer counts reported by {@link WebGPUBackend.bufferStats}. */
export interface WebGPUBufferStats {
  /**
   * GPU buffers handed out and not released: tensor storage, index buffers derived from tensors,
   * and temporaries of a kernel still running. After every tensor is disposed this is 0, and
   * leak checks assert exactly that.
   */
  readonly liveBuffers: number;
  /** Released buffers kept in the pool for reuse. */
  readonly pooledBuffers: number;
  /** Bytes of the pooled buffers. */
  readonly pooledBytes: number;
  /** Buffers of the program-independent data cache (uploaded CG plans). */
  readonly cachedBuffers: number;
  /** Compiled compute pipelines. */
  readonly pipelines: number;
}

/** Settings of a {@link WebGPUBackend}. */
export interface WebGPUBackendSettings {
  /** Registered name; default `webgpu`. */
  readonly name?: string;
  /** Bytes of released buffers kept for reuse; default 256 MiB. */
  readonly maxPooledBytes?: number;
  /** Uploaded CG plans kept on the device; default 64 (least recently used are dropped). */
  readonly maxCachedPlans?: number;
}

interface Pipeline {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

/**
 * The WebGPU backend. It holds float32 and int32 tensors (WGSL has no float64) and reads are
 * asynchronous only.
 */
export class WebGPUBackend implements Backend {
  readonly name: string;
  readonly supportsSyncRead = false;
  /** Name of the adapter the device came from. */
  readonly adapterName: string;
  /** Feature level of the adapter. */
  readonly featureLevel: "core" | "compatibility";
  readonly device: GPUDevice;

  readonly #pool: BufferPool;
  readonly #pipelines = new Map<string, Pipeline>();
  readonly #cache = new Map<string, GPUBuffer>();
  readonly #maxCachedPlans: number;
  readonly #release: () => void;
  #numDataIds = 0;
  #numBytes = 0;
  #lost: DeviceLostError | null = null;
  #commandError: GPUCommandError | null = null;
  #disposed = false;

  /**
   * @param context an acquired device (see `acquireGPUDevice`).
   * @param release called once by {@link WebGPUBackend.dispose} to release the device.
   */
  constructor(context: GPUContext, release: () => void, settings: WebGPUBackendSettings = {}) {
    this.name = settings.name ?? "webgpu";
    this.device = context.device;
    this.adapterName = context.adapterName;
    this.featureLevel = context.featureLevel;
    this.#release = release;
    this.#pool = new BufferPool(context.device, settings.maxPooledBytes ?? 256 * 2 ** 20);
    this.#maxCachedPlans = settings.maxCachedPlans ?? 64;
    void context.lost.then((error) => {
      if (!this.#disposed) this.#lost = error;
    });
    this.device.addEventListener("uncapturederror", (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      const kind =
        error.constructor.name === "GPUOutOfMemoryError"
          ? "out-of-memory"
          : error.constructor.name === "GPUInternalError"
            ? "internal"
            : "validation";
      this.#commandError ??= new GPUCommandError({ kind, detail: error.message });
    });
  }

  supportsDtype(dtype: DType): boolean {
    return dtype === "float32" || dtype === "int32";
  }

  /**
   * @throws {DTypeError} for float64 values.
   * @throws {DeviceLostError} when the device is lost.
   */
  write(values: TypedArray, shape: Shape, dtype: DType): DataId {
    this.assertUsable();
    if (!this.supportsDtype(dtype) || values instanceof Float64Array) {
      throw new DTypeError(
        `backend "${this.name}" does not support dtype ${dtype}: WGSL has no 64-bit floats, ` +
          "so convert to float32 before moving data to WebGPU",
      );
    }
    const length = sizeOf(shape);
    const hostCopy =
      dtype === "int32" && length <= HOST_COPY_MAX_ELEMENTS
        ? new Int32Array(values.buffer, values.byteOffset, length).slice()
        : null;
    const data = this.#adopt(
      this.#pool.acquire(length * 4, STORAGE_USAGE),
      length,
      dtype,
      hostCopy,
    );
    if (length > 0) {
      this.device.queue.writeBuffer(data.buffer, 0, values.buffer, values.byteOffset, length * 4);
    }
    return data;
  }

  /**
   * Copies the data into a mappable buffer and resolves with a typed array of the tensor's dtype.
   *
   * @throws {DeviceLostError} when the device is lost before or during the read.
   * @throws {GPUCommandError} when an earlier command failed validation on the device.
   */
  async read(dataId: DataId): Promise<TypedArray> {
    this.assertUsable();
    const data = dataId as GPUData;
    const bytes = data.length * 4;
    const out =
      data.dtype === "int32" ? new Int32Array(data.length) : new Float32Array(data.length);
    if (bytes > 0) {
      const staging = this.#pool.acquire(bytes, STAGING_USAGE);
      try {
        const encoder = this.device.createCommandEncoder();
        encoder.copyBufferToBuffer(data.buffer, 0, staging, 0, bytes);
        this.device.queue.submit([encoder.finish()]);
        await staging.mapAsync(MAP_MODE_READ, 0, bytes);
        out.set(new (out.constructor as Int32ArrayConstructor)(staging.getMappedRange(0, bytes)));
        staging.unmap();
      } catch (error) {
        this.assertUsable();
        throw error;
      } finally {
        this.#pool.release(staging);
      }
    }
    this.assertUsable();
    return out;
  }

  /** @throws {Error} always: WebGPU reads are asynchronous. */
  readSync(_dataId: DataId): TypedArray {
    throw new Error(`backend "${this.name}" has no synchronous read: use await tensor.data()`);
  }

  disposeData(dataId: DataId): void {
    const data = dataId as GPUData;
    this.#pool.release(data.buffer);
    for (const b of data.derived.values()) this.#pool.release(b);
    data.derived.clear();
    this.#numDataIds--;
    this.#numBytes -= data.length * 4;
  }

  memory(): BackendMemory {
    return { numDataIds: this.#numDataIds, numBytes: this.#numBytes };
  }

  /** Buffer counts for leak checks: `liveBuffers` is 0 once every tensor is disposed. */
  bufferStats(): WebGPUBufferStats {
    const pool = this.#pool.stats();
    return {
      liveBuffers: pool.inUse,
      pooledBuffers: pool.free,
      pooledBytes: pool.freeBytes,
      cachedBuffers: this.#cache.size,
      pipelines: this.#pipelines.size,
    };
  }

  /** Destroys every buffer and releases the device. Further calls do nothing. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#pool.destroy();
    for (const b of this.#cache.values()) b.destroy();
    this.#cache.clear();
    this.#pipelines.clear();
    this.#release();
  }

  /**
   * Throws the device-lost or command error recorded so far.
   *
   * @throws {DeviceLostError} when the device is lost.
   * @throws {GPUCommandError} when an earlier command failed on the device.
   */
  assertUsable(): void {
    if (this.#disposed) throw new Error(`backend "${this.name}" is disposed`);
    if (this.#lost !== null) throw this.#lost;
    const error = this.#commandError;
    if (error !== null) {
      this.#commandError = null;
      throw error;
    }
  }

  // ---- kernel helpers -------------------------------------------------------------------------

  /** Storage of a kernel input. */
  gpuData(info: TensorInfo): GPUData {
    return info.dataId as GPUData;
  }

  /** Allocates storage for a kernel output; its contents are undefined until a kernel writes it. */
  allocate(shape: Shape, dtype: DType): { buffer: GPUBuffer; info: TensorInfo } {
    this.assertUsable();
    const length = sizeOf(shape);
    const data = this.#adopt(this.#pool.acquire(length * 4, STORAGE_USAGE), length, dtype, null);
    return { buffer: data.buffer, info: { dataId: data, shape, dtype } };
  }

  /**
   * A storage buffer for one kernel call. Release it with {@link WebGPUBackend.releaseTemporary}
   * right after the last {@link WebGPUBackend.run} that uses it: later users write it through the
   * same queue, so they cannot overtake the commands already submitted.
   */
  temporary(words: Uint32Array | Int32Array | Float32Array | number): GPUBuffer {
    const length = typeof words === "number" ? words : words.length;
    const buffer = this.#pool.acquire(length * 4, STORAGE_USAGE);
    if (typeof words !== "number" && length > 0) {
      this.device.queue.writeBuffer(buffer, 0, words.buffer, words.byteOffset, length * 4);
    }
    return buffer;
  }

  /** Returns a temporary buffer to the pool. */
  releaseTemporary(buffer: GPUBuffer): void {
    this.#pool.release(buffer);
  }

  /**
   * Stores `build()` in a device buffer kept under `key` (for example an uploaded CG plan), or
   * returns the buffer stored before. The least recently used entries are dropped beyond the cap.
   */
  cachedBuffer(key: string, build: () => Uint32Array): GPUBuffer {
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const words = build();
    const buffer = this.device.createBuffer({
      size: Math.max(16, Math.ceil((words.length * 4) / 16) * 16),
      usage: STORAGE_USAGE,
    });
    if (words.length > 0)
      this.device.queue.writeBuffer(buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    this.#cache.set(key, buffer);
    if (this.#cache.size > this.#maxCachedPlans) {
      const [oldestKey, oldest] = this.#cache.entries().next().value as [string, GPUBuffer];
      this.#cache.delete(oldestKey);
      // Commands already submitted keep the buffer alive until they finish.
      oldest.destroy();
    }
    return buffer;
  }

  /** A buffer derived from a tensor's values under `key`, built once and released with it. */
  derivedBuffer(data: GPUData, key: string, build: () => GPUBuffer): GPUBuffer {
    let buffer = data.derived.get(key);
    if (buffer === undefined) {
      buffer = build();
      data.derived.set(key, buffer);
    }
    return buffer;
  }

  /**
   * Encodes one dispatch of `spec` with `resources` bound in order and submits it. A `Uint32Array`
   * resource becomes the uniform parameter block.
   */
  run(
    spec: ProgramSpec,
    resources: readonly ProgramResource[],
    workgroups: readonly number[],
  ): void {
    this.assertUsable();
    const { pipeline, layout } = this.#pipeline(spec);
    const temporaries: GPUBuffer[] = [];
    const entries: GPUBindGroupEntry[] = resources.map((r, binding) => {
      if (r instanceof Uint32Array) {
        if (r.length > PARAMS_WORDS) {
          throw new RangeError(
            `${spec.key}: ${r.length} parameter words exceed the block of ${PARAMS_WORDS}`,
          );
        }
        const buffer = this.#pool.acquire(PARAMS_WORDS * 4, UNIFORM_USAGE);
        this.device.queue.writeBuffer(buffer, 0, r.buffer, r.byteOffset, r.byteLength);
        temporaries.push(buffer);
        return { binding, resource: { buffer, size: PARAMS_WORDS * 4 } };
      }
      return { binding, resource: { buffer: r } };
    });
    const bindGroup = this.device.createBindGroup({ layout, entries });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(workgroups[0] ?? 1, workgroups[1] ?? 1, workgroups[2] ?? 1);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    for (const b of temporaries) this.#pool.release(b);
  }

  /** Copies `bytes` bytes between buffers on the queue. */
  copy(
    source: GPUBuffer,
    sourceOffset: number,
    target: GPUBuffer,
    targetOffset: number,
    bytes: number,
  ): void {
    if (bytes === 0) return;
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(source, sourceOffset, target, targetOffset, bytes);
    this.device.queue.submit([encoder.finish()]);
  }

  #pipeline(spec: ProgramSpec): Pipeline {
    const cached = this.#pipelines.get(spec.key);
    if (cached !== undefined) return cached;
    const layout = this.device.createBindGroupLayout({
      entries: spec.bindings.map((kind, binding) => ({
        binding,
        visibility: 0x4, // GPUShaderStage.COMPUTE
        buffer: {
          type: kind === "uniform" ? "uniform" : kind === "read" ? "read-only-storage" : "storage",
        },
      })),
    });
    const module = this.device.createShaderModule({ code: spec.source(), label: spec.key });
    const pipeline = this.device.createComputePipeline({
      label: spec.key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: "main" },
    });
    const entry = { pipeline, layout };
    this.#pipelines.set(spec.key, entry);
    return entry;
  }

  #adopt(buffer: GPUBuffer, length: number, dtype: DType, hostCopy: Int32Array | null): GPUData {
    this.#numDataIds++;
    this.#numBytes += length * 4;
    return { buffer, length, dtype, hostCopy, derived: new Map() };
  }
}
