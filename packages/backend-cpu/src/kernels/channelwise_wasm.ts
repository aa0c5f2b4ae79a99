/**
 * The channel-wise CG product loop in WebAssembly with 128-bit SIMD: the operands are copied
 * into the module's memory, the loop runs there, and the target is copied back. Where
 * WebAssembly or its SIMD extension is missing, {@link runChannelwiseWasm} returns false and the
 * caller runs its JavaScript loop.
 */
import type { TypedArray } from "@covnet/core";
import { CHANNELWISE_WASM_BASE64 } from "./channelwise_wasm_binary.js";

/** The parts of the WebAssembly API used here (the ES2022 library has no WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  readonly Module: new (binary: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: object };
}

/** Exports of the module built by `scripts/build-wasm.mjs`. */
interface ChannelwiseExports {
  readonly memory: WasmMemory;
  readonly channelwiseF32: ChannelwiseFunction;
  readonly channelwiseF64: ChannelwiseFunction;
}

type ChannelwiseFunction = (
  batch: number,
  count: number,
  tau: number,
  table: number,
  coefficients: number,
  target: number,
  dimT: number,
  a: number,
  dimA: number,
  b: number,
  dimB: number,
) => void;

/** Offsets and values of one table in the layout the module reads. */
export interface WasmTable {
  /** `[count, 3]`: target, `a` and `b` element offsets of each entry. */
  readonly offsets: Int32Array;
  readonly values: Float64Array;
}

/** Largest memory the kernel uses; bigger calls run in JavaScript. */
const MAX_BYTES = 2 ** 30;
const PAGE_BYTES = 65536;

let instance: ChannelwiseExports | null | undefined;
let enabled = true;

function load(): ChannelwiseExports | null {
  if (instance !== undefined) return instance;
  try {
    const binary = Uint8Array.from(atob(CHANNELWISE_WASM_BASE64), (ch) => ch.charCodeAt(0));
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (api === undefined) throw new Error("WebAssembly is not available");
    const module = new api.Module(binary);
    instance = new api.Instance(module, {}).exports as ChannelwiseExports;
  } catch {
    // No WebAssembly, or no SIMD support: the JavaScript loop runs instead.
    instance = null;
  }
  return instance;
}

/** Turns the WebAssembly path on or off (tests compare it with the JavaScript loop). */
export function setChannelwiseWasmEnabled(on: boolean): void {
  enabled = on;
}

/** Reports whether channel-wise products run in WebAssembly on this platform. */
export function channelwiseWasmAvailable(): boolean {
  return enabled && load() !== null;
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

/**
 * Computes `result[item, t_j + u] = sum_j value_j * a[item, a_j + u] * b[item, b_j + u]` for
 * `u < tau` in WebAssembly, and returns false (leaving `result` untouched) when the module is
 * unavailable, the dtypes are not one float type, or the operands exceed {@link MAX_BYTES}.
 */
export function runChannelwiseWasm(
  table: WasmTable,
  tau: number,
  batch: number,
  result: TypedArray,
  dimT: number,
  a: TypedArray,
  dimA: number,
  b: TypedArray,
  dimB: number,
): boolean {
  if (!enabled) return false;
  const isF32 =
    result instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array;
  const isF64 =
    result instanceof Float64Array && a instanceof Float64Array && b instanceof Float64Array;
  if (!isF32 && !isF64) return false;
  const exports = load();
  if (exports === null) return false;
  const bytes = isF32 ? 4 : 8;
  const count = table.values.length;
  const coefficientsAt = align16(table.offsets.byteLength);
  const aAt = align16(coefficientsAt + table.values.byteLength);
  const bAt = align16(aAt + a.length * bytes);
  const targetAt = align16(bAt + b.length * bytes);
  const end = targetAt + result.length * bytes;
  if (end > MAX_BYTES) return false;
  const memory = exports.memory;
  if (memory.buffer.byteLength < end) {
    memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE_BYTES));
  }
  const buffer = memory.buffer;
  new Int32Array(buffer, 0, table.offsets.length).set(table.offsets);
  new Float64Array(buffer, coefficientsAt, count).set(table.values);
  const View = isF32 ? Float32Array : Float64Array;
  new View(buffer, aAt, a.length).set(a);
  new View(buffer, bAt, b.length).set(b);
  const target = new View(buffer, targetAt, result.length);
  target.fill(0);
  const run = isF32 ? exports.channelwiseF32 : exports.channelwiseF64;
  run(batch, count, tau, 0, coefficientsAt, targetAt, dimT, aAt, dimA, bAt, dimB);
  result.set(target);
  return true;
}
