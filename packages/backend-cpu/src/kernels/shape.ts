/** Data movement kernels: transpose, slice, pad, concat, gather and segment sums. */
import {
  defineKernel,
  type KernelConfig,
  type KernelFunction,
  stridesOf,
  type TypedArray,
} from "@covnet/core";
import type { CpuBackend } from "../backend.js";
import { forEachBroadcastRun } from "./broadcast.js";

/**
 * Runs shorter than this are copied by a loop: `subarray` allocates a view per call, which costs
 * more than copying a few elements.
 */
const SET_MIN_LENGTH = 64;

/** Copies `length` elements read with stride `step` from `src[from]` into `dst[to]`. */
function copyRun(
  src: TypedArray,
  from: number,
  step: number,
  dst: TypedArray,
  to: number,
  length: number,
): void {
  if (step === 1 && length >= SET_MIN_LENGTH) {
    dst.set(src.subarray(from, from + length), to);
    return;
  }
  for (let i = 0; i < length; i++, from += step) dst[to + i] = src[from] as number;
}

const transposeKernel: KernelFunction<"Transpose", CpuBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const xv = backend.values(x);
  const outShape = attrs.perm.map((p) => x.shape[p] as number);
  const { values, info } = backend.allocate(outShape, x.dtype);
  const inStrides = stridesOf(x.shape);
  const readStrides = attrs.perm.map((p) => inStrides[p] as number);
  forEachBroadcastRun(outShape, [readStrides], (start, offsets, length, inner) => {
    copyRun(xv, offsets[0] as number, inner[0] as number, values, start, length);
  });
  return info;
};

const sliceKernel: KernelFunction<"Slice", CpuBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const xv = backend.values(x);
  const { values, info } = backend.allocate(attrs.size, x.dtype);
  const strides = stridesOf(x.shape);
  let base = 0;
  attrs.begin.forEach((b, i) => {
    base += b * (strides[i] as number);
  });
  forEachBroadcastRun(attrs.size, [strides], (start, offsets, length, inner) => {
    copyRun(xv, base + (offsets[0] as number), inner[0] as number, values, start, length);
  });
  return info;
};

const padKernel: KernelFunction<"Pad", CpuBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const xv = backend.values(x);
  const outShape = x.shape.map((d, i) => d + (attrs.paddings[i]![0] + attrs.paddings[i]![1]));
  const { values, info } = backend.allocate(outShape, x.dtype);
  if (attrs.value !== 0) values.fill(attrs.value);
  const outStrides = stridesOf(outShape);
  let base = 0;
  attrs.paddings.forEach(([before], i) => {
    base += before * (outStrides[i] as number);
  });
  forEachBroadcastRun(x.shape, [outStrides], (start, offsets, length, inner) => {
    const d = inner[0] as number;
    let io = base + (offsets[0] as number);
    if (d === 1 && length >= SET_MIN_LENGTH) {
      values.set(xv.subarray(start, start + length), io);
      return;
    }
    for (let i = 0; i < length; i++, io += d) values[io] = xv[start + i] as number;
  });
  return info;
};

const concatKernel: KernelFunction<"Concat", CpuBackend> = ({ inputs, attrs, backend }) => {
  const first = inputs[0]!;
  const axis = attrs.axis;
  const outShape = [...first.shape];
  outShape[axis] = inputs.reduce((s, t) => s + (t.shape[axis] as number), 0);
  const { values, info } = backend.allocate(outShape, first.dtype);
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= first.shape[i] as number;
  let inner = 1;
  for (let i = axis + 1; i < first.shape.length; i++) inner *= first.shape[i] as number;
  const outRow = (outShape[axis] as number) * inner;
  let colOffset = 0;
  for (const t of inputs) {
    const tv = backend.values(t);
    const chunk = (t.shape[axis] as number) * inner;
    for (let o = 0; o < outer; o++)
      copyRun(tv, o * chunk, 1, values, o * outRow + colOffset, chunk);
    colOffset += chunk;
  }
  return info;
};

const gatherKernel: KernelFunction<"Gather", CpuBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const indices = backend.values(inputs[1]!);
  const xv = backend.values(x);
  const axis = attrs.axis;
  const n = x.shape[axis] as number;
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= x.shape[i] as number;
  let inner = 1;
  for (let i = axis + 1; i < x.shape.length; i++) inner *= x.shape[i] as number;
  const k = indices.length;
  const outShape = [...x.shape];
  outShape[axis] = k;
  const { values, info } = backend.allocate(outShape, x.dtype);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const src = (o * n + (indices[j] as number)) * inner;
      const dst = (o * k + j) * inner;
      copyRun(xv, src, 1, values, dst, inner);
    }
  }
  return info;
};

const segmentSumKernel: KernelFunction<"SegmentSum", CpuBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const ids = backend.values(inputs[1]!);
  const xv = backend.values(x);
  const rows = x.shape[0] as number;
  const inner = rows === 0 ? 0 : xv.length / rows;
  const outShape = [attrs.numSegments, ...x.shape.slice(1)];
  const { values, info } = backend.allocate(outShape, x.dtype);
  // Rows are added in index order, so the result is deterministic. float32 sums accumulate in a
  // float64 buffer; the scatter loop then sees one array type per dtype.
  const acc = x.dtype === "float32" ? new Float64Array(values.length) : values;
  if (inner === 1) {
    for (let r = 0; r < rows; r++) {
      const dst = ids[r] as number;
      acc[dst] = (acc[dst] as number) + (xv[r] as number);
    }
  } else {
    for (let r = 0, src = 0; r < rows; r++, src += inner) {
      const dst = (ids[r] as number) * inner;
      for (let j = 0; j < inner; j++)
        acc[dst + j] = (acc[dst + j] as number) + (xv[src + j] as number);
    }
  }
  if (acc !== values) values.set(acc);
  return info;
};

const sparseMatMulKernel: KernelFunction<"SparseMatMul", CpuBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const rowStart = backend.values(inputs[0]!);
  const columns = backend.values(inputs[1]!);
  const weights = backend.values(inputs[2]!);
  const x = inputs[3]!;
  const xv = backend.values(x);
  const inner = x.shape[1] as number;
  const rows = attrs.rows;
  const { values, info } = backend.allocate([rows, inner], x.dtype);
  // Each output element sums in float64, in entry order, and is written once. Four columns at a
  // time keep the sums in locals.
  const wide = inner - (inner % 4);
  for (let r = 0; r < rows; r++) {
    const end = rowStart[r + 1] as number;
    const start = rowStart[r] as number;
    if (start === end) continue;
    const out = r * inner;
    for (let j = 0; j < wide; j += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let t = start; t < end; t++) {
        const w = weights[t] as number;
        const src = (columns[t] as number) * inner + j;
        a0 += w * (xv[src] as number);
        a1 += w * (xv[src + 1] as number);
        a2 += w * (xv[src + 2] as number);
        a3 += w * (xv[src + 3] as number);
      }
      values[out + j] = a0;
      values[out + j + 1] = a1;
      values[out + j + 2] = a2;
      values[out + j + 3] = a3;
    }
    for (let j = wide; j < inner; j++) {
      let a = 0;
      for (let t = start; t < end; t++) {
        a += (weights[t] as number) * (xv[(columns[t] as number) * inner + j] as number);
      }
      values[out + j] = a;
    }
  }
  return info;
};

const sparseMatMulTransposedKernel: KernelFunction<"SparseMatMulTransposed", CpuBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const rowStart = backend.values(inputs[0]!);
  const columns = backend.values(inputs[1]!);
  const weights = backend.values(inputs[2]!);
  const y = inputs[3]!;
  const yv = backend.values(y);
  const inner = y.shape[1] as number;
  const rows = y.shape[0] as number;
  const { values, info } = backend.allocate([attrs.columns, inner], y.dtype);
  // Rows are scattered in increasing entry order into float64 sums, written once at the end.
  // Four columns at a time keep the row's values in locals.
  const acc = values instanceof Float64Array ? values : new Float64Array(values.length);
  const wide = inner - (inner % 4);
  for (let r = 0; r < rows; r++) {
    const start = rowStart[r] as number;
    const end = rowStart[r + 1] as number;
    if (start === end) continue;
    const src = r * inner;
    for (let j = 0; j < wide; j += 4) {
      const y0 = yv[src + j] as number;
      const y1 = yv[src + j + 1] as number;
      const y2 = yv[src + j + 2] as number;
      const y3 = yv[src + j + 3] as number;
      for (let t = start; t < end; t++) {
        const w = weights[t] as number;
        const dst = (columns[t] as number) * inner + j;
        acc[dst] = (acc[dst] as number) + w * y0;
        acc[dst + 1] = (acc[dst + 1] as number) + w * y1;
        acc[dst + 2] = (acc[dst + 2] as number) + w * y2;
        acc[dst + 3] = (acc[dst + 3] as number) + w * y3;
      }
    }
    for (let j = wide; j < inner; j++) {
      const y = yv[src + j] as number;
      for (let t = start; t < end; t++) {
        const dst = (columns[t] as number) * inner + j;
        acc[dst] = (acc[dst] as number) + (weights[t] as number) * y;
      }
    }
  }
  if (acc !== values) values.set(acc);
  return info;
};

/** Data movement kernel list. */
export const SHAPE_KERNELS: readonly KernelConfig[] = [
  defineKernel("Transpose", "cpu", transposeKernel),
  defineKernel("Slice", "cpu", sliceKernel),
  defineKernel("Pad", "cpu", padKernel),
  defineKernel("Concat", "cpu", concatKernel),
  defineKernel("Gather", "cpu", gatherKernel),
  defineKernel("SegmentSum", "cpu", segmentSumKernel),
  defineKernel("SparseMatMul", "cpu", sparseMatMulKernel),
  defineKernel("SparseMatMulTransposed", "cpu", sparseMatMulTransposedKernel),
];
