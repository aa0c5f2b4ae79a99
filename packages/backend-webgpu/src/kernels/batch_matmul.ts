/**
 * `BatchMatMul`: batched matrix products with broadcast batch axes. Each 16x16 workgroup computes
 * one tile of the output, staging 16x16 tiles of both operands in workgroup memory.
 */
import {
  broadcastShapes,
  type DType,
  defineKernel,
  type KernelConfig,
  type KernelFunction,
  sizeOf,
} from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import { broadcastStrides } from "../internal/elementwise.js";
import type { ProgramSpec } from "../internal/program.js";
import { MAX_WORKGROUPS_PER_DIMENSION, paramsBlock, wgslType } from "../internal/wgsl.js";

const TILE = 16;

/**
 * The matrix product program. Parameters: `[m, k, n, batch, batchRank, batchShape,
 * batch strides of a (elements), batch strides of b]`.
 */
export function batchMatMulProgram(
  dtype: DType,
  transposeA: boolean,
  transposeB: boolean,
): ProgramSpec {
  const t = wgslType(dtype);
  const zero = t === "f32" ? "0.0" : "0";
  const readA = transposeA ? "a[aOff + col * m + row]" : "a[aOff + row * k + col]";
  const readB = transposeB ? "b[bOff + col * k + row]" : "b[bOff + row * n + col]";
  return {
    key: `BatchMatMul:${dtype}:${transposeA ? "T" : "N"}${transposeB ? "T" : "N"}`,
    bindings: ["read", "read", "write", "uniform"],
    source: () => `@group(0) @binding(0) var<storage, read> a: array<${t}>;
@group(0) @binding(1) var<storage, read> b: array<${t}>;
@group(0) @binding(2) var<storage, read_write> out: array<${t}>;
${paramsBlock(3)}
var<workgroup> tileA: array<${t}, ${TILE * TILE}>;
var<workgroup> tileB: array<${t}, ${TILE * TILE}>;
fn readA(aOff: u32, row: u32, col: u32, m: u32, k: u32) -> ${t} { return ${readA}; }
fn readB(bOff: u32, row: u32, col: u32, k: u32, n: u32) -> ${t} { return ${readB}; }
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let m = p(0u);
  let k = p(1u);
  let n = p(2u);
  let batch = p(3u);
  let rank = p(4u);
  let row = wid.y * ${TILE}u + lid.y;
  let col = wid.x * ${TILE}u + lid.x;
  for (var z = wid.z; z < batch; z += nwg.z) {
    var rest = z;
    var aOff = 0u;
    var bOff = 0u;
    for (var d = rank; d > 0u; d--) {
      let dim = p(4u + d);
      let c = rest % dim;
      rest = rest / dim;
      aOff += c * p(4u + rank + d);
      bOff += c * p(4u + 2u * rank + d);
    }
    var acc = ${zero};
    for (var t0 = 0u; t0 < k; t0 += ${TILE}u) {
      let ac = t0 + lid.x;
      var va = ${zero};
      if (row < m && ac < k) { va = readA(aOff, row, ac, m, k); }
      tileA[lid.y * ${TILE}u + lid.x] = va;
      let br = t0 + lid.y;
      var vb = ${zero};
      if (br < k && col < n) { vb = readB(bOff, br, col, k, n); }
      tileB[lid.y * ${TILE}u + lid.x] = vb;
      workgroupBarrier();
      for (var q = 0u; q < ${TILE}u; q++) {
        acc += tileA[lid.y * ${TILE}u + q] * tileB[q * ${TILE}u + lid.x];
      }
      workgroupBarrier();
    }
    if (row < m && col < n) { out[(z * m + row) * n + col] = acc; }
  }
}`,
  };
}

const batchMatMulKernel: KernelFunction<"BatchMatMul", WebGPUBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const a = inputs[0]!;
  const b = inputs[1]!;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[attrs.transposeA ? ra - 1 : ra - 2] as number;
  const k = a.shape[attrs.transposeA ? ra - 2 : ra - 1] as number;
  const n = b.shape[attrs.transposeB ? rb - 2 : rb - 1] as number;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(batchA, batchB);
  const batch = sizeOf(batchShape);
  const { buffer, info } = backend.allocate([...batchShape, m, n], a.dtype);
  if (batch * m * n === 0) return info;
  const tilesX = Math.ceil(n / TILE);
  const tilesY = Math.ceil(m / TILE);
  if (tilesX > MAX_WORKGROUPS_PER_DIMENSION || tilesY > MAX_WORKGROUPS_PER_DIMENSION) {
    throw new RangeError(
      `BatchMatMul on webgpu: a ${m}x${n} output needs more than ${MAX_WORKGROUPS_PER_DIMENSION} ` +
        `tiles of ${TILE} along one axis`,
    );
  }
  const params = new Uint32Array([
    m,
    k,
    n,
    batch,
    batchShape.length,
    ...batchShape,
    ...broadcastStrides(batchA, batchShape).map((s) => s * m * k),
    ...broadcastStrides(batchB, batchShape).map((s) => s * k * n),
  ]);
  const program = batchMatMulProgram(a.dtype, attrs.transposeA, attrs.transposeB);
  const workgroups = [tilesX, tilesY, Math.min(batch, MAX_WORKGROUPS_PER_DIMENSION)];
  backend.run(
    program,
    [backend.gpuData(a).buffer, backend.gpuData(b).buffer, buffer, params],
    workgroups,
  );
  return info;
};

export const batchMatMulKernelConfig: KernelConfig = defineKernel(
  "BatchMatMul",
  "webgpu",
  batchMatMulKernel,
);
