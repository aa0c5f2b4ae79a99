/** `Slice`: the box `[begin, begin + size)`, as a strided copy from an offset. */
import { defineKernel, type KernelConfig, type KernelFunction, stridesOf } from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { runStridedCopy } from "../internal/strided_copy.js";

const sliceKernel: KernelFunction<"Slice", WebGPUBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const { buffer, info } = backend.allocate(attrs.size, x.dtype);
  const strides = stridesOf(x.shape);
  const sourceBase = attrs.begin.reduce((sum, b, axis) => sum + b * (strides[axis] as number), 0);
  runStridedCopy(backend, backend.gpuData(x).buffer, buffer, {
    shape: attrs.size,
    sourceBase,
    sourceStrides: strides,
    targetBase: 0,
    targetStrides: stridesOf(attrs.size),
  });
  return info;
};

export const sliceKernelConfig: KernelConfig = defineKernel("Slice", "webgpu", sliceKernel);
