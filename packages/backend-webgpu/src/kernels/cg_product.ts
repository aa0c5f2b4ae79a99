/**
 * `CGProduct`: one kernel that interprets an uploaded CG plan (see `internal/cg_plan.ts`) for
 * every target operand and channel mode. A thread owns one element of the target and sums the
 * plan entries that reach it, so no atomics are needed and results are reproducible:
 *
 * - `out[b, m, k]`: `sum c x1[b, m1, u] x2[b, m2, v]` over the coefficients with that `m`, with
 *   `(u, v)` and the weights given by the mode;
 * - `x1`, `x2`: the adjoint contractions with `out` as the cotangent;
 * - `weights`: per weight, the sum over the path's coefficients (and over the batch when the
 *   weights are shared).
 *
 * The channel rules follow the kernel contract: `uvuv` writes channel `channelOffsetOut +
 * u * tau2 + v`; `uuu` and `uvu` write `channelOffsetOut + u` (`uvu` with weights `w[u, v]`);
 * `uvw` writes every channel `k` of the output part with weights `w[u, v, k]`.
 */
import {
  type CGChannelMode,
  type CGOperand,
  type CGPlanData,
  defineKernel,
  type KernelConfig,
  type KernelFunction,
} from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { PATH_WORDS, type PackedCGPlan, packCGPlan } from "../internal/cg_plan.js";
import type { ProgramSpec } from "../internal/program.js";
import { grid, main1d, paramsBlock } from "../internal/wgsl.js";

/**
 * WGSL accumulating into `acc` the contribution of one coefficient `c` of path `path` (with rows
 * `r1 = x1 row`, `r2 = x2 row`, `ro = out row at the part start`, `wb` = weight base).
 */
function contribution(mode: CGChannelMode, target: CGOperand): string {
  const chOff = "pw(path, 6u)";
  const tauOut = "pw(path, 5u)";
  switch (`${mode}:${target}`) {
    case "uvuv:out":
      return `let local = ch - ${chOff};
      if (ch >= ${chOff} && local < tau1 * tau2) {
        acc += c * x1[r1 + local / tau2] * x2[r2 + local % tau2];
      }`;
    case "uuu:out":
      return `let local = ch - ${chOff};
      if (ch >= ${chOff} && local < tau1) { acc += c * x1[r1 + local] * x2[r2 + local]; }`;
    case "uvu:out":
      return `let u = ch - ${chOff};
      if (ch >= ${chOff} && u < tau1) {
        var s = 0.0;
        for (var v = 0u; v < tau2; v++) { s += w[wb + u * tau2 + v] * x2[r2 + v]; }
        acc += c * x1[r1 + u] * s;
      }`;
    case "uvw:out":
      return `let k = ch;
      let to = ${tauOut};
      var s = 0.0;
      for (var u = 0u; u < tau1; u++) {
        var t = 0.0;
        for (var v = 0u; v < tau2; v++) { t += w[wb + (u * tau2 + v) * to + k] * x2[r2 + v]; }
        s += x1[r1 + u] * t;
      }
      acc += c * s;`;
    case "uvuv:x1":
      return `let u = ch;
      let g = ro + ${chOff} + u * tau2;
      var s = 0.0;
      for (var v = 0u; v < tau2; v++) { s += x2[r2 + v] * out[g + v]; }
      acc += c * s;`;
    case "uuu:x1":
      return `acc += c * x2[r2 + ch] * out[ro + ${chOff} + ch];`;
    case "uvu:x1":
      return `let u = ch;
      var s = 0.0;
      for (var v = 0u; v < tau2; v++) { s += w[wb + u * tau2 + v] * x2[r2 + v]; }
      acc += c * s * out[ro + ${chOff} + u];`;
    case "uvw:x1":
      return `let u = ch;
      let to = ${tauOut};
      var s = 0.0;
      for (var v = 0u; v < tau2; v++) {
        var t = 0.0;
        for (var k = 0u; k < to; k++) { t += w[wb + (u * tau2 + v) * to + k] * out[ro + k]; }
        s += x2[r2 + v] * t;
      }
      acc += c * s;`;
    case "uvuv:x2":
      return `let v = ch;
      let g = ro + ${chOff} + v;
      var s = 0.0;
      for (var u = 0u; u < tau1; u++) { s += x1[r1 + u] * out[g + u * tau2]; }
      acc += c * s;`;
    case "uuu:x2":
      return `acc += c * x1[r1 + ch] * out[ro + ${chOff} + ch];`;
    case "uvu:x2":
      return `let v = ch;
      var s = 0.0;
      for (var u = 0u; u < tau1; u++) { s += w[wb + u * tau2 + v] * x1[r1 + u] * out[ro + ${chOff} + u]; }
      acc += c * s;`;
    case "uvw:x2":
      return `let v = ch;
      let to = ${tauOut};
      var s = 0.0;
      for (var u = 0u; u < tau1; u++) {
        var t = 0.0;
        for (var k = 0u; k < to; k++) { t += w[wb + (u * tau2 + v) * to + k] * out[ro + k]; }
        s += x1[r1 + u] * t;
      }
      acc += c * s;`;
    case "uvu:weights":
      return `acc += c * x1[r1 + u] * x2[r2 + v] * out[ro + ${chOff} + u];`;
    case "uvw:weights":
      return `acc += c * x1[r1 + u] * x2[r2 + v] * out[ro + k];`;
    default:
      throw new TypeError(`CGProduct: target ${target} is not defined in mode ${mode}`);
  }
}

/** Shared declarations: bindings, parameter block and accessors of the plan. */
function declarations(): string {
  return `@group(0) @binding(0) var<storage, read> x1: array<f32>;
@group(0) @binding(1) var<storage, read> x2: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> out: array<f32>;
@group(0) @binding(4) var<storage, read> plan: array<u32>;
@group(0) @binding(5) var<storage, read_write> result: array<f32>;
${paramsBlock(6)}
fn pw(path: u32, field: u32) -> u32 { return plan[p(8u) + path * ${PATH_WORDS}u + field]; }
fn coef(j: u32, field: u32) -> u32 { return plan[p(9u) + j * 4u + field]; }`;
}

/**
 * Builds the CG product program for a mode and target. Parameters: `[threads, batch, dim1, dim2,
 * dimOut, weightDim, weight item stride (0 when shared), target dim, pathsAt, coefficientsAt,
 * rowOfAt, channelOfAt, rowStartAt, entriesAt, pathOfAt]`.
 */
export function cgProductProgram(mode: CGChannelMode, target: CGOperand): ProgramSpec {
  const body = contribution(mode, target);
  const rows = `let r1 = b * p(2u) + pw(path, 0u) + coef(j, 0u) * tau1;
      let r2 = b * p(3u) + pw(path, 2u) + coef(j, 1u) * tau2;
      let ro = b * p(4u) + pw(path, 4u) + coef(j, 2u) * pw(path, 5u);
      let wb = b * p(6u) + pw(path, 7u);
      let c = bitcast<f32>(coef(j, 3u));`;
  const source =
    target === "weights"
      ? () => `${declarations()}
${main1d()}
  if (i >= p(0u)) { return; }
  let weightDim = p(5u);
  let sharedWeights = p(6u) == 0u;
  let q = i % weightDim;
  let path = plan[p(14u) + q];
  let tau1 = pw(path, 1u);
  let tau2 = pw(path, 3u);
  let local = q - pw(path, 7u);
  ${
    mode === "uvw"
      ? "let k = local % pw(path, 5u);\n  let u = (local / pw(path, 5u)) / tau2;\n  let v = (local / pw(path, 5u)) % tau2;"
      : "let u = local / tau2;\n  let v = local % tau2;"
  }
  var b0 = i / weightDim;
  var b1 = b0 + 1u;
  if (sharedWeights) { b0 = 0u; b1 = p(1u); }
  var acc = 0.0;
  for (var b = b0; b < b1; b++) {
    let first = pw(path, 8u);
    let last = first + pw(path, 9u);
    for (var j = first; j < last; j++) {
      ${rows}
      ${body}
    }
  }
  result[i] = acc;
}`
      : () => `${declarations()}
${main1d()}
  if (i >= p(0u)) { return; }
  let dim = p(7u);
  let b = i / dim;
  let e = i % dim;
  let row = plan[p(10u) + e];
  let ch = plan[p(11u) + e];
  let rowStart = p(12u);
  let entries = p(13u);
  var acc = 0.0;
  for (var n = plan[rowStart + row]; n < plan[rowStart + row + 1u]; n++) {
    let path = plan[entries + 2u * n];
    let j = plan[entries + 2u * n + 1u];
    let tau1 = pw(path, 1u);
    let tau2 = pw(path, 3u);
    ${rows}
    ${body}
  }
  result[i] = acc;
}`;
  return {
    key: `CGProduct:${mode}:${target}`,
    bindings: ["read", "read", "read", "read", "read", "write", "uniform"],
    source,
  };
}

const packedPlans = new WeakMap<CGPlanData, Map<CGOperand, PackedCGPlan>>();

function packed(plan: CGPlanData, target: CGOperand): PackedCGPlan {
  let byTarget = packedPlans.get(plan);
  if (byTarget === undefined) {
    byTarget = new Map();
    packedPlans.set(plan, byTarget);
  }
  let entry = byTarget.get(target);
  if (entry === undefined) {
    entry = packCGPlan(plan, target);
    byTarget.set(target, entry);
  }
  return entry;
}

const cgProductKernel: KernelFunction<"CGProduct", WebGPUBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const { plan, target, batch, perItemWeights } = attrs;
  const targetDim =
    target === "out"
      ? plan.dimOut
      : target === "x1"
        ? plan.dim1
        : target === "x2"
          ? plan.dim2
          : plan.weightDim;
  const shape = target === "weights" && !perItemWeights ? [plan.weightDim] : [batch, targetDim];
  const dtype = inputs[target === "out" ? 0 : 3]!.dtype;
  const { buffer, info } = backend.allocate(shape, dtype);
  const threads = target === "weights" && !perItemWeights ? plan.weightDim : batch * targetDim;
  if (threads === 0) return info;
  if (target === "weights" && batch === 0) return info;
  const { words, layout } = packed(plan, target);
  const planBuffer = backend.cachedBuffer(`CGPlan:${plan.key}:${target}`, () => words);
  const params = new Uint32Array([
    threads,
    batch,
    plan.dim1,
    plan.dim2,
    plan.dimOut,
    plan.weightDim,
    perItemWeights ? plan.weightDim : 0,
    targetDim,
    layout.pathsAt,
    layout.coefficientsAt,
    layout.rowOfAt,
    layout.channelOfAt,
    layout.rowStartAt,
    layout.entriesAt,
    layout.pathOfAt,
  ]);
  const operands = inputs.map((t) => backend.gpuData(t).buffer);
  backend.run(
    cgProductProgram(plan.mode, target),
    [...operands, planBuffer, buffer, params],
    grid(threads),
  );
  return info;
};

export const cgProductKernelConfig: KernelConfig = defineKernel(
  "CGProduct",
  "webgpu",
  cgProductKernel,
);
