/**
 * `SparseMatMul`: a sparse matrix in compressed sparse row form times dense rows. Each thread
 * owns one output element and adds the entries of its row in order, so no float atomics are
 * needed and the result is reproducible.
 */
import type { DType } from "@covnet/core";
import { defineKernel, type KernelConfig, type KernelFunction } from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import type { ProgramSpec } from "../internal/program.js";
import { grid, main1d, paramsBlock, wgslType } from "../internal/wgsl.js";

/** Parameters: `[rows * inner, inner]`. */
export function sparseMatMulProgram(dtype: DType): ProgramSpec {
  const t = wgslType(dtype);
  return {
    key: `SparseMatMul:${dtype}`,
    bindings: ["read", "read", "read", "read", "write", "uniform"],
    source: () => `@group(0) @binding(0) var<storage, read> rowStart: array<i32>;
@group(0) @binding(1) var<storage, read> columns: array<i32>;
@group(0) @binding(2) var<storage, read> weights: array<${t}>;
@group(0) @binding(3) var<storage, read> x: array<${t}>;
@group(0) @binding(4) var<storage, read_write> out: array<${t}>;
${paramsBlock(5)}
${main1d()}
  if (i >= p(0u)) { return; }
  let inner = p(1u);
  let r = i / inner;
  let j = i % inner;
  var acc = ${t}(0);
  for (var e = u32(rowStart[r]); e < u32(rowStart[r + 1u]); e++) {
    acc += weights[e] * x[u32(columns[e]) * inner + j];
  }
  out[i] = acc;
}`,
  };
}

const sparseMatMulKernel: KernelFunction<"SparseMatMul", WebGPUBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const x = inputs[3]!;
  const inner = x.shape[1] as number;
  const { buffer, info } = backend.allocate([attrs.rows, inner], x.dtype);
  const total = attrs.rows * inner;
  if (total === 0) return info;
  backend.run(
    sparseMatMulProgram(x.dtype),
    [
      backend.gpuData(inputs[0]!).buffer,
      backend.gpuData(inputs[1]!).buffer,
      backend.gpuData(inputs[2]!).buffer,
      backend.gpuData(x).buffer,
      buffer,
      new Uint32Array([total, inner]),
    ],
    grid(total),
  );
  return info;
};

export const sparseMatMulKernelConfig: KernelConfig = defineKernel(
  "SparseMatMul",
  "webgpu",
  sparseMatMulKernel,
);
