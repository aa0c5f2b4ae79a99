/** `Transpose`: axis permutation, as a strided copy that reads the input with permuted strides. */
import { defineKernel, type KernelConfig, type KernelFunction, stridesOf } from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { runStridedCopy } from "../internal/strided_copy.js";

const transposeKernel: KernelFunction<"Transpose", WebGPUBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const x = inputs[0]!;
  const outShape = attrs.perm.map((axis) => x.shape[axis] as number);
  const { buffer, info } = backend.allocate(outShape, x.dtype);
  const inStrides = stridesOf(x.shape);
  runStridedCopy(backend, backend.gpuData(x).buffer, buffer, {
    shape: outShape,
    sourceBase: 0,
    sourceStrides: attrs.perm.map((axis) => inStrides[axis] as number),
    targetBase: 0,
    targetStrides: stridesOf(outShape),
  });
  return info;
};

export const transposeKernelConfig: KernelConfig = defineKernel(
  "Transpose",
  "webgpu",
  transposeKernel,
);
