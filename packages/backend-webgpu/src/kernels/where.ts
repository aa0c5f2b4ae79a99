/** `Where`: `cond ? a : b` elementwise, with the three operands broadcast together. */
import {
  broadcastShapes,
  type DType,
  defineKernel,
  type KernelConfig,
  type KernelFunction,
} from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { type ElementwiseShader, runElementwise } from "../internal/elementwise.js";

/** The shader of `Where` with values of `dtype`. */
export function whereShader(dtype: DType): ElementwiseShader {
  return {
    name: "Where",
    inputDtypes: ["int32", dtype, dtype],
    outputDtype: dtype,
    expression: "select(v2, v1, v0 != 0)",
  };
}

const whereKernel: KernelFunction<"Where", WebGPUBackend> = ({ inputs, backend }) => {
  const cond = inputs[0]!;
  const a = inputs[1]!;
  const b = inputs[2]!;
  const outShape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
  return runElementwise(backend, whereShader(a.dtype), [cond, a, b], outShape);
};

export const whereKernelConfig: KernelConfig = defineKernel("Where", "webgpu", whereKernel);
