/**
 * The CG product kernel: `out[b] = sum_paths pathWeight * C * w * x1[b] * x2[b]` and its three
 * adjoint contractions (targets `x1`, `x2`, `weights`), in the four channel modes of a plan.
 *
 * A plan is compiled once into flat per-coefficient offsets (cached per plan object), and each
 * call allocates its scratch buffers once, before the batch loop. Channel-wise plans whose paths
 * share one channel count (Cormorant's) take a faster path over one flat coefficient table.
 */
import {
  type CGPathData,
  type CGPlanData,
  defineKernel,
  type KernelConfig,
  type KernelFunction,
  type TypedArray,
} from "@covnet/core";
import type { CpuBackend } from "../backend.js";
import { runChannelwiseWasm, type WasmTable } from "./channelwise_wasm.js";

/** Per-coefficient offsets within the parts, with the path weight folded into the value. */
interface CompiledPath {
  readonly path: CGPathData;
  readonly count: number;
  /** `m1 * tau1`: row of the `x1` part. */
  readonly row1: Int32Array;
  /** `m2 * tau2`: row of the `x2` part. */
  readonly row2: Int32Array;
  /** `m * tauOut + channelOffsetOut`: row of the output part, at the path's first channel. */
  readonly rowOut: Int32Array;
  /** `m2 * tau1`: row in a `[2 l2 + 1, tau1]` scratch (`uvu`). */
  readonly row2u: Int32Array;
  /** `m * tau1 * tau2`: row in a `[2l+1, tau1, tau2]` scratch (`uvw`). */
  readonly rowZ: Int32Array;
  readonly value: Float64Array;
}

interface CompiledPlan {
  readonly paths: readonly CompiledPath[];
  /** Largest scratch size over the paths. */
  readonly scratch: number;
}

const compiledPlans = new WeakMap<CGPlanData, CompiledPlan>();

function compile(plan: CGPlanData): CompiledPlan {
  const cached = compiledPlans.get(plan);
  if (cached !== undefined) return cached;
  let scratch = 1;
  const paths = plan.paths.map((path) => {
    const count = path.coefficientCount;
    const row1 = new Int32Array(count);
    const row2 = new Int32Array(count);
    const rowOut = new Int32Array(count);
    const row2u = new Int32Array(count);
    const rowZ = new Int32Array(count);
    const value = new Float64Array(count);
    for (let j = 0; j < count; j++) {
      const k = path.coefficientStart + j;
      const m1 = plan.m1[k] as number;
      const m2 = plan.m2[k] as number;
      const m = plan.m[k] as number;
      row1[j] = m1 * path.tau1;
      row2[j] = m2 * path.tau2;
      rowOut[j] = m * path.tauOut + path.channelOffsetOut;
      row2u[j] = m2 * path.tau1;
      rowZ[j] = m * path.tau1 * path.tau2;
      value[j] = (plan.coefficients[k] as number) * path.pathWeight;
    }
    scratch = Math.max(
      scratch,
      (2 * path.l + 1) * path.tau1 * path.tau2,
      (2 * path.l2 + 1) * path.tau1,
    );
    return { path, count, row1, row2, rowOut, row2u, rowZ, value };
  });
  const compiled = { paths, scratch };
  compiledPlans.set(plan, compiled);
  return compiled;
}

/** Views of the four operands for one call; the target operand is the output. */
interface Operands {
  readonly x1: TypedArray;
  readonly x2: TypedArray;
  readonly w: TypedArray;
  readonly out: TypedArray;
  readonly result: TypedArray;
}

/** Item offsets of the operands for batch item `b`. */
interface ItemBase {
  b1: number;
  b2: number;
  bo: number;
  bw: number;
}

function forwardUvuv(p: CompiledPath, o: Operands, base: ItemBase): void {
  const { tau1, tau2 } = p.path;
  const { x1, x2, result } = o;
  for (let j = 0; j < p.count; j++) {
    const c = p.value[j] as number;
    const a = base.b1 + (p.row1[j] as number);
    const bb = base.b2 + (p.row2[j] as number);
    const out = base.bo + (p.rowOut[j] as number);
    if (tau2 === 1) {
      const cv = c * (x2[bb] as number);
      for (let u = 0; u < tau1; u++)
        result[out + u] = (result[out + u] as number) + cv * (x1[a + u] as number);
      continue;
    }
    for (let u = 0; u < tau1; u++) {
      const cu = c * (x1[a + u] as number);
      const ou = out + u * tau2;
      for (let v = 0; v < tau2; v++)
        result[ou + v] = (result[ou + v] as number) + cu * (x2[bb + v] as number);
    }
  }
}

function forwardUuu(p: CompiledPath, o: Operands, base: ItemBase): void {
  const tau = p.path.tau1;
  const { x1, x2, result } = o;
  for (let j = 0; j < p.count; j++) {
    const c = p.value[j] as number;
    const a = base.b1 + (p.row1[j] as number);
    const bb = base.b2 + (p.row2[j] as number);
    const out = base.bo + (p.rowOut[j] as number);
    for (let u = 0; u < tau; u++) {
      result[out + u] =
        (result[out + u] as number) + c * (x1[a + u] as number) * (x2[bb + u] as number);
    }
  }
}

/** `t[m2, u] = sum_v w[u, v] x2[m2, v]` for the `uvu` mode. */
function mixX2(p: CompiledPath, o: Operands, base: ItemBase, t: Float64Array): void {
  const { tau1, tau2, l2 } = p.path;
  const { x2, w } = o;
  const wBase = base.bw + p.path.weightOffset;
  for (let m2 = 0; m2 < 2 * l2 + 1; m2++) {
    const xr = base.b2 + m2 * tau2;
    for (let u = 0; u < tau1; u++) {
      const wr = wBase + u * tau2;
      let s = 0;
      for (let v = 0; v < tau2; v++) s += (w[wr + v] as number) * (x2[xr + v] as number);
      t[m2 * tau1 + u] = s;
    }
  }
}

function forwardUvu(p: CompiledPath, o: Operands, base: ItemBase, t: Float64Array): void {
  const tau1 = p.path.tau1;
  const { x1, result } = o;
  mixX2(p, o, base, t);
  for (let j = 0; j < p.count; j++) {
    const c = p.value[j] as number;
    const a = base.b1 + (p.row1[j] as number);
    const tt = p.row2u[j] as number;
    const out = base.bo + (p.rowOut[j] as number);
    for (let u = 0; u < tau1; u++) {
      result[out + u] =
        (result[out + u] as number) + c * (x1[a + u] as number) * (t[tt + u] as number);
    }
  }
}

/** `z[m, u, v] = sum_{coefficients with m} c x1[m1, u] x2[m2, v]` for the `uvw` mode. */
function coupleUvw(p: CompiledPath, o: Operands, base: ItemBase, z: Float64Array): void {
  const { tau1, tau2, l } = p.path;
  const { x1, x2 } = o;
  z.fill(0, 0, (2 * l + 1) * tau1 * tau2);
  for (let j = 0; j < p.count; j++) {
    const c = p.value[j] as number;
    const a = base.b1 + (p.row1[j] as number);
    const bb = base.b2 + (p.row2[j] as number);
    const zr = p.rowZ[j] as number;
    for (let u = 0; u < tau1; u++) {
      const cu = c * (x1[a + u] as number);
      const zu = zr + u * tau2;
      for (let v = 0; v < tau2; v++)
        z[zu + v] = (z[zu + v] as number) + cu * (x2[bb + v] as number);
    }
  }
}

function forwardUvw(p: CompiledPath, o: Operands, base: ItemBase, z: Float64Array): void {
  const { tau1, tau2, tauOut, l } = p.path;
  const { w, result } = o;
  coupleUvw(p, o, base, z);
  const pairs = tau1 * tau2;
  const wBase = base.bw + p.path.weightOffset;
  for (let m = 0; m < 2 * l + 1; m++) {
    const out = base.bo + p.path.offsetOut + m * tauOut;
    for (let uv = 0; uv < pairs; uv++) {
      const zv = z[m * pairs + uv] as number;
      if (zv === 0) continue;
      const wr = wBase + uv * tauOut;
      for (let k = 0; k < tauOut; k++)
        result[out + k] = (result[out + k] as number) + zv * (w[wr + k] as number);
    }
  }
}

/** `h[m, u, v] = sum_k w[u, v, k] out[m, k]` for the `uvw` adjoints. */
function contractOutUvw(p: CompiledPath, o: Operands, base: ItemBase, h: Float64Array): void {
  const { tau1, tau2, tauOut, l } = p.path;
  const { w, out } = o;
  const pairs = tau1 * tau2;
  const wBase = base.bw + p.path.weightOffset;
  for (let m = 0; m < 2 * l + 1; m++) {
    const g = base.bo + p.path.offsetOut + m * tauOut;
    for (let uv = 0; uv < pairs; uv++) {
      const wr = wBase + uv * tauOut;
      let s = 0;
      for (let k = 0; k < tauOut; k++) s += (w[wr + k] as number) * (out[g + k] as number);
      h[m * pairs + uv] = s;
    }
  }
}

type Mode = CGPlanData["mode"];

function gradX1(
  p: CompiledPath,
  mode: Mode,
  o: Operands,
  base: ItemBase,
  scratch: Float64Array,
): void {
  const { tau1, tau2 } = p.path;
  const { x2, out, result } = o;
  switch (mode) {
    case "uvuv":
      for (let j = 0; j < p.count; j++) {
        const c = p.value[j] as number;
        const a = base.b1 + (p.row1[j] as number);
        const bb = base.b2 + (p.row2[j] as number);
        const g = base.bo + (p.rowOut[j] as number);
        for (let u = 0; u < tau1; u++) {
          const gu = g + u * tau2;
          let s = 0;
          for (let v = 0; v < tau2; v++) s += (x2[bb + v] as number) * (out[gu + v] as number);
          result[a + u] = (result[a + u] as number) + c * s;
        }
      }
      return;
    case "uuu":
      for (let j = 0; j < p.count; j++) {
        const c = p.value[j] as number;
        const a = base.b1 + (p.row1[j] as number);
        const bb = base.b2 + (p.row2[j] as number);
        const g = base.bo + (p.rowOut[j] as number);
        for (let u = 0; u < tau1; u++) {
          result[a + u] =
            (result[a + u] as number) + c * (x2[bb + u] as number) * (out[g + u] as number);
        }
      }
      return;
    case "uvu":
      mixX2(p, o, base, scratch);
      for (let j = 0; j < p.count; j++) {
        const c = p.value[j] as number;
        const a = base.b1 + (p.row1[j] as number);
        const tt = p.row2u[j] as number;
        const g = base.bo + (p.rowOut[j] as number);
        for (let u = 0; u < tau1; u++) {
          result[a + u] =
            (result[a + u] as number) + c * (scratch[tt + u] as number) * (out[g + u] as number);
        }
      }
      return;
    case "uvw":
      contractOutUvw(p, o, base, scratch);
      for (let j = 0; j < p.count; j++) {
        const c = p.value[j] as number;
        const a = base.b1 + (p.row1[j] as number);
        const bb = base.b2 + (p.row2[j] as number);
        const zr = p.rowZ[j] as number;
        for (let u = 0; u < tau1; u++) {
          const hu = zr + u * tau2;
          let s = 0;
          for (let v = 0; v < tau2; v++) s += (x2[bb + v] as number) * (scratch[hu + v] as number);
          result[a + u] = (result[a + u] as number) + c * s;
        }
      }
      return;
  }
}

function gradX2(
  p: CompiledPath,
  mode: Mode,
  o: Operands,
  base: ItemBase,
  scratch: Float64Array,
): void {
  const { tau1, tau2, l2 } = p.path;
  const { x1, w, out, result } = o;
  switch (mode) {
    case "uvuv":
      for (let j = 0; j < p.count; j++) {
        const c = p.value[j] as number;
        const a = base.b1 + (p.row1[j] as number);
        const bb = base.b2 + (p.row2[j] as number);
        const g = base.bo + (p.rowOut[j] as number);
        for (let u = 0; u < tau1; u++) {
          const cu = c * (x1[a + u] as number);
          const gu = g + u * tau2;
          for (let v = 0; v < tau2; v++)
            result[bb + v] = (result[bb + v] as number) + cu * (out[gu + v] as number);
        }
      }
      return;
    case "uuu":
      for (let j = 0; j < p.count; j++) {
        const c = p.value[j] as number;
        const a = base.b1 + (p.row1[j] as number);
        const bb = base.b2 + (p.row2[j] as number);
        const g = base.bo + (p.rowOut[j] as number);
        for (let u = 0; u < tau1; u++) {
          result[bb + u] =
            (result[bb + u] as number) + c * (x1[a + u] as number) * (out[g + u] as number);
        }
      }
      return;
    case "uvu": {
      // s[m2, u] = sum c x1[m1, u] out[m, u]; then x2[m2, v] += sum_u w[u, v] s[m2, u].
      sumX1Out(p, o, base, scratch);
      const wBase = base.bw + p.path.weightOffset;
      for (let m2 = 0; m2 < 2 * l2 + 1; m2++) {
        const r = base.b2 + m2 * tau2;
        for (let u = 0; u < tau1; u++) {
          const su = scratch[m2 * tau1 + u] as number;
          if (su === 0) continue;
          const wr = wBase + u * tau2;
          for (let v = 0; v < tau2; v++)
            result[r + v] = (result[r + v] as number) + su * (w[wr + v] as number);
        }
      }
      return;
    }
    case "uvw":
      contractOutUvw(p, o, base, scratch);
      for (let j = 0; j < p.count; j++) {
        const c = p.value[j] as number;
        const a = base.b1 + (p.row1[j] as number);
        const bb = base.b2 + (p.row2[j] as number);
        const zr = p.rowZ[j] as number;
        for (let u = 0; u < tau1; u++) {
          const cu = c * (x1[a + u] as number);
          const hu = zr + u * tau2;
          for (let v = 0; v < tau2; v++)
            result[bb + v] = (result[bb + v] as number) + cu * (scratch[hu + v] as number);
        }
      }
      return;
  }
}

/** `s[m2, u] = sum_{coefficients with m2} c x1[m1, u] out[m, u]` for the `uvu` adjoints. */
function sumX1Out(p: CompiledPath, o: Operands, base: ItemBase, s: Float64Array): void {
  const { tau1, l2 } = p.path;
  const { x1, out } = o;
  s.fill(0, 0, (2 * l2 + 1) * tau1);
  for (let j = 0; j < p.count; j++) {
    const c = p.value[j] as number;
    const a = base.b1 + (p.row1[j] as number);
    const tt = p.row2u[j] as number;
    const g = base.bo + (p.rowOut[j] as number);
    for (let u = 0; u < tau1; u++)
      s[tt + u] = (s[tt + u] as number) + c * (x1[a + u] as number) * (out[g + u] as number);
  }
}

function gradWeights(
  p: CompiledPath,
  mode: Mode,
  o: Operands,
  base: ItemBase,
  scratch: Float64Array,
): void {
  const { tau1, tau2, tauOut, l, l2 } = p.path;
  const { x2, out, result } = o;
  const wBase = base.bw + p.path.weightOffset;
  if (mode === "uvu") {
    sumX1Out(p, o, base, scratch);
    for (let m2 = 0; m2 < 2 * l2 + 1; m2++) {
      const r = base.b2 + m2 * tau2;
      for (let u = 0; u < tau1; u++) {
        const su = scratch[m2 * tau1 + u] as number;
        if (su === 0) continue;
        const wr = wBase + u * tau2;
        for (let v = 0; v < tau2; v++)
          result[wr + v] = (result[wr + v] as number) + su * (x2[r + v] as number);
      }
    }
    return;
  }
  // uvw: w[u, v, k] += sum_m z[m, u, v] out[m, k].
  coupleUvw(p, o, base, scratch);
  const pairs = tau1 * tau2;
  for (let m = 0; m < 2 * l + 1; m++) {
    const g = base.bo + p.path.offsetOut + m * tauOut;
    for (let uv = 0; uv < pairs; uv++) {
      const zv = scratch[m * pairs + uv] as number;
      if (zv === 0) continue;
      const wr = wBase + uv * tauOut;
      for (let k = 0; k < tauOut; k++)
        result[wr + k] = (result[wr + k] as number) + zv * (out[g + k] as number);
    }
  }
}

/**
 * Coefficients of a channel-wise plan flattened over all paths, for one target operand:
 * `target[b, t[j] + u] += value[j] * a[b, a[j] + u] * b[b, b[j] + u]` for `u < tau`. Entries are
 * sorted by target row, so that consecutive updates hit the same cache lines.
 */
interface ChannelwiseTable {
  readonly target: Int32Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly value: Float64Array;
  /** The same entries interleaved for the WebAssembly loop. */
  readonly wasm: WasmTable;
}

/** Flat tables of a `uuu` plan whose paths all have the same channel count `tau`. */
interface ChannelwisePlan {
  readonly tau: number;
  readonly out: ChannelwiseTable;
  readonly x1: ChannelwiseTable;
  readonly x2: ChannelwiseTable;
}

const channelwisePlans = new WeakMap<CGPlanData, ChannelwisePlan | null>();

/** Builds (and caches) the flat tables of a `uuu` plan, or returns null for any other plan. */
function compileChannelwise(plan: CGPlanData): ChannelwisePlan | null {
  const cached = channelwisePlans.get(plan);
  if (cached !== undefined) return cached;
  const tau = plan.paths[0]?.tau1 ?? 0;
  const uniform = plan.mode === "uuu" && plan.paths.every((p) => p.tau1 === tau && p.tau2 === tau);
  let result: ChannelwisePlan | null = null;
  if (uniform) {
    const rows1: number[] = [];
    const rows2: number[] = [];
    const rowsOut: number[] = [];
    const values: number[] = [];
    for (const p of plan.paths) {
      for (let k = p.coefficientStart; k < p.coefficientStart + p.coefficientCount; k++) {
        rows1.push(p.offset1 + (plan.m1[k] as number) * tau);
        rows2.push(p.offset2 + (plan.m2[k] as number) * tau);
        rowsOut.push(p.offsetOut + (plan.m[k] as number) * p.tauOut + p.channelOffsetOut);
        values.push((plan.coefficients[k] as number) * p.pathWeight);
      }
    }
    const table = (target: number[], a: number[], b: number[]): ChannelwiseTable => {
      const order = values.map((_, j) => j);
      order.sort((i, j) => (target[i] as number) - (target[j] as number) || i - j);
      const offsets = new Int32Array(3 * order.length);
      order.forEach((j, k) => {
        offsets[3 * k] = target[j] as number;
        offsets[3 * k + 1] = a[j] as number;
        offsets[3 * k + 2] = b[j] as number;
      });
      const value = Float64Array.from(order, (j) => values[j] as number);
      return {
        target: Int32Array.from(order, (j) => target[j] as number),
        a: Int32Array.from(order, (j) => a[j] as number),
        b: Int32Array.from(order, (j) => b[j] as number),
        value,
        wasm: { offsets, values: value },
      };
    };
    result = {
      tau,
      out: table(rowsOut, rows1, rows2),
      x1: table(rows1, rows2, rowsOut),
      x2: table(rows2, rows1, rowsOut),
    };
  }
  channelwisePlans.set(plan, result);
  return result;
}

/**
 * Runs one channel-wise table over the batch: the forward product and both input adjoints of the
 * `uuu` mode have this form, with the operands permuted. One flat loop replaces the per-path
 * calls and property reads of the general path.
 */
function channelwiseLoop(
  table: ChannelwiseTable,
  tau: number,
  batch: number,
  result: TypedArray,
  dimT: number,
  xa: TypedArray,
  dimA: number,
  xb: TypedArray,
  dimB: number,
): void {
  if (runChannelwiseWasm(table.wasm, tau, batch, result, dimT, xa, dimA, xb, dimB)) return;
  const { target, a, b, value } = table;
  const count = value.length;
  for (let item = 0, bt = 0, ba = 0, bb = 0; item < batch; item++) {
    for (let j = 0; j < count; j++) {
      const c = value[j] as number;
      const t = bt + (target[j] as number);
      const ia = ba + (a[j] as number);
      const ib = bb + (b[j] as number);
      for (let u = 0; u < tau; u++) {
        result[t + u] =
          (result[t + u] as number) + c * (xa[ia + u] as number) * (xb[ib + u] as number);
      }
    }
    bt += dimT;
    ba += dimA;
    bb += dimB;
  }
}

const cgProductKernel: KernelFunction<"CGProduct", CpuBackend> = ({ inputs, attrs, backend }) => {
  const { plan, target, batch, perItemWeights } = attrs;
  const [x1Info, x2Info, wInfo, outInfo] = inputs as [
    (typeof inputs)[0] & object,
    (typeof inputs)[0] & object,
    (typeof inputs)[0] & object,
    (typeof inputs)[0] & object,
  ];
  // Every operand, placeholders included, has the same dtype.
  const dtype = outInfo.dtype;
  const shape =
    target === "out"
      ? [batch, plan.dimOut]
      : target === "x1"
        ? [batch, plan.dim1]
        : target === "x2"
          ? [batch, plan.dim2]
          : perItemWeights
            ? [batch, plan.weightDim]
            : [plan.weightDim];
  const { values: result, info } = backend.allocate(shape, dtype);
  const o: Operands = {
    x1: backend.values(x1Info),
    x2: backend.values(x2Info),
    w: backend.values(wInfo),
    out: backend.values(outInfo),
    result,
  };
  const channelwise = target === "weights" ? null : compileChannelwise(plan);
  if (channelwise !== null) {
    const { x1, x2, out } = o;
    const tau = channelwise.tau;
    if (target === "out") {
      channelwiseLoop(
        channelwise.out,
        tau,
        batch,
        result,
        plan.dimOut,
        x1,
        plan.dim1,
        x2,
        plan.dim2,
      );
    } else if (target === "x1") {
      channelwiseLoop(
        channelwise.x1,
        tau,
        batch,
        result,
        plan.dim1,
        x2,
        plan.dim2,
        out,
        plan.dimOut,
      );
    } else {
      channelwiseLoop(
        channelwise.x2,
        tau,
        batch,
        result,
        plan.dim2,
        x1,
        plan.dim1,
        out,
        plan.dimOut,
      );
    }
    return info;
  }
  const compiled = compile(plan);
  const scratch = new Float64Array(compiled.scratch);
  const base: ItemBase = { b1: 0, b2: 0, bo: 0, bw: 0 };
  const weightStride = perItemWeights ? plan.weightDim : 0;
  for (let b = 0; b < batch; b++) {
    for (const p of compiled.paths) {
      base.b1 = b * plan.dim1 + p.path.offset1;
      base.b2 = b * plan.dim2 + p.path.offset2;
      base.bo = b * plan.dimOut + (plan.mode === "uvw" ? 0 : p.path.offsetOut);
      base.bw = b * weightStride;
      if (target === "out") {
        if (plan.mode === "uvuv") forwardUvuv(p, o, base);
        else if (plan.mode === "uuu") forwardUuu(p, o, base);
        else if (plan.mode === "uvu") forwardUvu(p, o, base, scratch);
        else forwardUvw(p, o, base, scratch);
      } else if (target === "x1") {
        gradX1(p, plan.mode, o, base, scratch);
      } else if (target === "x2") {
        gradX2(p, plan.mode, o, base, scratch);
      } else {
        gradWeights(p, plan.mode, o, base, scratch);
      }
    }
  }
  return info;
};

/** CG product kernels of the CPU backend. */
export const CG_PRODUCT_KERNELS: readonly KernelConfig[] = [
  defineKernel("CGProduct", "cpu", cgProductKernel),
];
