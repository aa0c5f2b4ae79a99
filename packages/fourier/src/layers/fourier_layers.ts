/**
 * Fourier-space layers: group convolution with learned filters, the pointwise nonlinearity
 * through the inverse transform, and the quadratic (CG) nonlinearity.
 *
 * @module
 */
import { type Engine, type FloatDType, Random, type Tensor } from "@covnet/core";
import { Module, type Parameter } from "@covnet/nn";
import { fourierQuadratic, type QuadraticPlan } from "../quadratic.js";
import {
  type FourierBasis,
  filterLayout,
  fourierAnalysis,
  fourierChannelConvolution,
  fourierSynthesis,
} from "../tensor.js";

/** Options of {@link GroupConvolution}. */
export interface GroupConvolutionOptions {
  /** Seed of the initial filters (default 0). */
  readonly seed?: number;
  /** Default `float64`. */
  readonly dtype?: FloatDType;
}

/**
 * Group convolution with learned filters, in Fourier space. Input and output are Fourier
 * coefficients in `basis.layout`; for every irrep block the layer computes
 * `out[b, o] = sum_c x[b, c] w[c, o]`, the transform of `sum_c x_c * w_(c,o)` with the group
 * convolution `(f*w)(s) = sum_t f(s t^-1) w(t)`. Left translation multiplies every block of the
 * input by `rho(g)` on the left and commutes with the right-hand filters, so the layer is
 * equivariant by construction. On the sphere the filters are one scalar per degree (zonal).
 *
 * Filters start as independent normals with variance `1 / (inChannels * dim)` per block, where
 * `dim` is the block's column count.
 */
export class GroupConvolution extends Module {
  readonly weight: Parameter;

  /**
   * @param basis the domain and coefficient layout (see `FourierBasis`).
   */
  constructor(
    engine: Engine,
    readonly basis: FourierBasis,
    readonly inChannels: number,
    readonly outChannels: number,
    options: GroupConvolutionOptions = {},
  ) {
    super();
    const random = new Random(options.seed ?? 0);
    const filters = filterLayout(basis.layout);
    const values = new Float64Array(inChannels * outChannels * filters.size);
    for (let c = 0; c < inChannels * outChannels; c++) {
      for (const block of filters.blocks) {
        const std = 1 / Math.sqrt(inChannels * block.cols);
        const n = (block.complex ? 2 : 1) * block.rows * block.cols;
        for (let k = 0; k < n; k++)
          values[c * filters.size + block.offset + k] = std * random.normal();
      }
    }
    this.weight = this.registerParameter(
      "weight",
      engine.makeTensor(
        values,
        [inChannels, outChannels, filters.size],
        options.dtype ?? "float64",
      ),
    );
  }

  /**
   * @param x `[batch, inChannels, size]` coefficients.
   * @returns `[batch, outChannels, size]`.
   * @throws {ShapeError} on mismatched shapes.
   */
  forward(x: Tensor): Tensor {
    return fourierChannelConvolution(x, this.weight.value, this.basis.layout);
  }
}

/**
 * A pointwise nonlinearity applied in the spatial domain: inverse transform to the sample
 * points, `activation` on every value, forward transform. On a finite group the sample points
 * are the elements, so translations permute them and the layer is exactly equivariant. On SO(3)
 * and the sphere the result is truncated to the band limit, and equivariance holds only up to
 * that aliasing.
 */
export class FourierPointwiseNonlinearity extends Module {
  constructor(
    readonly basis: FourierBasis,
    readonly activation: (x: Tensor) => Tensor,
  ) {
    super();
  }

  /**
   * @param x `[..., size]` coefficients.
   * @returns `[..., size]` coefficients of `activation(f)`.
   */
  forward(x: Tensor): Tensor {
    return fourierAnalysis(this.activation(fourierSynthesis(x, this.basis)), this.basis);
  }
}

/**
 * The quadratic (Clebsch-Gordan) nonlinearity: the Fourier coefficients of the pointwise product
 * of two functions, channel by channel, computed in Fourier space from the CG decomposition of
 * the tensor products of irreps (see `fourierQuadratic`). It commutes with translations, so it
 * is equivariant.
 */
export class FourierQuadraticNonlinearity extends Module {
  constructor(readonly plan: QuadraticPlan) {
    super();
  }

  /**
   * @param a `[..., size]` coefficients.
   * @param b `[..., size]` coefficients (default `a`, giving the square).
   * @returns `[..., size]` coefficients of the product.
   */
  forward(a: Tensor, b: Tensor = a): Tensor {
    return fourierQuadratic(a, b, this.plan);
  }
}
