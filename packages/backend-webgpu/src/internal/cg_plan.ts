/**
 * Upload layout of a CG plan for the GPU kernel. The plan becomes one `u32` buffer per target
 * operand, holding:
 *
 * - `paths`: 10 words per path: `offset1, tau1, offset2, tau2, offsetOut, tauOut,
 *   channelOffsetOut, weightOffset, coefficientStart, coefficientCount`;
 * - `coefficients`: 4 words per coefficient: `m1, m2, m` and the bits of the float32 value
 *   `coefficient * pathWeight` (the product taken in float64);
 * - for targets `out`, `x1`, `x2`, an inverse index from target elements to the contributions
 *   that reach them: `rowOf[dim]` and `channelOf[dim]` (the row of the element's part, and its
 *   channel), `rowStart[rows + 1]`, and `entries`, two words `(path, coefficient)` each, grouped
 *   by the target row (`m1`, `m2` or `m`) that the coefficient touches. Elements outside every
 *   path's part point at an empty row;
 * - for target `weights`, `pathOf[weightDim]`: the path owning each weight.
 *
 * Each GPU thread owns one element of the target and adds its contributions in index order, so
 * the kernel needs no atomics and its result is reproducible.
 */
import type { CGOperand, CGPlanData } from "@covnet/core";
import { f32Bits } from "./wgsl.js";

/** Words per path record. */
export const PATH_WORDS = 10;

/** Section offsets (in words) of an uploaded plan. */
export interface CGPlanLayout {
  readonly pathsAt: number;
  readonly coefficientsAt: number;
  readonly rowOfAt: number;
  readonly channelOfAt: number;
  readonly rowStartAt: number;
  readonly entriesAt: number;
  readonly pathOfAt: number;
}

/** An uploaded plan: its words and section offsets. */
export interface PackedCGPlan {
  readonly words: Uint32Array;
  readonly layout: CGPlanLayout;
}

/** Part offset, `2l+1` and channel count of the target part of a path. */
function targetPart(plan: CGPlanData, pathIndex: number, target: "out" | "x1" | "x2") {
  const path = plan.paths[pathIndex]!;
  if (target === "x1") return { offset: path.offset1, rows: 2 * path.l1 + 1, tau: path.tau1 };
  if (target === "x2") return { offset: path.offset2, rows: 2 * path.l2 + 1, tau: path.tau2 };
  return { offset: path.offsetOut, rows: 2 * path.l + 1, tau: path.tauOut };
}

function pushAll(words: number[], values: readonly number[]): void {
  for (const v of values) words.push(v);
}

/** Packs `plan` for computing `target`. */
export function packCGPlan(plan: CGPlanData, target: CGOperand): PackedCGPlan {
  const words: number[] = [];
  const pathsAt = 0;
  for (const p of plan.paths) {
    words.push(
      p.offset1,
      p.tau1,
      p.offset2,
      p.tau2,
      p.offsetOut,
      p.tauOut,
      p.channelOffsetOut,
      Math.max(p.weightOffset, 0),
      p.coefficientStart,
      p.coefficientCount,
    );
  }
  const coefficientsAt = words.length;
  const pathWeightOf = new Float64Array(plan.coefficients.length);
  for (const p of plan.paths) {
    for (let j = p.coefficientStart; j < p.coefficientStart + p.coefficientCount; j++)
      pathWeightOf[j] = p.pathWeight;
  }
  for (let j = 0; j < plan.coefficients.length; j++) {
    const value = (plan.coefficients[j] as number) * (pathWeightOf[j] as number);
    words.push(plan.m1[j] as number, plan.m2[j] as number, plan.m[j] as number, f32Bits(value));
  }
  let rowOfAt = 0;
  let channelOfAt = 0;
  let rowStartAt = 0;
  let entriesAt = 0;
  let pathOfAt = 0;
  if (target === "weights") {
    pathOfAt = words.length;
    const pathOf = new Array<number>(plan.weightDim).fill(0);
    plan.paths.forEach((p, index) => {
      const count = plan.mode === "uvw" ? p.tau1 * p.tau2 * p.tauOut : p.tau1 * p.tau2;
      for (let q = 0; q < count; q++) pathOf[p.weightOffset + q] = index;
    });
    pushAll(words, pathOf);
  } else {
    const dim = target === "x1" ? plan.dim1 : target === "x2" ? plan.dim2 : plan.dimOut;
    // Row 0 is the empty row of elements that no path reaches.
    const rowIds = new Map<string, number>();
    const rowOf = new Array<number>(dim).fill(0);
    const channelOf = new Array<number>(dim).fill(0);
    const rowEntries: number[][] = [[]];
    plan.paths.forEach((_, index) => {
      const part = targetPart(plan, index, target);
      for (let m = 0; m < part.rows; m++) {
        const key = `${part.offset}:${m}`;
        let id = rowIds.get(key);
        if (id === undefined) {
          id = rowEntries.length;
          rowIds.set(key, id);
          rowEntries.push([]);
          for (let c = 0; c < part.tau; c++) {
            rowOf[part.offset + m * part.tau + c] = id;
            channelOf[part.offset + m * part.tau + c] = c;
          }
        }
      }
    });
    plan.paths.forEach((p, index) => {
      const part = targetPart(plan, index, target);
      const mOf = target === "x1" ? plan.m1 : target === "x2" ? plan.m2 : plan.m;
      for (let j = p.coefficientStart; j < p.coefficientStart + p.coefficientCount; j++) {
        const id = rowIds.get(`${part.offset}:${mOf[j] as number}`) as number;
        rowEntries[id]!.push(index, j);
      }
    });
    rowOfAt = words.length;
    pushAll(words, rowOf);
    channelOfAt = words.length;
    pushAll(words, channelOf);
    rowStartAt = words.length;
    let start = 0;
    for (const list of rowEntries) {
      words.push(start);
      start += list.length / 2;
    }
    words.push(start);
    entriesAt = words.length;
    for (const list of rowEntries) pushAll(words, list);
  }
  return {
    words: Uint32Array.from(words),
    layout: { pathsAt, coefficientsAt, rowOfAt, channelOfAt, rowStartAt, entriesAt, pathOfAt },
  };
}
