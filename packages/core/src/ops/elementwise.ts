/**
 * Elementwise operations: unary functions, binary arithmetic with NumPy broadcasting,
 * comparisons, `where` and casts.
 *
 * @module
 */
import { type DType, isFloatDType } from "../dtype.js";
import { DTypeError } from "../errors.js";
import type { BinaryKernel, ComparisonKernel, UnaryKernel } from "../kernels.js";
import { broadcastShapes } from "../shape.js";
import type { Tensor } from "../tensor.js";
import {
  assertFloat,
  assertInt,
  assertSameDtype,
  engineOf,
  type TensorLike,
  toTensors,
} from "./validate.js";

const SIGNED_INT_OK: ReadonlySet<UnaryKernel> = new Set(["Neg", "Abs", "Sign", "Square", "Relu"]);

function unary(op: UnaryKernel, x: Tensor): Tensor {
  const engine = engineOf(op.toLowerCase(), [x]);
  if (!SIGNED_INT_OK.has(op)) assertFloat(op.toLowerCase(), x);
  return engine.runKernel("Unary", [x], { op });
}

/** `-x`. */
export const neg = (x: Tensor): Tensor => unary("Neg", x);
/** `|x|`. */
export const abs = (x: Tensor): Tensor => unary("Abs", x);
/** Sign of `x`: -1, 0 or 1. */
export const sign = (x: Tensor): Tensor => unary("Sign", x);
/** `e^x`. */
export const exp = (x: Tensor): Tensor => unary("Exp", x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unary("Log", x);
/** Square root. */
export const sqrt = (x: Tensor): Tensor => unary("Sqrt", x);
/** `x^2`. */
export const square = (x: Tensor): Tensor => unary("Square", x);
/** Sine (radians). */
export const sin = (x: Tensor): Tensor => unary("Sin", x);
/** Cosine (radians). */
export const cos = (x: Tensor): Tensor => unary("Cos", x);
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => unary("Tanh", x);
/** Logistic function `1 / (1 + e^-x)`. */
export const sigmoid = (x: Tensor): Tensor => unary("Sigmoid", x);
/** `max(x, 0)`. */
export const relu = (x: Tensor): Tensor => unary("Relu", x);
/** `log(1 + e^x)`, computed without overflow. */
export const softplus = (x: Tensor): Tensor => unary("Softplus", x);
/** `x * sigmoid(x)` (also called swish). */
export const silu = (x: Tensor): Tensor => unary("Silu", x);

function binary(op: BinaryKernel, a: TensorLike, b: TensorLike): Tensor {
  const name = op.toLowerCase();
  const [ta, tb] = toTensors(name, a, b);
  const engine = engineOf(name, [ta, tb]);
  assertSameDtype(name, ta, tb);
  if (op === "Pow" || op === "Div") assertFloat(name, ta);
  broadcastShapes(ta.shape, tb.shape, name);
  return engine.runKernel("Binary", [ta, tb], { op });
}

/** `a + b` with broadcasting. Numbers become scalars of the other operand's dtype. */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary("Add", a, b);
/** `a - b` with broadcasting. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary("Sub", a, b);
/** `a * b` with broadcasting. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary("Mul", a, b);
/** `a / b` with broadcasting (float only). */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary("Div", a, b);
/** `a ^ b` with broadcasting (float only). */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary("Pow", a, b);
/** Elementwise maximum with broadcasting. */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary("Maximum", a, b);
/** Elementwise minimum with broadcasting. */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary("Minimum", a, b);

function compare(op: ComparisonKernel, a: TensorLike, b: TensorLike): Tensor {
  const name = op.toLowerCase();
  const [ta, tb] = toTensors(name, a, b);
  const engine = engineOf(name, [ta, tb]);
  assertSameDtype(name, ta, tb);
  broadcastShapes(ta.shape, tb.shape, name);
  return engine.runKernel("Compare", [ta, tb], { op });
}

/** `a == b` as int32 0/1, with broadcasting. */
export const equal = (a: TensorLike, b: TensorLike): Tensor => compare("Equal", a, b);
/** `a != b` as int32 0/1. */
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => compare("NotEqual", a, b);
/** `a < b` as int32 0/1. */
export const less = (a: TensorLike, b: TensorLike): Tensor => compare("Less", a, b);
/** `a <= b` as int32 0/1. */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => compare("LessEqual", a, b);
/** `a > b` as int32 0/1. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => compare("Greater", a, b);
/** `a >= b` as int32 0/1. */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => compare("GreaterEqual", a, b);

/**
 * Picks `a` where `cond` is non-zero and `b` elsewhere; all three broadcast together.
 *
 * @param cond int32 mask, as returned by the comparisons.
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = toTensors("where", a, b);
  const engine = engineOf("where", [cond, ta, tb]);
  assertInt("where", "cond", cond);
  assertSameDtype("where", ta, tb);
  broadcastShapes(broadcastShapes(cond.shape, ta.shape, "where"), tb.shape, "where");
  return engine.runKernel("Where", [cond, ta, tb], {});
}

/** Converts to `dtype`; float to int32 truncates towards zero. Returns `x` when unchanged. */
export function cast(x: Tensor, dtype: DType): Tensor {
  const engine = engineOf("cast", [x]);
  if (x.dtype === dtype) return x;
  engine.assertDtype(dtype);
  return engine.runKernel("Cast", [x], { dtype });
}

/** `1 / x`. */
export function reciprocal(x: Tensor): Tensor {
  return div(1, x);
}

/** Clamps to `[low, high]`; the gradient is zero outside the interval. */
export function clip(x: Tensor, low: number, high: number): Tensor {
  return minimum(maximum(x, low), high);
}

/** Raises a clear error when `x` is not floating point. */
export function assertDifferentiable(op: string, x: Tensor): void {
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: ${x} is not a float tensor`);
}
