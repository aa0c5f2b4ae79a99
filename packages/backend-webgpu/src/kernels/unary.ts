/** `Unary`: elementwise functions of one tensor (float32; `Neg`, `Abs`, `Sign`, `Square`, `Relu` also int32). */
import {
  type DType,
  defineKernel,
  type KernelConfig,
  type KernelFunction,
  type UnaryKernel,
} from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { type ElementwiseShader, runElementwise } from "../internal/elementwise.js";

/**
 * `log(1 + u)` for `u >= 0` without losing small `u`: `log(w) * u / (w - 1)` with `w = 1 + u`
 * corrects the rounding of `w` (Goldberg, "What every computer scientist should know about
 * floating-point arithmetic", 1991, theorem 4).
 */
const FLOAT_HELPERS = `fn log1p_(u: f32) -> f32 {
  let w = 1.0 + u;
  if (w == 1.0) { return u; }
  return log(w) * u / (w - 1.0);
}
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn softplus_(x: f32) -> f32 {
  if (x > 0.0) { return x + log1p_(exp(-x)); }
  return log1p_(exp(x));
}
fn tanh_(x: f32) -> f32 {
  // tanh(x) is 1 to float32 precision beyond |x| = 10; clamping avoids inf / inf inside tanh.
  return tanh(clamp(x, -10.0, 10.0));
}`;

const FLOAT_OPS: Record<UnaryKernel, string> = {
  Neg: "-v0",
  Abs: "abs(v0)",
  Sign: "sign(v0)",
  Exp: "exp(v0)",
  Log: "log(v0)",
  Sqrt: "sqrt(v0)",
  Square: "v0 * v0",
  Sin: "sin(v0)",
  Cos: "cos(v0)",
  Tanh: "tanh_(v0)",
  Sigmoid: "sigmoid_(v0)",
  Relu: "select(0.0, v0, v0 > 0.0)",
  Softplus: "softplus_(v0)",
  Silu: "v0 * sigmoid_(v0)",
};

const INT_OPS: Partial<Record<UnaryKernel, string>> = {
  Neg: "-v0",
  Abs: "abs(v0)",
  Sign: "sign(v0)",
  Square: "v0 * v0",
  Relu: "max(v0, 0)",
};

/** The shader of a unary operator on `dtype`. */
export function unaryShader(op: UnaryKernel, dtype: DType): ElementwiseShader {
  if (dtype === "int32") {
    const expression = INT_OPS[op];
    if (expression === undefined) throw new TypeError(`Unary ${op} is not defined for int32`);
    return { name: `Unary.${op}`, inputDtypes: [dtype], outputDtype: dtype, expression };
  }
  return {
    name: `Unary.${op}`,
    inputDtypes: [dtype],
    outputDtype: dtype,
    helpers: FLOAT_HELPERS,
    expression: FLOAT_OPS[op],
  };
}

const unaryKernel: KernelFunction<"Unary", WebGPUBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  return runElementwise(backend, unaryShader(attrs.op, x.dtype), [x], x.shape);
};

export const unaryKernelConfig: KernelConfig = defineKernel("Unary", "webgpu", unaryKernel);
