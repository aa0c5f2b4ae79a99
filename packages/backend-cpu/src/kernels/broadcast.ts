import { type Shape, stridesOf } from "@covnet/core";

/**
 * Strides of an operand of `inShape` read at the positions of `outShape` under broadcasting:
 * zero along broadcast axes, aligned at the right.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const inStrides = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((d, i) => {
    if (i < lead) return 0;
    const di = inShape[i - lead] as number;
    return di === 1 && d !== 1 ? 0 : (inStrides[i - lead] as number);
  });
}

/**
 * Merges adjacent axes that every operand walks contiguously, and drops axes of size 1, so that
 * runs are as long as possible: `[m, n]` plus a row `[n]` stays two axes, while a same-shape
 * operation becomes one run over all elements.
 */
export function collapseAxes(
  shape: readonly number[],
  operandStrides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = operandStrides.map(() => []);
  for (let ax = 0; ax < shape.length; ax++) {
    const d = shape[ax] as number;
    if (d === 1) continue;
    const last = outShape.length - 1;
    const mergeable =
      last >= 0 &&
      operandStrides.every((s, k) => {
        const prev = outStrides[k] as number[];
        return (prev[last] as number) === (s[ax] as number) * d;
      });
    if (mergeable) {
      outShape[last] = (outShape[last] as number) * d;
      operandStrides.forEach((s, k) => {
        (outStrides[k] as number[])[last] = s[ax] as number;
      });
    } else {
      outShape.push(d);
      operandStrides.forEach((s, k) => {
        (outStrides[k] as number[]).push(s[ax] as number);
      });
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `visit(outStart, offsets, length, inner)` for every run of the innermost axis, in
 * row-major order: output elements `outStart .. outStart + length` correspond to operand `k`
 * elements `offsets[k] + i * inner[k]`. Axes that all operands walk contiguously are merged
 * first, so contiguous operands arrive as one long run.
 */
export function forEachBroadcastRun(
  outShape: Shape,
  operandStrides: readonly (readonly number[])[],
  visit: (
    outStart: number,
    offsets: readonly number[],
    length: number,
    inner: readonly number[],
  ) => void,
): void {
  for (const d of outShape) if (d === 0) return;
  const collapsed = collapseAxes(outShape, operandStrides);
  const shape = collapsed.shape;
  const strides = collapsed.strides;
  const rank = shape.length;
  const k = strides.length;
  if (rank === 0) {
    visit(0, new Array<number>(k).fill(0), 1, new Array<number>(k).fill(0));
    return;
  }
  const inner = strides.map((s) => s[rank - 1] as number);
  const length = shape[rank - 1] as number;
  const outer = shape.slice(0, -1);
  let outerSize = 1;
  for (const d of outer) outerSize *= d;
  const counter = new Array<number>(rank - 1).fill(0);
  const offsets = new Array<number>(k).fill(0);
  for (let r = 0; r < outerSize; r++) {
    visit(r * length, offsets, length, inner);
    for (let ax = rank - 2; ax >= 0; ax--) {
      counter[ax] = (counter[ax] as number) + 1;
      for (let j = 0; j < k; j++)
        offsets[j] = (offsets[j] as number) + ((strides[j] as number[])[ax] as number);
      if ((counter[ax] as number) < (outer[ax] as number)) break;
      for (let j = 0; j < k; j++) {
        offsets[j] =
          (offsets[j] as number) -
          (counter[ax] as number) * ((strides[j] as number[])[ax] as number);
      }
      counter[ax] = 0;
    }
  }
}
