/**
 * `SegmentSum`: sums rows of `x [n, ...rest]` into segments by int32 ids. Without float atomics,
 * the kernel reads a row index in compressed sparse row (CSR) form: `starts[numSegments + 1]`
 * followed by the rows of each segment in increasing order. Each thread owns one output element
 * and adds its segment's rows in that order, so the result is bitwise reproducible and both
 * values of `deterministic` give the same, deterministic, result.
 *
 * The row index is built on the host from the values written with the ids tensor and kept with
 * it. Ids computed on the GPU have no host copy; their index is built by three small GPU passes
 * (count, scan, fill) whose cost grows as `numSegments * n`.
 */

import type { DType } from "@covnet/core";
import { defineKernel, type KernelConfig, type KernelFunction, sizeOf } from "@covnet/core";
import type { GPUData, WebGPUBackend } from "../backend.js";
import type { ProgramSpec } from "../internal/program.js";
import { grid, main1d, paramsBlock, wgslType } from "../internal/wgsl.js";

/** The CSR row index of segment ids, built on the host: `[starts (numSegments + 1), rows]`. */
export function buildSegmentIndex(ids: Int32Array, numSegments: number): Uint32Array {
  const n = ids.length;
  const index = new Uint32Array(numSegments + 1 + n);
  for (let r = 0; r < n; r++) {
    const slot = (ids[r] as number) + 1;
    index[slot] = (index[slot] as number) + 1;
  }
  for (let s = 0; s < numSegments; s++)
    index[s + 1] = (index[s + 1] as number) + (index[s] as number);
  const next = index.slice(0, numSegments);
  const base = numSegments + 1;
  for (let r = 0; r < n; r++) {
    const s = ids[r] as number;
    index[base + (next[s] as number)] = r;
    next[s] = (next[s] as number) + 1;
  }
  return index;
}

/** Sums over the CSR index. Parameters: `[numSegments * inner, inner, numSegments]`. */
export function segmentSumProgram(dtype: DType): ProgramSpec {
  const t = wgslType(dtype);
  return {
    key: `SegmentSum:${dtype}`,
    bindings: ["read", "read", "write", "uniform"],
    source: () => `@group(0) @binding(0) var<storage, read> x: array<${t}>;
@group(0) @binding(1) var<storage, read> index: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<${t}>;
${paramsBlock(3)}
${main1d()}
  if (i >= p(0u)) { return; }
  let inner = p(1u);
  let rowsAt = p(2u) + 1u;
  let s = i / inner;
  let j = i % inner;
  var acc = ${t === "f32" ? "0.0" : "0"};
  for (var e = index[s]; e < index[s + 1u]; e++) {
    acc += x[index[rowsAt + e] * inner + j];
  }
  out[i] = acc;
}`,
  };
}

/**
 * Builds the CSR index of ids on the GPU in one program with three entry points selected by
 * `p(0)`: 0 counts each segment's rows, 1 scans the counts into starts (one thread), 2 lists each
 * segment's rows in increasing order. Parameters: `[pass, n, numSegments]`.
 */
export const segmentIndexProgram: ProgramSpec = {
  key: "SegmentIndex",
  bindings: ["read", "write", "uniform"],
  source: () => `@group(0) @binding(0) var<storage, read> ids: array<i32>;
@group(0) @binding(1) var<storage, read_write> index: array<u32>;
${paramsBlock(2)}
${main1d()}
  let phase = p(0u);
  let n = p(1u);
  let segments = p(2u);
  if (phase == 1u) {
    if (i != 0u) { return; }
    var total = 0u;
    for (var s = 0u; s < segments; s++) {
      let count = index[s + 1u];
      index[s + 1u] = total + count;
      total += count;
    }
    index[0] = 0u;
    return;
  }
  if (i >= segments) { return; }
  var k = 0u;
  for (var r = 0u; r < n; r++) {
    if (u32(ids[r]) == i) {
      if (phase == 2u) { index[segments + 1u + index[i] + k] = r; }
      k++;
    }
  }
  if (phase == 0u) { index[i + 1u] = k; }
}`,
};

function segmentIndex(backend: WebGPUBackend, ids: GPUData, numSegments: number): GPUBuffer {
  return backend.derivedBuffer(ids, `segments:${numSegments}`, () => {
    if (ids.hostCopy !== null)
      return backend.temporary(buildSegmentIndex(ids.hostCopy, numSegments));
    const n = ids.length;
    const index = backend.temporary(numSegments + 1 + n);
    for (const phase of [0, 1, 2]) {
      backend.run(
        segmentIndexProgram,
        [ids.buffer, index, new Uint32Array([phase, n, numSegments])],
        grid(phase === 1 ? 1 : numSegments),
      );
    }
    return index;
  });
}

const segmentSumKernel: KernelFunction<"SegmentSum", WebGPUBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const x = inputs[0]!;
  const ids = backend.gpuData(inputs[1]!);
  const inner = sizeOf(x.shape.slice(1));
  const outShape = [attrs.numSegments, ...x.shape.slice(1)];
  const { buffer, info } = backend.allocate(outShape, x.dtype);
  const total = attrs.numSegments * inner;
  if (total === 0) return info;
  const index = segmentIndex(backend, ids, attrs.numSegments);
  const params = new Uint32Array([total, inner, attrs.numSegments]);
  backend.run(
    segmentSumProgram(x.dtype),
    [backend.gpuData(x).buffer, index, buffer, params],
    grid(total),
  );
  return info;
};

export const segmentSumKernelConfig: KernelConfig = defineKernel(
  "SegmentSum",
  "webgpu",
  segmentSumKernel,
);
