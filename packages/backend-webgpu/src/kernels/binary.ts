/** `Binary`: elementwise arithmetic of two tensors with broadcasting. */
import {
  type BinaryKernel,
  broadcastShapes,
  type DType,
  defineKernel,
  type KernelConfig,
  type KernelFunction,
} from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { type ElementwiseShader, runElementwise } from "../internal/elementwise.js";

/**
 * `Math.pow` semantics on float32: WGSL `pow` is undefined for a negative base, so the sign of an
 * odd integer power is restored by hand, and a non-integer power of a negative base is NaN.
 */
const POW_HELPER = `fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a == 0.0) {
    if (b > 0.0) { return 0.0; }
    return 1.0 / a;
  }
  let r = pow(abs(a), b);
  if (a > 0.0) { return r; }
  if (fract(b) != 0.0) { return (r - r) / (a - a); }
  if (fract(b * 0.5) != 0.0) { return -r; }
  return r;
}`;

const FLOAT_OPS: Record<BinaryKernel, string> = {
  Add: "v0 + v1",
  Sub: "v0 - v1",
  Mul: "v0 * v1",
  Div: "v0 / v1",
  Pow: "pow_(v0, v1)",
  // NaN in either operand propagates, as in the CPU backend.
  Maximum: "select(v1, v0, v0 >= v1 || v0 != v0)",
  Minimum: "select(v1, v0, v0 <= v1 || v0 != v0)",
};

const INT_OPS: Record<BinaryKernel, string> = {
  Add: "v0 + v1",
  Sub: "v0 - v1",
  Mul: "v0 * v1",
  // Truncating division; division by zero gives 0, as storing Infinity into an Int32Array does.
  Div: "select(0, v0 / v1, v1 != 0)",
  Pow: "i32(pow_(f32(v0), f32(v1)))",
  Maximum: "max(v0, v1)",
  Minimum: "min(v0, v1)",
};

/** The shader of a binary operator on operands of `dtype`. */
export function binaryShader(op: BinaryKernel, dtype: DType): ElementwiseShader {
  return {
    name: `Binary.${op}`,
    inputDtypes: [dtype, dtype],
    outputDtype: dtype,
    helpers: op === "Pow" ? POW_HELPER : "",
    expression: dtype === "int32" ? INT_OPS[op] : FLOAT_OPS[op],
  };
}

const binaryKernel: KernelFunction<"Binary", WebGPUBackend> = ({ inputs, attrs, backend }) => {
  const a = inputs[0]!;
  const b = inputs[1]!;
  const outShape = broadcastShapes(a.shape, b.shape);
  return runElementwise(backend, binaryShader(attrs.op, a.dtype), [a, b], outShape);
};

export const binaryKernelConfig: KernelConfig = defineKernel("Binary", "webgpu", binaryKernel);
