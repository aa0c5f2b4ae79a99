/**
 * CG product plans: the coupling paths of a CG product between two irreps layouts, with their
 * offsets and a flat table of real-basis CG coefficients, compiled once and cached.
 *
 * @module
 */
import { ArgumentError, type CGChannelMode, type CGPathData, type CGPlanData } from "@covnet/core";
import { formatIrrep, type Irrep, Irreps, type MulIrrep, type Parity } from "@covnet/groups";
import { realClebschGordan } from "./real_basis.js";

/**
 * How the channels of the two inputs combine on each coupling path `l1 (x) l2 -> l`:
 *
 * - `full` (`uvuv`): every channel `u` of `x1` with every channel `v` of `x2`, giving
 *   `tau1 * tau2` output channels (`u * tau2 + v`); no weights.
 * - `channelwise` (`uuu`): matching channels, `tau1 = tau2` output channels; no weights.
 * - `weighted` (`uvw`): every pair, mixed by weights `w[path, u, v, k]` into the `tauOut`
 *   channels of a given output irrep. All paths to one output part add up.
 * - `uvu`: channel `u` of `x1` with every channel `v` of `x2`, weighted by `w[path, u, v]`,
 *   into output channel `u` (`tau1` output channels). With a one-channel `x2` (edge harmonics)
 *   this is a channel-wise product with one weight per channel.
 */
export type CGProductMode = "full" | "channelwise" | "weighted" | "uvu";

const KERNEL_MODE: Record<CGProductMode, CGChannelMode> = {
  full: "uvuv",
  channelwise: "uuu",
  weighted: "uvw",
  uvu: "uvu",
};

/** Options of {@link compileCGPlan}. */
export interface CGPlanOptions {
  /** Default `full`. */
  readonly mode?: CGProductMode;
  /** Largest output degree `l` kept (default: no limit). */
  readonly lmax?: number;
  /**
   * Output irreps. Required for `weighted`, where it is the output layout and each path feeds
   * every output part of its irrep. For the other modes it selects which output irreps
   * (`l` and parity) are kept; multiplicities are then ignored.
   */
  readonly outputIrreps?: Irreps | string;
  /**
   * `component` (default) scales each path so that outputs have unit variance when inputs and
   * weights have independent unit-variance entries; `none` leaves every path weight at 1.
   */
  readonly normalization?: "component" | "none";
}

/** A compiled plan: the kernel's {@link CGPlanData} plus the irreps of both inputs and the output. */
export interface CGPlan extends CGPlanData {
  readonly irreps1: Irreps;
  readonly irreps2: Irreps;
  readonly irrepsOut: Irreps;
  /** The user-facing mode the plan was compiled for. */
  readonly productMode: CGProductMode;
}

const planCache = new Map<string, CGPlan>();

/** Drop real CG entries below this size: exact zeros that picked up rounding noise. */
const ZERO_COEFFICIENT = 1e-14;

function parity(a: Irrep, b: Irrep): Parity {
  if (a.p === 0 || b.p === 0) return 0;
  return a.p === b.p ? 1 : -1;
}

function irrepKey(l: number, p: Parity): string {
  return formatIrrep({ l, p });
}

interface RawPath {
  readonly i1: number;
  readonly i2: number;
  readonly l: number;
  readonly p: Parity;
}

function enumeratePaths(irreps1: Irreps, irreps2: Irreps, lmax: number): RawPath[] {
  const paths: RawPath[] = [];
  irreps1.entries.forEach((e1, i1) => {
    if (e1.mul === 0) return;
    irreps2.entries.forEach((e2, i2) => {
      if (e2.mul === 0) return;
      const p = parity(e1, e2);
      for (let l = Math.abs(e1.l - e2.l); l <= Math.min(e1.l + e2.l, lmax); l++) {
        paths.push({ i1, i2, l, p });
      }
    });
  });
  return paths;
}

function checkOptions(
  mode: CGProductMode,
  irreps1: Irreps,
  irreps2: Irreps,
  options: CGPlanOptions,
): void {
  if (!(mode in KERNEL_MODE)) {
    throw new ArgumentError(
      `compileCGPlan: invalid mode "${String(mode)}": expected full, channelwise, weighted or uvu`,
    );
  }
  if (options.lmax !== undefined && (!Number.isSafeInteger(options.lmax) || options.lmax < 0)) {
    throw new ArgumentError(
      `compileCGPlan: invalid lmax = ${options.lmax}: expected an integer >= 0`,
    );
  }
  if (mode === "weighted" && options.outputIrreps === undefined) {
    throw new ArgumentError("compileCGPlan: mode weighted needs outputIrreps");
  }
  if (irreps1.isSO3 !== irreps2.isSO3 && irreps1.dim > 0 && irreps2.dim > 0) {
    throw new ArgumentError(
      `compileCGPlan: cannot couple SO(3) and O(3) irreps: left is ${irreps1}, right is ${irreps2}`,
    );
  }
}

/**
 * Compiles a CG product plan for inputs with irreps `irreps1` and `irreps2` (cached: equal
 * arguments return the same object).
 *
 * Each path `(part i1 of x1) (x) (part i2 of x2) -> l` with `|l1 - l2| <= l <= l1 + l2`, parity
 * `p1 p2` for O(3) irreps, and `l <= lmax` uses the real-basis CG tensor
 * {@link realClebschGordan}. Paths are enumerated with `i1` outermost, then `i2`, then `l`.
 * For the unweighted modes and `uvu` the output parts are sorted by `l`, even before odd, and
 * the paths into one output irrep stack their channels in path order. Weight layout of a path:
 * `[tau1, tau2, tauOut]` for `weighted`, `[tau1, tau2]` for `uvu`.
 *
 * Normalisation `component`: `uvu` paths are scaled by `1/sqrt(tau2)`; `weighted` paths by
 * `1/sqrt(sum of tau1 tau2 over the paths into the same output part)`; the other modes need no
 * factor because the CG tensor's columns are orthonormal.
 *
 * @example
 * ```ts
 * const plan = compileCGPlan("8x0e + 8x1o", "0e + 1o", { mode: "uvu" });
 * plan.irrepsOut.toString(); // "16x0e + 8x1e + 16x1o + 8x2e"; plan.weightDim === 48
 * ```
 * @throws {ArgumentError} on an invalid mode or lmax, a missing `outputIrreps` in `weighted`
 *   mode, `channelwise` parts whose channel counts differ, SO(3) and O(3) irreps mixed, or an
 *   empty output.
 */
export function compileCGPlan(
  irreps1: Irreps | string,
  irreps2: Irreps | string,
  options: CGPlanOptions = {},
): CGPlan {
  const ir1 = Irreps.from(irreps1);
  const ir2 = Irreps.from(irreps2);
  const mode = options.mode ?? "full";
  const normalization = options.normalization ?? "component";
  const selection =
    options.outputIrreps === undefined ? undefined : Irreps.from(options.outputIrreps);
  const key = [mode, ir1, ir2, options.lmax ?? "-", selection ?? "-", normalization].join("|");
  const cached = planCache.get(key);
  if (cached !== undefined) return cached;
  checkOptions(mode, ir1, ir2, options);
  const lmax = options.lmax ?? Number.POSITIVE_INFINITY;
  let raw = enumeratePaths(ir1, ir2, lmax);
  if (selection !== undefined) {
    const keep = new Set(selection.entries.map((e) => irrepKey(e.l, e.p)));
    raw = raw.filter((r) => keep.has(irrepKey(r.l, r.p)));
  }
  const plan =
    mode === "weighted"
      ? buildWeighted(ir1, ir2, raw, selection as Irreps, normalization === "component")
      : buildStacked(mode, ir1, ir2, raw, normalization === "component");
  const result: CGPlan = Object.freeze({ ...plan, key, productMode: mode });
  planCache.set(key, result);
  return result;
}

interface CoefficientTable {
  readonly m1: number[];
  readonly m2: number[];
  readonly m: number[];
  readonly values: number[];
}

/** Appends the non-zero real CG entries of `l1 (x) l2 -> l`, sorted by `m`, then `m1`. */
function appendCoefficients(table: CoefficientTable, l1: number, l2: number, l: number): number {
  const c = realClebschGordan(l1, l2, l);
  const n2 = 2 * l2 + 1;
  const n = 2 * l + 1;
  let count = 0;
  for (let m = 0; m < n; m++) {
    for (let a = 0; a < 2 * l1 + 1; a++) {
      for (let b = 0; b < n2; b++) {
        const v = c[(a * n2 + b) * n + m] as number;
        if (Math.abs(v) < ZERO_COEFFICIENT) continue;
        table.m1.push(a);
        table.m2.push(b);
        table.m.push(m);
        table.values.push(v);
        count++;
      }
    }
  }
  return count;
}

type PlanBody = Omit<CGPlan, "key" | "productMode">;

function finish(
  kernelMode: CGChannelMode,
  ir1: Irreps,
  ir2: Irreps,
  out: Irreps,
  paths: CGPathData[],
  table: CoefficientTable,
  weightDim: number,
): PlanBody {
  if (paths.length === 0 || out.dim === 0) {
    throw new ArgumentError(
      `compileCGPlan: no coupling path from ${ir1} and ${ir2} reaches the requested output`,
    );
  }
  return {
    mode: kernelMode,
    dim1: ir1.dim,
    dim2: ir2.dim,
    dimOut: out.dim,
    weightDim,
    paths: Object.freeze(paths),
    m1: Int32Array.from(table.m1),
    m2: Int32Array.from(table.m2),
    m: Int32Array.from(table.m),
    coefficients: Float64Array.from(table.values),
    irreps1: ir1,
    irreps2: ir2,
    irrepsOut: out,
  };
}

function buildStacked(
  mode: Exclude<CGProductMode, "weighted">,
  ir1: Irreps,
  ir2: Irreps,
  raw: RawPath[],
  normalize: boolean,
): PlanBody {
  const kernelMode = KERNEL_MODE[mode];
  const channels = (r: RawPath): number => {
    const e1 = ir1.entries[r.i1] as MulIrrep;
    const e2 = ir2.entries[r.i2] as MulIrrep;
    if (mode === "channelwise" && e1.mul !== e2.mul) {
      throw new ArgumentError(
        `compileCGPlan: channelwise mode needs equal channel counts, but ${e1.mul}x${formatIrrep(e1)} ` +
          `of ${ir1} meets ${e2.mul}x${formatIrrep(e2)} of ${ir2}`,
      );
    }
    return mode === "full" ? e1.mul * e2.mul : e1.mul;
  };
  // Output irreps sorted by l, then even, odd (SO(3) labels have one parity).
  const labels = [...new Map(raw.map((r) => [irrepKey(r.l, r.p), { l: r.l, p: r.p }])).values()];
  labels.sort((a, b) => a.l - b.l || b.p - a.p);
  const outEntries: MulIrrep[] = labels.map(({ l, p }) => ({
    l,
    p,
    mul: raw.filter((r) => r.l === l && r.p === p).reduce((s, r) => s + channels(r), 0),
  }));
  const out = new Irreps(outEntries);
  const table: CoefficientTable = { m1: [], m2: [], m: [], values: [] };
  const paths: CGPathData[] = [];
  const used = new Array<number>(labels.length).fill(0);
  let weightOffset = 0;
  for (const label of labels) {
    const index = labels.indexOf(label);
    for (const r of raw) {
      if (r.l !== label.l || r.p !== label.p) continue;
      const e1 = ir1.entries[r.i1] as MulIrrep;
      const e2 = ir2.entries[r.i2] as MulIrrep;
      const start = table.values.length;
      const count = appendCoefficients(table, e1.l, e2.l, r.l);
      const weighted = mode === "uvu";
      paths.push({
        l1: e1.l,
        l2: e2.l,
        l: r.l,
        offset1: ir1.offsets[r.i1] as number,
        tau1: e1.mul,
        offset2: ir2.offsets[r.i2] as number,
        tau2: e2.mul,
        offsetOut: out.offsets[index] as number,
        tauOut: (outEntries[index] as MulIrrep).mul,
        channelOffsetOut: used[index] as number,
        weightOffset: weighted ? weightOffset : -1,
        coefficientStart: start,
        coefficientCount: count,
        pathWeight: weighted && normalize ? 1 / Math.sqrt(e2.mul) : 1,
      });
      used[index] = (used[index] as number) + channels(r);
      if (weighted) weightOffset += e1.mul * e2.mul;
    }
  }
  return finish(kernelMode, ir1, ir2, out, paths, table, weightOffset);
}

function buildWeighted(
  ir1: Irreps,
  ir2: Irreps,
  raw: RawPath[],
  out: Irreps,
  normalize: boolean,
): PlanBody {
  const table: CoefficientTable = { m1: [], m2: [], m: [], values: [] };
  const targets = out.entries.map((e, io) => ({ e, io })).filter(({ e }) => e.mul > 0);
  const fanIn = new Array<number>(out.entries.length).fill(0);
  const pairs: { r: RawPath; io: number }[] = [];
  for (const r of raw) {
    for (const { e, io } of targets) {
      if (e.l !== r.l || e.p !== r.p) continue;
      pairs.push({ r, io });
      fanIn[io] =
        (fanIn[io] as number) +
        (ir1.entries[r.i1] as MulIrrep).mul * (ir2.entries[r.i2] as MulIrrep).mul;
    }
  }
  const paths: CGPathData[] = [];
  let weightOffset = 0;
  for (const { r, io } of pairs) {
    const e1 = ir1.entries[r.i1] as MulIrrep;
    const e2 = ir2.entries[r.i2] as MulIrrep;
    const eo = out.entries[io] as MulIrrep;
    const start = table.values.length;
    const count = appendCoefficients(table, e1.l, e2.l, r.l);
    paths.push({
      l1: e1.l,
      l2: e2.l,
      l: r.l,
      offset1: ir1.offsets[r.i1] as number,
      tau1: e1.mul,
      offset2: ir2.offsets[r.i2] as number,
      tau2: e2.mul,
      offsetOut: out.offsets[io] as number,
      tauOut: eo.mul,
      channelOffsetOut: 0,
      weightOffset,
      coefficientStart: start,
      coefficientCount: count,
      pathWeight: normalize ? 1 / Math.sqrt(fanIn[io] as number) : 1,
    });
    weightOffset += e1.mul * e2.mul * eo.mul;
  }
  return finish("uvw", ir1, ir2, out, paths, table, weightOffset);
}
