/** `Cast`: dtype conversion between float32 and int32; float to int32 truncates towards zero. */
import { type DType, defineKernel, type KernelConfig, type KernelFunction } from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { type ElementwiseShader, runElementwise } from "../internal/elementwise.js";
import { wgslType } from "../internal/wgsl.js";

/**
 * The shader converting `from` to `to`. WGSL's `i32(f32)` truncates towards zero and saturates
 * out-of-range values, where the CPU backend wraps them modulo 2^32.
 *
 * @throws {DTypeError} when either dtype is float64.
 */
export function castShader(from: DType, to: DType): ElementwiseShader {
  const target = wgslType(to);
  wgslType(from);
  return { name: "Cast", inputDtypes: [from], outputDtype: to, expression: `${target}(v0)` };
}

const castKernel: KernelFunction<"Cast", WebGPUBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  return runElementwise(backend, castShader(x.dtype, attrs.dtype), [x], x.shape);
};

export const castKernelConfig: KernelConfig = defineKernel("Cast", "webgpu", castKernel);
