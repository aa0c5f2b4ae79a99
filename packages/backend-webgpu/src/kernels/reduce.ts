/**
 * `Reduce`: sum, max or min over a set of axes. One workgroup computes one output element: its
 * threads stride over the reduced elements in a fixed order and combine their partial results by
 * a tree in workgroup memory, so the result does not depend on scheduling.
 */
import {
  type DType,
  defineKernel,
  type KernelConfig,
  type KernelFunction,
  type ReductionKernel,
  sizeOf,
  stridesOf,
} from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import type { ProgramSpec } from "../internal/program.js";
import {
  f32Bits,
  gridOfWorkgroups,
  paramsBlock,
  WORKGROUP_SIZE,
  wgslType,
} from "../internal/wgsl.js";

const COMBINE: Record<ReductionKernel, string> = {
  Sum: "a + b",
  // NaN wins, as in the CPU backend.
  Max: "select(a, b, b > a || b != b)",
  Min: "select(a, b, b < a || b != b)",
};

/**
 * Builds the reduction program. Parameters: `[outSize, reducedSize, outRank, reducedRank, init bits,
 * outShape, outStrides (in the input), reducedShape, reducedStrides]`.
 */
export function reduceProgram(op: ReductionKernel, dtype: DType): ProgramSpec {
  const t = wgslType(dtype);
  return {
    key: `Reduce:${op}:${dtype}`,
    bindings: ["read", "write", "uniform"],
    source: () => `@group(0) @binding(0) var<storage, read> x: array<${t}>;
@group(0) @binding(1) var<storage, read_write> out: array<${t}>;
${paramsBlock(2)}
var<workgroup> partial: array<${t}, ${WORKGROUP_SIZE}>;
fn combine(a: ${t}, b: ${t}) -> ${t} { return ${COMBINE[op]}; }
fn offsetOf(index: u32, rank: u32, shapeAt: u32) -> u32 {
  var rest = index;
  var offset = 0u;
  for (var a = rank; a > 0u; a--) {
    let dim = p(shapeAt + a - 1u);
    offset += (rest % dim) * p(shapeAt + rank + a - 1u);
    rest = rest / dim;
  }
  return offset;
}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = wid.y * nwg.x + wid.x;
  if (o >= p(0u)) { return; }
  let count = p(1u);
  let outRank = p(2u);
  let reducedRank = p(3u);
  let base = offsetOf(o, outRank, 5u);
  var acc = bitcast<${t}>(p(4u));
  for (var r = lid; r < count; r += ${WORKGROUP_SIZE}u) {
    acc = combine(acc, x[base + offsetOf(r, reducedRank, 5u + 2u * outRank)]);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = ${WORKGROUP_SIZE / 2}u; s > 0u; s = s / 2u) {
    if (lid < s) { partial[lid] = combine(partial[lid], partial[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) { out[o] = partial[0]; }
}`,
  };
}

function initialBits(op: ReductionKernel, dtype: DType): number {
  if (dtype === "int32") {
    if (op === "Sum") return 0;
    return (op === "Max" ? -2147483648 : 2147483647) >>> 0;
  }
  if (op === "Sum") return 0;
  return f32Bits(op === "Max" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
}

const reduceKernel: KernelFunction<"Reduce", WebGPUBackend> = ({ inputs, attrs, backend }) => {
  const x = inputs[0]!;
  const { axes, op } = attrs;
  const strides = stridesOf(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = kept.map((i) => x.shape[i] as number);
  const reducedShape = axes.map((i) => x.shape[i] as number);
  const { buffer, info } = backend.allocate(outShape, x.dtype);
  const outSize = sizeOf(outShape);
  if (outSize === 0) return info;
  const params = new Uint32Array([
    outSize,
    sizeOf(reducedShape),
    outShape.length,
    reducedShape.length,
    initialBits(op, x.dtype),
    ...outShape,
    ...kept.map((i) => strides[i] as number),
    ...reducedShape,
    ...axes.map((i) => strides[i] as number),
  ]);
  backend.run(
    reduceProgram(op, x.dtype),
    [backend.gpuData(x).buffer, buffer, params],
    gridOfWorkgroups(outSize),
  );
  return info;
};

export const reduceKernelConfig: KernelConfig = defineKernel("Reduce", "webgpu", reduceKernel);
