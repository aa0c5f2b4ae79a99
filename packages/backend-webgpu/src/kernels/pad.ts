/** `Pad`: constant padding, as a fill of the output and a strided copy into its interior. */
import {
  defineKernel,
  type KernelConfig,
  type KernelFunction,
  sizeOf,
  stridesOf,
} from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { runFill, runStridedCopy } from "../internal/strided_copy.js";
import { f32Bits } from "../internal/wgsl.js";

const padKernel: KernelFunction<"Pad", WebGPUBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const outShape = x.shape.map((d, axis) => {
    const [before, after] = attrs.paddings[axis]!;
    return d + before + after;
  });
  const { buffer, info } = backend.allocate(outShape, x.dtype);
  const bits = x.dtype === "int32" ? Math.trunc(attrs.value) >>> 0 : f32Bits(attrs.value);
  runFill(backend, buffer, sizeOf(outShape), bits);
  const outStrides = stridesOf(outShape);
  const targetBase = attrs.paddings.reduce(
    (sum, [before], axis) => sum + before * (outStrides[axis] as number),
    0,
  );
  runStridedCopy(backend, backend.gpuData(x).buffer, buffer, {
    shape: x.shape,
    sourceBase: 0,
    sourceStrides: stridesOf(x.shape),
    targetBase,
    targetStrides: outStrides,
  });
  return info;
};

export const padKernelConfig: KernelConfig = defineKernel("Pad", "webgpu", padKernel);
