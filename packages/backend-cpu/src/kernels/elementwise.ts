/**
 * Elementwise kernels: unary functions, binary arithmetic and comparisons with broadcasting,
 * `Where` and `Cast`.
 */
import {
  allocTypedArray,
  type BinaryKernel,
  broadcastShapes,
  type ComparisonKernel,
  defineKernel,
  type KernelConfig,
  type KernelFunction,
  type TypedArray,
  type UnaryKernel,
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

/**
 * `out[i] = f(x[i])` with one loop per function, so that each loop body is a direct call that V8
 * can inline instead of a call through a table.
 */
function unaryLoop(op: UnaryKernel, x: TypedArray, out: TypedArray): void {
  const n = out.length;
  switch (op) {
    case "Neg":
      for (let i = 0; i < n; i++) out[i] = -(x[i] as number);
      return;
    case "Abs":
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i] as number);
      return;
    case "Sign":
      for (let i = 0; i < n; i++) {
        const v = x[i] as number;
        out[i] = v > 0 ? 1 : v < 0 ? -1 : 0;
      }
      return;
    case "Exp":
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i] as number);
      return;
    case "Log":
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i] as number);
      return;
    case "Sqrt":
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i] as number);
      return;
    case "Square":
      for (let i = 0; i < n; i++) {
        const v = x[i] as number;
        out[i] = v * v;
      }
      return;
    case "Sin":
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i] as number);
      return;
    case "Cos":
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i] as number);
      return;
    case "Tanh":
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i] as number);
      return;
    case "Sigmoid":
      for (let i = 0; i < n; i++) out[i] = sigmoid(x[i] as number);
      return;
    case "Relu":
      for (let i = 0; i < n; i++) {
        const v = x[i] as number;
        out[i] = Math.max(v, 0);
      }
      return;
    case "Softplus":
      for (let i = 0; i < n; i++) out[i] = softplus(x[i] as number);
      return;
    case "Silu":
      for (let i = 0; i < n; i++) {
        const v = x[i] as number;
        out[i] = v * sigmoid(v);
      }
      return;
  }
}

const unaryKernel: KernelFunction<"Unary", CpuBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const { values, info } = backend.allocate(x.shape, x.dtype);
  unaryLoop(attrs.op, backend.values(x), values);
  return info;
};

/**
 * One run of a binary operation: `out[o + i] = f(a[ia + i * da], b[ib + i * db])`. The operator
 * switch sits outside the loops, and the common stride patterns (both contiguous, one operand
 * repeated) get their own loops.
 */
function binaryRun(
  op: BinaryKernel,
  out: TypedArray,
  o: number,
  a: TypedArray,
  ia: number,
  da: number,
  b: TypedArray,
  ib: number,
  db: number,
  n: number,
): void {
  if (da === 1 && db === 1) {
    switch (op) {
      case "Add":
        for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) + (b[ib + i] as number);
        return;
      case "Sub":
        for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) - (b[ib + i] as number);
        return;
      case "Mul":
        for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) * (b[ib + i] as number);
        return;
      case "Div":
        for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) / (b[ib + i] as number);
        return;
      default:
        break;
    }
  } else if (da === 1 && db === 0) {
    const s = b[ib] as number;
    switch (op) {
      case "Add":
        for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) + s;
        return;
      case "Sub":
        for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) - s;
        return;
      case "Mul":
        for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) * s;
        return;
      case "Div":
        for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) / s;
        return;
      default:
        break;
    }
  } else if (da === 0 && db === 1) {
    const s = a[ia] as number;
    switch (op) {
      case "Add":
        for (let i = 0; i < n; i++) out[o + i] = s + (b[ib + i] as number);
        return;
      case "Sub":
        for (let i = 0; i < n; i++) out[o + i] = s - (b[ib + i] as number);
        return;
      case "Mul":
        for (let i = 0; i < n; i++) out[o + i] = s * (b[ib + i] as number);
        return;
      case "Div":
        for (let i = 0; i < n; i++) out[o + i] = s / (b[ib + i] as number);
        return;
      default:
        break;
    }
  }
  switch (op) {
    case "Add":
      for (let i = 0; i < n; i++, ia += da, ib += db)
        out[o + i] = (a[ia] as number) + (b[ib] as number);
      return;
    case "Sub":
      for (let i = 0; i < n; i++, ia += da, ib += db)
        out[o + i] = (a[ia] as number) - (b[ib] as number);
      return;
    case "Mul":
      for (let i = 0; i < n; i++, ia += da, ib += db)
        out[o + i] = (a[ia] as number) * (b[ib] as number);
      return;
    case "Div":
      for (let i = 0; i < n; i++, ia += da, ib += db)
        out[o + i] = (a[ia] as number) / (b[ib] as number);
      return;
    case "Pow":
      for (let i = 0; i < n; i++, ia += da, ib += db)
        out[o + i] = (a[ia] as number) ** (b[ib] as number);
      return;
    case "Maximum":
      for (let i = 0; i < n; i++, ia += da, ib += db) {
        const x = a[ia] as number;
        const y = b[ib] as number;
        out[o + i] = x >= y || Number.isNaN(x) ? x : y;
      }
      return;
    case "Minimum":
      for (let i = 0; i < n; i++, ia += da, ib += db) {
        const x = a[ia] as number;
        const y = b[ib] as number;
        out[o + i] = x <= y || Number.isNaN(x) ? x : y;
      }
      return;
  }
}

const binaryKernel: KernelFunction<"Binary", CpuBackend> = ({ inputs, attrs, backend }) => {
  const a = inputs[0]!;
  const b = inputs[1]!;
  const av = backend.values(a);
  const bv = backend.values(b);
  const outShape = broadcastShapes(a.shape, b.shape);
  const { values, info } = backend.allocate(outShape, a.dtype);
  const strides = [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)];
  const op = attrs.op;
  forEachBroadcastRun(outShape, strides, (start, offsets, length, inner) => {
    binaryRun(
      op,
      values,
      start,
      av,
      offsets[0] as number,
      inner[0] as number,
      bv,
      offsets[1] as number,
      inner[1] as number,
      length,
    );
  });
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
  const av = backend.values(a);
  const bv = backend.values(b);
  const outShape = broadcastShapes(a.shape, b.shape);
  const { values, info } = backend.allocate(outShape, "int32");
  const f = COMPARE[attrs.op];
  const strides = [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)];
  forEachBroadcastRun(outShape, strides, (start, offsets, length, inner) => {
    let ia = offsets[0] as number;
    let ib = offsets[1] as number;
    const da = inner[0] as number;
    const db = inner[1] as number;
    for (let i = 0; i < length; i++, ia += da, ib += db)
      values[start + i] = f(av[ia] as number, bv[ib] as number);
  });
  return info;
};

const whereKernel: KernelFunction<"Where", CpuBackend> = ({ inputs, backend }) => {
  const [c, a, b] = inputs as [
    (typeof inputs)[0] & object,
    (typeof inputs)[0] & object,
    (typeof inputs)[0] & object,
  ];
  const outShape = broadcastShapes(broadcastShapes(c.shape, a.shape), b.shape);
  const { values, info } = backend.allocate(outShape, a.dtype);
  const cv = backend.values(c);
  const av = backend.values(a);
  const bv = backend.values(b);
  const strides = [
    broadcastStrides(c.shape, outShape),
    broadcastStrides(a.shape, outShape),
    broadcastStrides(b.shape, outShape),
  ];
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
