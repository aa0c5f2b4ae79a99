/**
 * A pool of GPU buffers by usage and size class. Released buffers are reused by later requests of
 * the same class; reuse is safe without waiting for the GPU because every write to a buffer goes
 * through the device queue, which runs in submission order.
 */

/** Smallest buffer handed out, in bytes (bindings of size 0 are invalid). */
const MIN_BYTES = 16;

/** Rounds a byte count up to its size class: a power of two up to 1 MiB, then 1 MiB steps. */
export function sizeClass(bytes: number): number {
  const n = Math.max(MIN_BYTES, bytes);
  const mib = 1 << 20;
  if (n >= mib) return Math.ceil(n / mib) * mib;
  return 2 ** Math.ceil(Math.log2(n));
}

/** Counts of a pool's buffers. */
export interface BufferPoolStats {
  /** Buffers handed out and not yet released. */
  readonly inUse: number;
  /** Released buffers kept for reuse. */
  readonly free: number;
  /** Bytes of the free buffers. */
  readonly freeBytes: number;
}

export class BufferPool {
  readonly #device: GPUDevice;
  readonly #free = new Map<string, GPUBuffer[]>();
  readonly #inUse = new Set<GPUBuffer>();
  readonly #maxFreeBytes: number;
  #freeBytes = 0;
  #freeCount = 0;

  constructor(device: GPUDevice, maxFreeBytes: number) {
    this.#device = device;
    this.#maxFreeBytes = maxFreeBytes;
  }

  /** Returns a buffer of at least `bytes` bytes with exactly `usage`. */
  acquire(bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const size = sizeClass(bytes);
    const key = `${usage}:${size}`;
    const list = this.#free.get(key);
    let buffer = list?.pop();
    if (buffer === undefined) {
      buffer = this.#device.createBuffer({ size, usage });
    } else {
      this.#freeBytes -= size;
      this.#freeCount--;
    }
    this.#inUse.add(buffer);
    return buffer;
  }

  /** Returns a buffer to the pool, or destroys it when the pool's free bytes would exceed the cap. */
  release(buffer: GPUBuffer): void {
    if (!this.#inUse.delete(buffer)) return;
    if (this.#freeBytes + buffer.size > this.#maxFreeBytes) {
      buffer.destroy();
      return;
    }
    const key = `${buffer.usage}:${buffer.size}`;
    let list = this.#free.get(key);
    if (list === undefined) {
      list = [];
      this.#free.set(key, list);
    }
    list.push(buffer);
    this.#freeBytes += buffer.size;
    this.#freeCount++;
  }

  stats(): BufferPoolStats {
    return { inUse: this.#inUse.size, free: this.#freeCount, freeBytes: this.#freeBytes };
  }

  /** Destroys every buffer, in use or free. */
  destroy(): void {
    for (const b of this.#inUse) b.destroy();
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#inUse.clear();
    this.#free.clear();
    this.#freeBytes = 0;
    this.#freeCount = 0;
  }
}
