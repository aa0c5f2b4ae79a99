import type { KernelConfig } from "@covnet/core";
import { CG_PRODUCT_KERNELS } from "./cg_product.js";
import { ELEMENTWISE_KERNELS } from "./elementwise.js";
import { MATMUL_KERNELS } from "./matmul.js";
import { REDUCE_KERNELS } from "./reduce.js";
import { SHAPE_KERNELS } from "./shape.js";
import { SPHERICAL_HARMONICS_KERNELS } from "./spherical_harmonics.js";

/** Every kernel of the CPU backend, registered from this one list. */
export const CPU_KERNELS: readonly KernelConfig[] = [
  ...ELEMENTWISE_KERNELS,
  ...REDUCE_KERNELS,
  ...MATMUL_KERNELS,
  ...SHAPE_KERNELS,
  ...SPHERICAL_HARMONICS_KERNELS,
  ...CG_PRODUCT_KERNELS,
];
