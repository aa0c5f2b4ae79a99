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
 * Calls `visit(outIndex, offsets)` for every output element in row-major order, where
 * `offsets[k]` is the flat index into operand `k`. The innermost axis is handed over as a run:
 * `visit(outStart, offsets, length, innerStrides)` so callers loop over it without index math.
 */
export function forEachBroadcastRun(
  outShape: Shape,
  operandStrides: readonly (readonly number[])[],
  visit: (outStart: number, offsets: readonly number[], length: number, inner: readonly number[]) => void,
): void {
  const rank = outShape.length;
  const k = operandStrides.length;
  if (rank === 0) {
    visit(0, new Array<number>(k).fill(0), 1, new Array<number>(k).fill(0));
    return;
  }
  const inner = operandStrides.map((s) => s[rank - 1] as number);
  const length = outShape[rank - 1] as number;
  if (length === 0) return;
  const outer = outShape.slice(0, -1);
  let outerSize = 1;
  for (const d of outer) outerSize *= d;
  const counter = new Array<number>(rank - 1).fill(0);
  const offsets = new Array<number>(k).fill(0);
  for (let r = 0; r < outerSize; r++) {
    visit(r * length, offsets, length, inner);
    for (let ax = rank - 2; ax >= 0; ax--) {
      counter[ax] = (counter[ax] as number) + 1;
      for (let j = 0; j < k; j++) offsets[j] = (offsets[j] as number) + ((operandStrides[j] as number[])[ax] as number);
      if ((counter[ax] as number) < (outer[ax] as number)) break;
      for (let j = 0; j < k; j++) {
        offsets[j] = (offsets[j] as number) - (counter[ax] as number) * ((operandStrides[j] as number[])[ax] as number);
      }
      counter[ax] = 0;
    }
  }
}
