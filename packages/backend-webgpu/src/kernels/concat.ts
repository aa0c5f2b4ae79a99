/** `Concat`: concatenation along an axis, one strided copy per input into its block. */
import { defineKernel, type KernelConfig, type KernelFunction, stridesOf } from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { runStridedCopy } from "../internal/strided_copy.js";

const concatKernel: KernelFunction<"Concat", WebGPUBackend> = ({ inputs, attrs, backend }) => {
  const first = inputs[0]!;
  const axis = attrs.axis;
  const outShape = [...first.shape];
  outShape[axis] = inputs.reduce((sum, t) => sum + (t.shape[axis] as number), 0);
  const { buffer, info } = backend.allocate(outShape, first.dtype);
  const outStrides = stridesOf(outShape);
  let offset = 0;
  for (const t of inputs) {
    runStridedCopy(backend, backend.gpuData(t).buffer, buffer, {
      shape: t.shape,
      sourceBase: 0,
      sourceStrides: stridesOf(t.shape),
      targetBase: offset * (outStrides[axis] as number),
      targetStrides: outStrides,
    });
    offset += t.shape[axis] as number;
  }
  return info;
};

export const concatKernelConfig: KernelConfig = defineKernel("Concat", "webgpu", concatKernel);
