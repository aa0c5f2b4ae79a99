/**
 * Shared shader builder of the elementwise kernels with NumPy broadcasting: operand `k` is read at
 * an offset computed from the output index and its broadcast strides (0 along broadcast axes).
 * When every operand has the output's shape the index arithmetic is skipped.
 */
import {
  type DType,
  type Shape,
  shapesEqual,
  sizeOf,
  stridesOf,
  type TensorInfo,
} from "@covnet/core";
import type { WebGPUBackend } from "../backend.js";
import type { ProgramSpec } from "./program.js";
import { grid, main1d, paramsBlock, wgslType } from "./wgsl.js";

/** Strides of an operand of `inShape` read at the positions of `outShape` under broadcasting. */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const inStrides = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((d, i) => {
    if (i < lead) return 0;
    const di = inShape[i - lead] as number;
    return di === 1 && d !== 1 ? 0 : (inStrides[i - lead] as number);
  });
}

/** What an elementwise shader computes. */
export interface ElementwiseShader {
  /** Program name and operator, part of the cache key. */
  readonly name: string;
  /** Dtype of each operand. */
  readonly inputDtypes: readonly DType[];
  readonly outputDtype: DType;
  /** WGSL helper functions placed before `main`. */
  readonly helpers?: string;
  /** WGSL expression of the result from `v0`, `v1`, ... (the operand values). */
  readonly expression: string;
}

/**
 * Builds the program of an elementwise shader. Parameters: `[n, rank, shape[rank],
 * strides of operand 0[rank], ...]`.
 */
export function elementwiseProgram(shader: ElementwiseShader, contiguous: boolean): ProgramSpec {
  const count = shader.inputDtypes.length;
  const key = `Elementwise:${shader.name}:${shader.inputDtypes.join(",")}->${shader.outputDtype}:${contiguous ? "c" : "b"}`;
  return {
    key,
    bindings: [...shader.inputDtypes.map(() => "read" as const), "write", "uniform"],
    source: () => {
      const decls = shader.inputDtypes
        .map((d, k) => `@group(0) @binding(${k}) var<storage, read> in${k}: array<${wgslType(d)}>;`)
        .join("\n");
      const offsets = contiguous
        ? shader.inputDtypes.map((_, k) => `  let v${k} = in${k}[i];`).join("\n")
        : `  let rank = p(1u);
${shader.inputDtypes.map((_, k) => `  var o${k} = 0u;`).join("\n")}
  var rest = i;
  for (var a = rank; a > 0u; a--) {
    let dim = p(1u + a);
    let c = rest % dim;
    rest = rest / dim;
${shader.inputDtypes.map((_, k) => `    o${k} += c * p(1u + ${k + 1}u * rank + a);`).join("\n")}
  }
${shader.inputDtypes.map((_, k) => `  let v${k} = in${k}[o${k}];`).join("\n")}`;
      return `${decls}
@group(0) @binding(${count}) var<storage, read_write> out: array<${wgslType(shader.outputDtype)}>;
${paramsBlock(count + 1)}
${shader.helpers ?? ""}
${main1d()}
  if (i >= p(0u)) { return; }
${offsets}
  out[i] = ${shader.expression};
}`;
    },
  };
}

/** Runs an elementwise shader over `inputs` broadcast to `outShape` and returns the output. */
export function runElementwise(
  backend: WebGPUBackend,
  shader: ElementwiseShader,
  inputs: readonly TensorInfo[],
  outShape: Shape,
): TensorInfo {
  const { buffer, info } = backend.allocate(outShape, shader.outputDtype);
  const n = sizeOf(outShape);
  if (n === 0) return info;
  const contiguous = inputs.every((t) => shapesEqual(t.shape, outShape));
  const params = [n, outShape.length, ...outShape];
  if (!contiguous) for (const t of inputs) params.push(...broadcastStrides(t.shape, outShape));
  const program = elementwiseProgram(shader, contiguous);
  const buffers = inputs.map((t) => backend.gpuData(t).buffer);
  backend.run(program, [...buffers, buffer, new Uint32Array(params)], grid(n));
  return info;
}
