/**
 * The quadratic (Clebsch-Gordan) nonlinearity in Fourier space: the coefficients of the
 * pointwise product of two functions, computed from their coefficients.
 *
 * @module
 */

import { numericCGDecomposition, realClebschGordan } from "@covnet/cg";
import { ArgumentError, add, matmul, mul, reshape, type Tensor, transpose } from "@covnet/core";
import type { FiniteGroup } from "@covnet/groups";
import type { SO3FourierGrid } from "./so3.js";
import {
  blockParts,
  type CoefficientBlock,
  FourierBasis,
  type FourierLayout,
  joinBlocks,
} from "./tensor.js";

/** One coupling `left (x) right -> output` with its CG columns and weight. */
export interface QuadraticPath {
  /** Block indices in the layout. */
  readonly left: number;
  readonly right: number;
  readonly output: number;
  /**
   * `[d_left * d_right, d_output]` row-major: orthonormal columns `K` with
   * `K^T (rho_left (x) rho_right) K = rho_output` (one copy of the output irrep).
   */
  readonly kernel: Float64Array;
  readonly weight: number;
}

/** The layout and coupling paths of a quadratic nonlinearity. */
export interface QuadraticPlan {
  readonly layout: FourierLayout;
  readonly paths: readonly QuadraticPath[];
}

/**
 * Plans the quadratic nonlinearity of a finite group with real irreps. The pointwise product has
 * `(f h)^(mu) = sum_(lambda1, lambda2, copies) (d1 d2 / (|G| d_mu)) K^T (f^(lambda1) (x)
 * h^(lambda2)) K`, where `K` are the CG columns of one copy of `mu` in `lambda1 (x) lambda2`,
 * found by `numericCGDecomposition` of `@covnet/cg` (which uses Kronecker coefficients for the
 * multiplicities on S_n).
 *
 * @throws {ArgumentError} when the group has complex irreps (such as the cyclic groups).
 */
export function finiteQuadraticPlan<E, L>(group: FiniteGroup<E, L>): QuadraticPlan {
  const basis = FourierBasis.finite(group);
  const complex = basis.layout.blocks.find((b) => b.complex);
  if (complex !== undefined) {
    throw new ArgumentError(
      `finiteQuadraticPlan: irrep ${complex.label} of ${group.name} is complex; the quadratic nonlinearity needs real irreps`,
    );
  }
  const labels = group.irrepLabels();
  const keys = labels.map((l) => group.formatLabel(l));
  const paths: QuadraticPath[] = [];
  labels.forEach((a, i) => {
    labels.forEach((b, j) => {
      const decomposition = numericCGDecomposition(group, a, b);
      const n = decomposition.size;
      for (const block of decomposition.blocks) {
        const kernel = new Float64Array(n * block.dim);
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < block.dim; c++) {
            kernel[r * block.dim + c] = decomposition.matrix[r * n + block.start + c] as number;
          }
        }
        const da = group.irrepDim(a);
        const db = group.irrepDim(b);
        paths.push({
          left: i,
          right: j,
          output: keys.indexOf(group.formatLabel(block.label)),
          kernel,
          weight: (da * db) / (group.order * block.dim),
        });
      }
    });
  });
  return { layout: basis.layout, paths };
}

/**
 * Plans the quadratic nonlinearity on SO(3) Wigner coefficients up to the grid's band limit L:
 * `(f h)^_l = sum_(l1, l2) ((2l1+1)(2l2+1)/(2l+1)) C^T (f^_l1 (x) h^_l2) C` with the real CG
 * tensors `C = realClebschGordan(l1, l2, l)` of `@covnet/cg`, for `l1, l2 <= L` and outputs
 * `l <= L` (the product has band limit 2L, so degrees above L are dropped).
 */
export function so3QuadraticPlan(grid: SO3FourierGrid): QuadraticPlan {
  const basis = FourierBasis.so3(grid);
  const bandLimit = grid.bandLimit;
  const paths: QuadraticPath[] = [];
  for (let l1 = 0; l1 <= bandLimit; l1++) {
    for (let l2 = 0; l2 <= bandLimit; l2++) {
      for (let l = Math.abs(l1 - l2); l <= Math.min(bandLimit, l1 + l2); l++) {
        paths.push({
          left: l1,
          right: l2,
          output: l,
          kernel: realClebschGordan(l1, l2, l),
          weight: ((2 * l1 + 1) * (2 * l2 + 1)) / (2 * l + 1),
        });
      }
    }
  }
  return { layout: basis.layout, paths };
}

/**
 * Computes the Fourier coefficients of the pointwise product of two functions from their
 * coefficients, path by path: `K^T (F (x) H) K` without forming the Kronecker product, as
 * `K^T vec(F K_c H^T)`. It commutes with left and right translations, so it is an equivariant
 * nonlinearity. Differentiable.
 *
 * @param a `[..., size]` coefficients of f in `plan.layout`.
 * @param b `[..., size]` coefficients of h, the same shape as `a`.
 * @returns `[..., size]` coefficients of `f h` (truncated to the layout's irreps).
 */
export function fourierQuadratic(a: Tensor, b: Tensor, plan: QuadraticPlan): Tensor {
  const { layout } = plan;
  const lead = a.shape.slice(0, -1);
  const flatA = reshape(a, [-1, layout.size]);
  const flatB = reshape(b, [-1, layout.size]);
  const rows = flatA.shape[0] as number;
  const engine = a.engine;
  const dtype = a.dtype;
  const sums: (Tensor | null)[] = layout.blocks.map(() => null);
  for (const path of plan.paths) {
    const left = layout.blocks[path.left] as CoefficientBlock;
    const right = layout.blocks[path.right] as CoefficientBlock;
    const output = layout.blocks[path.output] as CoefficientBlock;
    const d1 = left.rows;
    const d2 = right.rows;
    const d = output.rows;
    const f = blockParts(flatA, left).re;
    const h = blockParts(flatB, right).re;
    const kernel = engine.makeTensor(path.kernel, [d1, d2 * d], dtype);
    // t1[r, i, l, c] = sum_j F_ij K[j, l, c]
    const t1 = reshape(matmul(f, kernel), [rows, d1, d2, d]);
    // t2[r, k, (i, c)] = sum_l H_kl t1[r, i, l, c]
    const t2 = matmul(h, reshape(transpose(t1, [0, 2, 1, 3]), [rows, d2, d1 * d]));
    const vec = reshape(transpose(reshape(t2, [rows, d2, d1, d]), [0, 2, 1, 3]), [
      rows,
      d1 * d2,
      d,
    ]);
    const projected = matmul(reshape(kernel, [d1 * d2, d]), vec, { transposeA: true });
    const term = mul(projected, path.weight);
    const current = sums[path.output];
    sums[path.output] = current === null || current === undefined ? term : add(current, term);
  }
  const parts = layout.blocks.map((block, i) => ({
    re:
      sums[i] ??
      engine.makeTensor(
        new Float64Array(rows * block.rows * block.cols),
        [rows, block.rows, block.cols],
        dtype,
      ),
    im: null,
  }));
  return reshape(joinBlocks(parts, [rows]), [...lead, layout.size]);
}
