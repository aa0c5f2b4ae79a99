/** `Gather`: slices along an axis at int32 indices; words are copied as `u32`. */
import { defineKernel, type KernelConfig, type KernelFunction, sizeOf } from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import type { ProgramSpec } from "../internal/program.js";
import { grid, main1d, paramsBlock } from "../internal/wgsl.js";

/** Parameters: `[n, count of indices, axis length, inner size]`. */
export const gatherProgram: ProgramSpec = {
  key: "Gather",
  bindings: ["read", "read", "write", "uniform"],
  source: () => `@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
${paramsBlock(3)}
${main1d()}
  if (i >= p(0u)) { return; }
  let k = p(1u);
  let axisLength = p(2u);
  let inner = p(3u);
  let t = i % inner;
  let j = (i / inner) % k;
  let o = i / (inner * k);
  dst[i] = src[(o * axisLength + u32(indices[j])) * inner + t];
}`,
};

const gatherKernel: KernelFunction<"Gather", WebGPUBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const indices = inputs[1]!;
  const axis = attrs.axis;
  const k = sizeOf(indices.shape);
  const outShape = [...x.shape];
  outShape[axis] = k;
  const { buffer, info } = backend.allocate(outShape, x.dtype);
  const n = sizeOf(outShape);
  if (n === 0) return info;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const params = new Uint32Array([n, k, x.shape[axis] as number, inner]);
  backend.run(
    gatherProgram,
    [backend.gpuData(x).buffer, backend.gpuData(indices).buffer, buffer, params],
    grid(n),
  );
  return info;
};

export const gatherKernelConfig: KernelConfig = defineKernel("Gather", "webgpu", gatherKernel);
