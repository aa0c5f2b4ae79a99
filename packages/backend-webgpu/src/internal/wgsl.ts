/**
 * WGSL snippets shared by the shader builders: the parameter block, 1-D invocation indexing and
 * the scalar types of each dtype.
 */
import { type DType, DTypeError } from "@covnet/core";

/** Threads per workgroup of the 1-D kernels. */
export const WORKGROUP_SIZE = 64;

/** Number of `u32` words in the parameter block (`array<vec4<u32>, 64>`, 1 KiB). */
export const PARAMS_WORDS = 256;

/** WGSL scalar type of a dtype that lives on the GPU. */
export function wgslType(dtype: DType): "f32" | "i32" {
  if (dtype === "float32") return "f32";
  if (dtype === "int32") return "i32";
  throw new DTypeError(
    `backend "webgpu" does not support dtype ${dtype}: WGSL has no 64-bit floats (use float32)`,
  );
}

/** Declares the uniform parameter block at `binding` and the accessor `p(i) -> u32`. */
export function paramsBlock(binding: number): string {
  return `struct Params { v: array<vec4<u32>, ${PARAMS_WORDS / 4}> }
@group(0) @binding(${binding}) var<uniform> params: Params;
fn p(i: u32) -> u32 { return params.v[i / 4u][i % 4u]; }
fn pf(i: u32) -> f32 { return bitcast<f32>(p(i)); }`;
}

/**
 * Header of a 1-D compute entry point: `i` is the flat invocation index over a 2-D grid of
 * workgroups (see {@link grid}); the body follows and must close the brace.
 */
export function main1d(): string {
  return `@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WORKGROUP_SIZE}u + lid;`;
}

/** Maximum workgroups along one dispatch dimension (the WebGPU default limit). */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** Workgroup counts `[x, y, 1]` that cover `count` workgroups within the per-dimension limit. */
export function gridOfWorkgroups(count: number): [number, number, number] {
  if (count <= MAX_WORKGROUPS_PER_DIMENSION) return [count, 1, 1];
  const y = Math.ceil(count / MAX_WORKGROUPS_PER_DIMENSION);
  return [Math.ceil(count / y), y, 1];
}

/** Workgroup counts that give at least `n` invocations of a 1-D kernel. */
export function grid(n: number): [number, number, number] {
  return gridOfWorkgroups(Math.ceil(n / WORKGROUP_SIZE));
}

/** Formats a float64 constant as a WGSL f32 literal that parses back to the nearest f32. */
export function f32Literal(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`WGSL constant ${value} is not finite`);
  const text = Math.fround(value).toPrecision(9);
  return text.includes(".") || text.includes("e") ? text : `${text}.0`;
}

/** Bits of a float32 value as a `u32` word, for parameter blocks. */
export function f32Bits(value: number): number {
  const f = new Float32Array([value]);
  return new Uint32Array(f.buffer)[0] as number;
}
