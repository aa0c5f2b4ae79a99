/** Reduction and broadcasting kernels. */
import { defineKernel, type KernelConfig, type KernelFunction, stridesOf } from "@covnet/core";
import type { CpuBackend } from "../backend.js";
import { broadcastStrides, forEachBroadcastRun } from "./broadcast.js";

const reduceKernel: KernelFunction<"Reduce", CpuBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const xv = backend.values(x);
  const { axes, op } = attrs;
  const outShape = x.shape.filter((_, i) => !axes.includes(i));
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  let outSize = 1;
  for (const d of outShape) outSize *= d;
  // Accumulate in float64 whatever the dtype, then store once.
  const acc = new Float64Array(outSize);
  if (op === "Max") acc.fill(Number.NEGATIVE_INFINITY);
  if (op === "Min") acc.fill(Number.POSITIVE_INFINITY);
  const outStrides = broadcastStrides(keptShape, x.shape);
  const inStrides = stridesOf(x.shape);
  forEachBroadcastRun(x.shape, [inStrides, outStrides], (_start, offsets, length, inner) => {
    let ix = offsets[0] as number;
    let io = offsets[1] as number;
    const dx = inner[0] as number;
    const dout = inner[1] as number;
    if (op === "Sum") {
      if (dout === 0) {
        let s = 0;
        for (let i = 0; i < length; i++, ix += dx) s += xv[ix] as number;
        acc[io] = (acc[io] as number) + s;
      } else {
        for (let i = 0; i < length; i++, ix += dx, io += dout)
          acc[io] = (acc[io] as number) + (xv[ix] as number);
      }
    } else if (op === "Max") {
      for (let i = 0; i < length; i++, ix += dx, io += dout) {
        const v = xv[ix] as number;
        if (v > (acc[io] as number) || Number.isNaN(v)) acc[io] = v;
      }
    } else {
      for (let i = 0; i < length; i++, ix += dx, io += dout) {
        const v = xv[ix] as number;
        if (v < (acc[io] as number) || Number.isNaN(v)) acc[io] = v;
      }
    }
  });
  const { values, info } = backend.allocate(outShape, x.dtype);
  values.set(acc);
  return info;
};

const broadcastToKernel: KernelFunction<"BroadcastTo", CpuBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const x = inputs[0]!;
  const xv = backend.values(x);
  const { values, info } = backend.allocate(attrs.shape, x.dtype);
  const strides = broadcastStrides(x.shape, attrs.shape);
  forEachBroadcastRun(attrs.shape, [strides], (start, offsets, length, inner) => {
    let ix = offsets[0] as number;
    const dx = inner[0] as number;
    if (dx === 0) values.fill(xv[ix] as number, start, start + length);
    else for (let i = 0; i < length; i++, ix += dx) values[start + i] = xv[ix] as number;
  });
  return info;
};

/** Reduction kernel list. */
export const REDUCE_KERNELS: readonly KernelConfig[] = [
  defineKernel("Reduce", "cpu", reduceKernel),
  defineKernel("BroadcastTo", "cpu", broadcastToKernel),
];
