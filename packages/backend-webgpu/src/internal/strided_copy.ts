/**
 * Shared shader of the data-movement kernels: for every index of an iteration shape, copy one
 * 32-bit word from `source[sourceBase + sum c_k sourceStride_k]` to
 * `target[targetBase + sum c_k targetStride_k]`. Words are copied as `u32`, so one program serves
 * float32 and int32. Transpose, slice, broadcast, concatenation and padding are all this copy with
 * different strides.
 */
import { type Shape, sizeOf } from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import type { ProgramSpec } from "./program.js";
import { grid, main1d, paramsBlock } from "./wgsl.js";

/** Parameters: `[n, rank, sourceBase, targetBase, shape[rank], sourceStrides, targetStrides]`. */
export const stridedCopyProgram: ProgramSpec = {
  key: "StridedCopy",
  bindings: ["read", "write", "uniform"],
  source: () => `@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
${paramsBlock(2)}
${main1d()}
  if (i >= p(0u)) { return; }
  let rank = p(1u);
  var s = p(2u);
  var t = p(3u);
  var rest = i;
  for (var a = rank; a > 0u; a--) {
    let dim = p(3u + a);
    let c = rest % dim;
    rest = rest / dim;
    s += c * p(3u + rank + a);
    t += c * p(3u + 2u * rank + a);
  }
  dst[t] = src[s];
}`,
};

/** Parameters: `[n, value bits]`. */
export const fillProgram: ProgramSpec = {
  key: "Fill",
  bindings: ["write", "uniform"],
  source: () => `@group(0) @binding(0) var<storage, read_write> dst: array<u32>;
${paramsBlock(1)}
${main1d()}
  if (i >= p(0u)) { return; }
  dst[i] = p(1u);
}`,
};

/** One strided copy, described in elements. */
export interface StridedCopy {
  readonly shape: Shape;
  readonly sourceBase: number;
  readonly sourceStrides: readonly number[];
  readonly targetBase: number;
  readonly targetStrides: readonly number[];
}

/** Runs one strided copy from `source` into `target`. */
export function runStridedCopy(
  backend: WebGPUBackend,
  source: GPUBuffer,
  target: GPUBuffer,
  copy: StridedCopy,
): void {
  const n = sizeOf(copy.shape);
  if (n === 0) return;
  const params = new Uint32Array([
    n,
    copy.shape.length,
    copy.sourceBase,
    copy.targetBase,
    ...copy.shape,
    ...copy.sourceStrides,
    ...copy.targetStrides,
  ]);
  backend.run(stridedCopyProgram, [source, target, params], grid(n));
}

/** Fills the first `n` words of `target` with `bits`. */
export function runFill(backend: WebGPUBackend, target: GPUBuffer, n: number, bits: number): void {
  if (n === 0) return;
  backend.run(fillProgram, [target, new Uint32Array([n, bits])], grid(n));
}
