/** `BroadcastTo`: NumPy broadcasting, as a strided copy with zero strides along broadcast axes. */
import { defineKernel, type KernelConfig, type KernelFunction, stridesOf } from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { broadcastStrides } from "../internal/elementwise.js";
import { runStridedCopy } from "../internal/strided_copy.js";

const broadcastToKernel: KernelFunction<"BroadcastTo", WebGPUBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const x = inputs[0]!;
  const { buffer, info } = backend.allocate(attrs.shape, x.dtype);
  runStridedCopy(backend, backend.gpuData(x).buffer, buffer, {
    shape: attrs.shape,
    sourceBase: 0,
    sourceStrides: broadcastStrides(x.shape, attrs.shape),
    targetBase: 0,
    targetStrides: stridesOf(attrs.shape),
  });
  return info;
};

export const broadcastToKernelConfig: KernelConfig = defineKernel(
  "BroadcastTo",
  "webgpu",
  broadcastToKernel,
);
