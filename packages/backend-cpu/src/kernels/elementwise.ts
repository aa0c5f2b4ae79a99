/**
 * Elementwise kernels: unary functions, binary arithmetic and comparisons with broadcasting,
 * `Where` and `Cast`.
 */
import {
  type BinaryKernel,
  type ComparisonKernel,
  type KernelConfig,
  defineKernel,
  type KernelFunction,
  type TypedArray,
  type UnaryKernel,
  allocTypedArray,
  broadcastShapes,
  shapesEqual,
} from "@covnet/core";
import type { CpuBackend } from "../backend.js";
import { broadcastStrides, forEachBroadcastRun } from "./broadcast.js";

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const UNARY: Record<UnaryKernel, (x: number) => number> = {
  Neg: (x) => -x,
  Abs: Math.abs,
  Sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  Exp: Math.exp,
  Log: Math.log,
  Sqrt: Math.sqrt,
  Square: (x) => x * x,
  Sin: Math.sin,
  Cos: Math.cos,
  Tanh: Math.tanh,
  Sigmoid: sigmoid,
  Relu: (x) => (x > 0 ? x : 0),
  Softplus: softplus,
  Silu: (x) => x * sigmoid(x),
};

const unaryKernel: KernelFunction<"Unary", CpuBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const xv = backend.values(x);
  const { values, info } = backend.allocate(x.shape, x.dtype);
  const f = UNARY[attrs.op];
  for (let i = 0; i < xv.length; i++) values[i] = f(xv[i] as number);
  return info;
};

const BINARY: Record<BinaryKernel, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Pow: Math.pow,
  Maximum: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  Minimum: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
};

/** Contiguous same-shape loops for the four arithmetic operators, without a call per element. */
function sameShapeArithmetic(op: BinaryKernel, a: TypedArray, b: TypedArray, out: TypedArray): boolean {
  const n = out.length;
  switch (op) {
    case "Add":
      for (let i = 0; i < n; i++) out[i] = (a[i] as number) + (b[i] as number);
      return true;
    case "Sub":
      for (let i = 0; i < n; i++) out[i] = (a[i] as number) - (b[i] as number);
      return true;
    case "Mul":
      for (let i = 0; i < n; i++) out[i] = (a[i] as number) * (b[i] as number);
      return true;
    case "Div":
      for (let i = 0; i < n; i++) out[i] = (a[i] as number) / (b[i] as number);
      return true;
    default:
      return false;
  }
}

function scalarArithmetic(op: BinaryKernel, a: TypedArray, s: number, out: TypedArray, scalarFirst: boolean): boolean {
  const n = out.length;
  switch (op) {
    case "Add":
      for (let i = 0; i < n; i++) out[i] = (a[i] as number) + s;
      return true;
    case "Mul":
      for (let i = 0; i < n; i++) out[i] = (a[i] as number) * s;
      return true;
    case "Sub":
      if (scalarFirst) for (let i = 0; i < n; i++) out[i] = s - (a[i] as number);
      else for (let i = 0; i < n; i++) out[i] = (a[i] as number) - s;
      return true;
    case "Div":
      if (scalarFirst) for (let i = 0; i < n; i++) out[i] = s / (a[i] as number);
      else for (let i = 0; i < n; i++) out[i] = (a[i] as number) / s;
      return true;
    default:
      return false;
  }
}

function broadcastBinary(
  f: (a: number, b: number) => number,
  a: { values: TypedArray; shape: readonly number[] },
  b: { values: TypedArray; shape: readonly number[] },
  outShape: readonly number[],
  out: TypedArray,
): void {
  const sa = broadcastStrides(a.shape, outShape);
  const sb = broadcastStrides(b.shape, outShape);
  const av = a.values;
  const bv = b.values;
  forEachBroadcastRun(outShape, [sa, sb], (start, offsets, length, inner) => {
    let ia = offsets[0] as number;
    let ib = offsets[1] as number;
    const da = inner[0] as number;
    const db = inner[1] as number;
    for (let i = 0; i < length; i++) {
      out[start + i] = f(av[ia] as number, bv[ib] as number);
      ia += da;
      ib += db;
    }
  });
}

const binaryKernel: KernelFunction<"Binary", CpuBackend> = ({ inputs, attrs, backend }) => {
  const a = inputs[0]!;
  const b = inputs[1]!;
  const av = backend.values(a);
  const bv = backend.values(b);
  const outShape = broadcastShapes(a.shape, b.shape);
  const { values, info } = backend.allocate(outShape, a.dtype);
  if (shapesEqual(a.shape, b.shape) && sameShapeArithmetic(attrs.op, av, bv, values)) return info;
  if (bv.length === 1 && av.length === values.length && scalarArithmetic(attrs.op, av, bv[0] as number, values, false)) {
    return info;
  }
  if (av.length === 1 && bv.length === values.length && scalarArithmetic(attrs.op, bv, av[0] as number, values, true)) {
    return info;
  }
  broadcastBinary(BINARY[attrs.op], { values: av, shape: a.shape }, { values: bv, shape: b.shape }, outShape, values);
  return info;
};

const COMPARE: Record<ComparisonKernel, (a: number, b: number) => number> = {
  Equal: (a, b) => (a === b ? 1 : 0),
  NotEqual: (a, b) => (a !== b ? 1 : 0),
  Less: (a, b) => (a < b ? 1 : 0),
  LessEqual: (a, b) => (a <= b ? 1 : 0),
  Greater: (a, b) => (a > b ? 1 : 0),
  GreaterEqual: (a, b) => (a >= b ? 1 : 0),
};

const compareKernel: KernelFunction<"Compare", CpuBackend> = ({ inputs, attrs, backend }) => {
  const a = inputs[0]!;
  const b = inputs[1]!;
  const outShape = broadcastShapes(a.shape, b.shape);
  const { values, info } = backend.allocate(outShape, "int32");
  broadcastBinary(COMPARE[attrs.op], { values: backend.values(a), shape: a.shape }, { values: backend.values(b), shape: b.shape }, outShape, values);
  return info;
};

const whereKernel: KernelFunction<"Where", CpuBackend> = ({ inputs, backend }) => {
  const [c, a, b] = inputs as [typeof inputs[0] & object, typeof inputs[0] & object, typeof inputs[0] & object];
  const outShape = broadcastShapes(broadcastShapes(c.shape, a.shape), b.shape);
  const { values, info } = backend.allocate(outShape, a.dtype);
  const cv = backend.values(c);
  const av = backend.values(a);
  const bv = backend.values(b);
  const strides = [broadcastStrides(c.shape, outShape), broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)];
  forEachBroadcastRun(outShape, strides, (start, offsets, length, inner) => {
    let ic = offsets[0] as number;
    let ia = offsets[1] as number;
    let ib = offsets[2] as number;
    for (let i = 0; i < length; i++) {
      values[start + i] = (cv[ic] as number) !== 0 ? (av[ia] as number) : (bv[ib] as number);
      ic += inner[0] as number;
      ia += inner[1] as number;
      ib += inner[2] as number;
    }
  });
  return info;
};

const castKernel: KernelFunction<"Cast", CpuBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const xv = backend.values(x);
  const values = allocTypedArray(attrs.dtype, xv.length);
  if (attrs.dtype === "int32") {
    for (let i = 0; i < xv.length; i++) values[i] = Math.trunc(xv[i] as number);
  } else {
    values.set(xv);
  }
  return backend.output(values, x.shape, attrs.dtype);
};

/** Elementwise kernel list. */
export const ELEMENTWISE_KERNELS: readonly KernelConfig[] = [
  defineKernel("Unary", "cpu", unaryKernel),
  defineKernel("Binary", "cpu", binaryKernel),
  defineKernel("Compare", "cpu", compareKernel),
  defineKernel("Where", "cpu", whereKernel),
  defineKernel("Cast", "cpu", castKernel),
];
