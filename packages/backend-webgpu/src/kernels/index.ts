import type { KernelConfig } from "@covnet/core";
import { batchMatMulKernelConfig } from "./batch_matmul.js";
import { binaryKernelConfig } from "./binary.js";
import { broadcastToKernelConfig } from "./broadcast_to.js";
import { castKernelConfig } from "./cast.js";
import { cgProductKernelConfig } from "./cg_product.js";
import { compareKernelConfig } from "./compare.js";
import { concatKernelConfig } from "./concat.js";
import { gatherKernelConfig } from "./gather.js";
import { padKernelConfig } from "./pad.js";
import { reduceKernelConfig } from "./reduce.js";
import { segmentSumKernelConfig } from "./segment_sum.js";
import { sliceKernelConfig } from "./slice.js";
import { sparseMatMulKernelConfig } from "./sparse_matmul.js";
import { sphericalHarmonicsKernelConfig } from "./spherical_harmonics.js";
import { sphericalHarmonicsGradKernelConfig } from "./spherical_harmonics_grad.js";
import { transposeKernelConfig } from "./transpose.js";
import { unaryKernelConfig } from "./unary.js";
import { whereKernelConfig } from "./where.js";

/** Every kernel of the WebGPU backend, registered from this one list. */
export const WEBGPU_KERNELS: readonly KernelConfig[] = [
  unaryKernelConfig,
  binaryKernelConfig,
  compareKernelConfig,
  whereKernelConfig,
  reduceKernelConfig,
  broadcastToKernelConfig,
  batchMatMulKernelConfig,
  transposeKernelConfig,
  sliceKernelConfig,
  padKernelConfig,
  concatKernelConfig,
  gatherKernelConfig,
  segmentSumKernelConfig,
  sparseMatMulKernelConfig,
  castKernelConfig,
  sphericalHarmonicsKernelConfig,
  sphericalHarmonicsGradKernelConfig,
  cgProductKernelConfig,
];
