/**
 * Gradients of the core kernels, each written with differentiable operations so that gradients
 * of gradients work.
 *
 * @module
 */

import { type FloatDType, isFloatDType } from "../dtype.js";
import type { KernelAttrs } from "../kernels.js";
import { zerosLike } from "../ops/creation.js";
import {
  add,
  cast,
  cos,
  div,
  equal,
  greater,
  greaterEqual,
  lessEqual,
  log,
  mul,
  neg,
  sigmoid,
  sign,
  sin,
  square,
  sub,
  where,
} from "../ops/elementwise.js";
import { matmul } from "../ops/linalg.js";
import { broadcastTo, sum, sumTo } from "../ops/reduce.js";
import { gather, pad, reshape, segmentSum, slice, split, transpose } from "../ops/shape_ops.js";
import { type SparseMatrix, sparseMatMul, sparseMatMulTransposed } from "../ops/sparse.js";
import { defineGradient, type GradientConfig, type GradientContext } from "../registry.js";
import type { Tensor } from "../tensor.js";
import { cgProductGradient } from "./cg_product.js";
import { SPHERICAL_HARMONICS_GRADIENTS } from "./spherical_harmonics.js";

/** `d(A x) / dx` applied to `dy` is `A^T dy`; the transposed matrix is among the inputs. */
/** Rebuilds the matrix of a `SparseMatMul` or `SparseMatMulTransposed` node from its inputs. */
function nodeMatrix(
  inputs: readonly Tensor[],
  columns: number,
  dtype: FloatDType,
  transposed: readonly Tensor[] | null,
): SparseMatrix {
  const [rowStart, cols, values] = inputs as [Tensor, Tensor, Tensor];
  const [rowStartT, columnsT, valuesT] = (transposed ?? []) as Tensor[];
  return {
    shape: [rowStart.size - 1, columns],
    nnz: values.size,
    dtype,
    csr: { rowStart, columns: cols, values },
    csrTransposed:
      rowStartT === undefined || rowStartT.size === 0
        ? null
        : { rowStart: rowStartT, columns: columnsT as Tensor, values: valuesT as Tensor },
  };
}

function sparseMatMulGrad(dy: Tensor, ctx: GradientContext<"SparseMatMul">): (Tensor | null)[] {
  const x = ctx.inputs[3] as Tensor;
  const matrix = nodeMatrix(
    ctx.inputs,
    x.shape[0] as number,
    x.dtype as FloatDType,
    ctx.inputs.slice(4),
  );
  return [null, null, null, sparseMatMulTransposed(matrix, dy), null, null, null];
}

function sparseMatMulTransposedGrad(
  dy: Tensor,
  ctx: GradientContext<"SparseMatMulTransposed">,
): (Tensor | null)[] {
  const y = ctx.inputs[3] as Tensor;
  const matrix = nodeMatrix(ctx.inputs, ctx.attrs.columns, y.dtype as FloatDType, null);
  return [null, null, null, sparseMatMul(matrix, dy)];
}

function unaryGrad(dy: Tensor, ctx: GradientContext<"Unary">): [Tensor | null] {
  const x = ctx.inputs[0] as Tensor;
  const y = ctx.output;
  if (!isFloatDType(x.dtype)) return [null];
  switch (ctx.attrs.op) {
    case "Neg":
      return [neg(dy)];
    case "Abs":
      return [mul(dy, sign(x))];
    case "Sign":
      return [zerosLike(x)];
    case "Exp":
      return [mul(dy, y)];
    case "Log":
      return [div(dy, x)];
    case "Sqrt":
      return [div(dy, mul(y, 2))];
    case "Square":
      return [mul(dy, mul(x, 2))];
    case "Sin":
      return [mul(dy, cos(x))];
    case "Cos":
      return [neg(mul(dy, sin(x)))];
    case "Tanh":
      return [mul(dy, sub(1, square(y)))];
    case "Sigmoid":
      return [mul(dy, mul(y, sub(1, y)))];
    case "Relu":
      return [mul(dy, cast(greater(x, 0), x.dtype))];
    case "Softplus":
      return [mul(dy, sigmoid(x))];
    case "Silu": {
      const s = sigmoid(x);
      return [mul(dy, mul(s, add(1, mul(x, sub(1, s)))))];
    }
  }
}

function binaryGrad(dy: Tensor, ctx: GradientContext<"Binary">): [Tensor | null, Tensor | null] {
  const a = ctx.inputs[0] as Tensor;
  const b = ctx.inputs[1] as Tensor;
  if (!isFloatDType(a.dtype)) return [null, null];
  const [needA, needB] = ctx.needsGradient;
  const ga = (f: () => Tensor) => (needA ? sumTo(f(), a.shape) : null);
  const gb = (f: () => Tensor) => (needB ? sumTo(f(), b.shape) : null);
  switch (ctx.attrs.op) {
    case "Add":
      return [ga(() => dy), gb(() => dy)];
    case "Sub":
      return [ga(() => dy), gb(() => neg(dy))];
    case "Mul":
      return [ga(() => mul(dy, b)), gb(() => mul(dy, a))];
    case "Div":
      return [ga(() => div(dy, b)), gb(() => neg(mul(dy, div(div(a, b), b))))];
    case "Pow":
      return [
        ga(() => mul(dy, mul(b, div(ctx.output, a)))),
        gb(() => {
          const positive = greater(a, 0);
          const safeA = where(positive, a, 1);
          return mul(dy, where(positive, mul(ctx.output, log(safeA)), 0));
        }),
      ];
    case "Maximum": {
      const mask = cast(greaterEqual(a, b), a.dtype);
      return [ga(() => mul(dy, mask)), gb(() => mul(dy, sub(1, mask)))];
    }
    case "Minimum": {
      const mask = cast(lessEqual(a, b), a.dtype);
      return [ga(() => mul(dy, mask)), gb(() => mul(dy, sub(1, mask)))];
    }
  }
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reduceGrad(dy: Tensor, ctx: GradientContext<"Reduce">): [Tensor | null] {
  const x = ctx.inputs[0] as Tensor;
  if (!isFloatDType(x.dtype)) return [null];
  const kept = keptShape(x.shape, ctx.attrs.axes);
  const g = broadcastTo(reshape(dy, kept), x.shape);
  if (ctx.attrs.op === "Sum") return [g];
  const extreme = reshape(ctx.output, kept);
  const mask = cast(equal(x, extreme), x.dtype);
  const count = sum(mask, ctx.attrs.axes, true);
  return [mul(g, div(mask, count))];
}

function matmulGrad(
  dy: Tensor,
  ctx: GradientContext<"BatchMatMul">,
): [Tensor | null, Tensor | null] {
  const a = ctx.inputs[0] as Tensor;
  const b = ctx.inputs[1] as Tensor;
  const { transposeA: tA, transposeB: tB } = ctx.attrs;
  const [needA, needB] = ctx.needsGradient;
  let ga: Tensor | null = null;
  let gb: Tensor | null = null;
  if (needA) {
    if (!tA && !tB) ga = matmul(dy, b, { transposeB: true });
    else if (tA && !tB) ga = matmul(b, dy, { transposeB: true });
    else if (!tA && tB) ga = matmul(dy, b);
    else ga = matmul(b, dy, { transposeA: true, transposeB: true });
    ga = sumTo(ga, a.shape);
  }
  if (needB) {
    if (!tA && !tB) gb = matmul(a, dy, { transposeA: true });
    else if (tA && !tB) gb = matmul(a, dy);
    else if (!tA && tB) gb = matmul(dy, a, { transposeA: true });
    else gb = matmul(dy, a, { transposeA: true, transposeB: true });
    gb = sumTo(gb, b.shape);
  }
  return [ga, gb];
}

function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

function gatherGrad(dy: Tensor, ctx: GradientContext<"Gather">): [Tensor | null, null] {
  const x = ctx.inputs[0] as Tensor;
  const indices = ctx.inputs[1] as Tensor;
  const axis = ctx.attrs.axis;
  if (!isFloatDType(x.dtype)) return [null, null];
  if (axis === 0) return [segmentSum(dy, indices, x.shape[0] as number), null];
  const perm = [axis, ...dy.shape.map((_, i) => i).filter((i) => i !== axis)];
  const moved = segmentSum(transpose(dy, perm), indices, x.shape[axis] as number);
  return [transpose(moved, inversePermutation(perm)), null];
}

/** Gradient functions of every core kernel and of the `Reshape` view. */
export const CORE_GRADIENTS: readonly GradientConfig[] = [
  defineGradient("Unary", unaryGrad),
  defineGradient("Binary", binaryGrad),
  defineGradient("Compare", () => [null, null]),
  defineGradient("Where", (dy, ctx: GradientContext<"Where">) => {
    const [cond, a, b] = ctx.inputs as [Tensor, Tensor, Tensor];
    if (!isFloatDType(a.dtype)) return [null, null, null];
    return [null, sumTo(where(cond, dy, 0), a.shape), sumTo(where(cond, 0, dy), b.shape)];
  }),
  defineGradient("Reduce", reduceGrad),
  defineGradient("BroadcastTo", (dy, ctx) => [sumTo(dy, (ctx.inputs[0] as Tensor).shape)]),
  defineGradient("BatchMatMul", matmulGrad),
  defineGradient("Transpose", (dy, ctx: GradientContext<"Transpose">) => [
    transpose(dy, inversePermutation(ctx.attrs.perm)),
  ]),
  defineGradient("Slice", (dy, ctx: GradientContext<"Slice">) => {
    const x = ctx.inputs[0] as Tensor;
    const { begin, size } = ctx.attrs;
    return [
      pad(
        dy,
        x.shape.map(
          (d, i) => [begin[i] as number, d - (begin[i] as number) - (size[i] as number)] as const,
        ),
      ),
    ];
  }),
  defineGradient("Pad", (dy, ctx: GradientContext<"Pad">) => {
    const x = ctx.inputs[0] as Tensor;
    return [
      slice(
        dy,
        ctx.attrs.paddings.map(([before]) => before),
        x.shape,
      ),
    ];
  }),
  defineGradient("Concat", (dy, ctx: GradientContext<"Concat">) =>
    split(
      dy,
      ctx.inputs.map((t) => t.shape[ctx.attrs.axis] as number),
      ctx.attrs.axis,
    ),
  ),
  defineGradient("Gather", gatherGrad),
  defineGradient("SegmentSum", (dy, ctx) => [gather(dy, ctx.inputs[1] as Tensor, 0), null]),
  defineGradient("SparseMatMul", sparseMatMulGrad),
  defineGradient("SparseMatMulTransposed", sparseMatMulTransposedGrad),
  defineGradient("Cast", (dy, ctx: GradientContext<"Cast">) => {
    const x = ctx.inputs[0] as Tensor;
    return [isFloatDType(x.dtype) && isFloatDType(ctx.attrs.dtype) ? cast(dy, x.dtype) : null];
  }),
  defineGradient("Reshape", (dy, ctx) => [
    reshape(dy, (ctx.attrs as { shape: readonly number[] }).shape),
  ]),
  defineGradient("CGProduct", cgProductGradient),
  ...SPHERICAL_HARMONICS_GRADIENTS,
];

export type { KernelAttrs };
