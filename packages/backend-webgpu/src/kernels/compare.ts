/** `Compare`: elementwise comparisons with broadcasting, giving int32 0/1. */
import {
  broadcastShapes,
  type ComparisonKernel,
  type DType,
  defineKernel,
  type KernelConfig,
  type KernelFunction,
} from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { type ElementwiseShader, runElementwise } from "../internal/elementwise.js";

const OPERATORS: Record<ComparisonKernel, string> = {
  Equal: "==",
  NotEqual: "!=",
  Less: "<",
  LessEqual: "<=",
  Greater: ">",
  GreaterEqual: ">=",
};

/** The shader of a comparison on operands of `dtype`. */
export function compareShader(op: ComparisonKernel, dtype: DType): ElementwiseShader {
  return {
    name: `Compare.${op}`,
    inputDtypes: [dtype, dtype],
    outputDtype: "int32",
    expression: `select(0, 1, v0 ${OPERATORS[op]} v1)`,
  };
}

const compareKernel: KernelFunction<"Compare", WebGPUBackend> = ({ inputs, attrs, backend }) => {
  const a = inputs[0]!;
  const b = inputs[1]!;
  const outShape = broadcastShapes(a.shape, b.shape);
  return runElementwise(backend, compareShader(attrs.op, a.dtype), [a, b], outShape);
};

export const compareKernelConfig: KernelConfig = defineKernel("Compare", "webgpu", compareKernel);
