/** `SphericalHarmonics`: real harmonics `[n, (lmax+1)^2]` of `vectors [n, 3]`, one thread per vector. */
import { defineKernel, type KernelConfig, type KernelFunction } from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import type { ProgramSpec } from "../internal/program.js";
import { harmonicsBody } from "../internal/spherical.js";
import { grid, main1d, paramsBlock } from "../internal/wgsl.js";

/** Builds the harmonics program; `lmax` and the normalisation are baked in. Parameters: `[n]`. */
export function sphericalHarmonicsProgram(
  lmax: number,
  componentNormalization: boolean,
): ProgramSpec {
  const dim = (lmax + 1) * (lmax + 1);
  return {
    key: `SphericalHarmonics:${lmax}:${componentNormalization ? "component" : "integral"}`,
    bindings: ["read", "write", "uniform"],
    source: () => `@group(0) @binding(0) var<storage, read> vectors: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
${paramsBlock(2)}
${main1d()}
  if (i >= p(0u)) { return; }
  let x = vectors[3u * i];
  let y = vectors[3u * i + 1u];
  let z = vectors[3u * i + 2u];
  let r2 = x * x + y * y + z * z;
  let base = i * ${dim}u;
${harmonicsBody(lmax, componentNormalization)}
}`,
  };
}

const sphericalHarmonicsKernel: KernelFunction<"SphericalHarmonics", WebGPUBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const vectors = inputs[0]!;
  const n = vectors.shape[0] as number;
  const dim = (attrs.lmax + 1) * (attrs.lmax + 1);
  const { buffer, info } = backend.allocate([n, dim], vectors.dtype);
  if (n === 0) return info;
  const program = sphericalHarmonicsProgram(attrs.lmax, attrs.componentNormalization);
  backend.run(program, [backend.gpuData(vectors).buffer, buffer, new Uint32Array([n])], grid(n));
  return info;
};

export const sphericalHarmonicsKernelConfig: KernelConfig = defineKernel(
  "SphericalHarmonics",
  "webgpu",
  sphericalHarmonicsKernel,
);
