/** `SphericalHarmonicsGrad`: vector-Jacobian product `[n, 3]` of the real harmonics. */
import { defineKernel, type KernelConfig, type KernelFunction } from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import type { ProgramSpec } from "../internal/program.js";
import { harmonicsGradientBody } from "../internal/spherical.js";
import { grid, main1d, paramsBlock } from "../internal/wgsl.js";

/** Builds the gradient program; `lmax` and the normalisation are baked in. Parameters: `[n]`. */
export function sphericalHarmonicsGradProgram(
  lmax: number,
  componentNormalization: boolean,
): ProgramSpec {
  const dim = (lmax + 1) * (lmax + 1);
  return {
    key: `SphericalHarmonicsGrad:${lmax}:${componentNormalization ? "component" : "integral"}`,
    bindings: ["read", "read", "write", "uniform"],
    source: () => `@group(0) @binding(0) var<storage, read> vectors: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${paramsBlock(3)}
${main1d()}
  if (i >= p(0u)) { return; }
  let x = vectors[3u * i];
  let y = vectors[3u * i + 1u];
  let z = vectors[3u * i + 2u];
  let r2 = x * x + y * y + z * z;
  let base = i * ${dim}u;
${harmonicsGradientBody(lmax, componentNormalization)}
  out[3u * i] = gx;
  out[3u * i + 1u] = gy;
  out[3u * i + 2u] = gz;
}`,
  };
}

const sphericalHarmonicsGradKernel: KernelFunction<"SphericalHarmonicsGrad", WebGPUBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const vectors = inputs[0]!;
  const grad = inputs[1]!;
  const n = vectors.shape[0] as number;
  const { buffer, info } = backend.allocate([n, 3], vectors.dtype);
  if (n === 0) return info;
  const program = sphericalHarmonicsGradProgram(attrs.lmax, attrs.componentNormalization);
  const resources = [
    backend.gpuData(vectors).buffer,
    backend.gpuData(grad).buffer,
    buffer,
    new Uint32Array([n]),
  ];
  backend.run(program, resources, grid(n));
  return info;
};

export const sphericalHarmonicsGradKernelConfig: KernelConfig = defineKernel(
  "SphericalHarmonicsGrad",
  "webgpu",
  sphericalHarmonicsGradKernel,
);
