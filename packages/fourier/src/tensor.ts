/**
 * Fourier coefficients as tensors: forward and inverse transforms and per-irrep products written
 * with core operations (matmul, slice, reshape, transpose, concat), so autodiff works and every
 * backend runs them.
 *
 * @module
 */
import {
  ArgumentError,
  add,
  concat,
  type Engine,
  type FloatDType,
  formatShape,
  matmul,
  reshape,
  ShapeError,
  slice,
  sub,
  type Tensor,
  transpose,
} from "@covnet/core";
import type { FiniteGroup } from "@covnet/groups";
import { elementTable } from "./internal/element_table.js";
import type { SO3FourierGrid } from "./so3.js";
import type { SphereFourierGrid } from "./sphere.js";

/**
 * One irrep's block in a flat coefficient vector: a `[rows, cols]` row-major matrix at `offset`.
 * A complex block stores its real part, then its imaginary part (`2 rows cols` values).
 */
export interface CoefficientBlock {
  /** Irrep label as text, such as `[2,1]`, `3` or `E1`. */
  readonly label: string;
  readonly rows: number;
  readonly cols: number;
  readonly complex: boolean;
  readonly offset: number;
}

/** The blocks of a flat coefficient vector and its total length. */
export interface FourierLayout {
  readonly blocks: readonly CoefficientBlock[];
  /** Number of real values per coefficient vector. */
  readonly size: number;
}

function buildLayout(
  entries: readonly { label: string; rows: number; cols: number; complex: boolean }[],
): FourierLayout {
  let offset = 0;
  const blocks = entries.map((e) => {
    const block = { ...e, offset };
    offset += (e.complex ? 2 : 1) * e.rows * e.cols;
    return block;
  });
  return { blocks, size: offset };
}

/**
 * A sampled domain (group elements or quadrature nodes) with the linear maps between function
 * values and flat Fourier coefficients:
 *
 * - `analysis` `[points, size]`: coefficients are `values @ analysis`;
 * - `synthesis` `[size, points]`: values are `coefficients @ synthesis`.
 *
 * Build one with {@link FourierBasis.finite}, {@link FourierBasis.so3} or
 * {@link FourierBasis.sphere}. Functions are real; on groups with complex irreps the synthesis
 * returns the real part.
 */
export class FourierBasis {
  readonly #tensors = new WeakMap<Engine, Map<string, Tensor>>();

  constructor(
    /** Name of the domain, for messages (`S4`, `SO3(L=3)`, `S2(L=4)`). */
    readonly name: string,
    /** Number of sample points. */
    readonly points: number,
    readonly layout: FourierLayout,
    /** `[points, size]` row-major. */
    readonly analysis: Float64Array,
    /** `[size, points]` row-major. */
    readonly synthesis: Float64Array,
  ) {}

  /**
   * The summation transform of a finite group: values in `group.elements()` order, one
   * `[d, d]` block per irrep of `group.irrepLabels()` (`f^(rho) = sum_g f(g) rho(g)`), complex
   * blocks for complex irreps. The synthesis is `f(g) = (1/|G|) sum d Re tr(rho(g)^H f^(rho))`.
   */
  static finite<E, L>(group: FiniteGroup<E, L>): FourierBasis {
    const elements = elementTable(group).elements;
    const labels = group.irrepLabels();
    const complexLabels = labels.map((label) =>
      elements.some((g) => group.representation(label, g).im?.some((v) => v !== 0) ?? false),
    );
    const layout = buildLayout(
      labels.map((label, i) => {
        const d = group.irrepDim(label);
        return {
          label: group.formatLabel(label),
          rows: d,
          cols: d,
          complex: complexLabels[i] ?? false,
        };
      }),
    );
    const n = elements.length;
    const size = layout.size;
    const analysis = new Float64Array(n * size);
    const synthesis = new Float64Array(size * n);
    elements.forEach((g, s) => {
      labels.forEach((label, i) => {
        const block = layout.blocks[i] as CoefficientBlock;
        const rho = group.representation(label, g);
        const d2 = block.rows * block.cols;
        const scale = block.rows / n;
        for (let k = 0; k < d2; k++) {
          analysis[s * size + block.offset + k] = rho.re[k] as number;
          synthesis[(block.offset + k) * n + s] = scale * (rho.re[k] as number);
          if (block.complex) {
            const im = rho.im === null ? 0 : (rho.im[k] as number);
            analysis[s * size + block.offset + d2 + k] = im;
            synthesis[(block.offset + d2 + k) * n + s] = scale * im;
          }
        }
      });
    });
    return new FourierBasis(group.name, n, layout, analysis, synthesis);
  }

  /**
   * The quadrature transform of SO(3) on a grid: one `[2l+1, 2l+1]` block per degree
   * `l = 0..bandLimit`, analysis `w_i D^l(R_i)`, synthesis `(2l+1) D^l(R_i)`.
   */
  static so3(grid: SO3FourierGrid): FourierBasis {
    const layout = buildLayout(
      grid.wigner.map((_, l) => ({
        label: String(l),
        rows: 2 * l + 1,
        cols: 2 * l + 1,
        complex: false,
      })),
    );
    const n = grid.size;
    const size = layout.size;
    const analysis = new Float64Array(n * size);
    const synthesis = new Float64Array(size * n);
    layout.blocks.forEach((block, l) => {
      const d = grid.wigner[l] as Float64Array;
      const d2 = block.rows * block.cols;
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < d2; k++) {
          const v = d[i * d2 + k] as number;
          analysis[i * size + block.offset + k] = (grid.weights[i] as number) * v;
          synthesis[(block.offset + k) * n + i] = block.rows * v;
        }
      }
    });
    return new FourierBasis(`SO3(L=${grid.bandLimit})`, n, layout, analysis, synthesis);
  }

  /**
   * The quadrature transform of the sphere on a grid: one `[2l+1, 1]` block per degree, analysis
   * `w_p Y_lm(x_p)`, synthesis `Y_lm(x_p)`.
   */
  static sphere(grid: SphereFourierGrid): FourierBasis {
    const layout = buildLayout(
      Array.from({ length: grid.bandLimit + 1 }, (_, l) => ({
        label: String(l),
        rows: 2 * l + 1,
        cols: 1,
        complex: false,
      })),
    );
    const n = grid.size;
    const size = layout.size;
    const analysis = new Float64Array(n * size);
    const synthesis = new Float64Array(size * n);
    for (let p = 0; p < n; p++) {
      for (let k = 0; k < size; k++) {
        const y = grid.harmonics[p * size + k] as number;
        analysis[p * size + k] = (grid.weights[p] as number) * y;
        synthesis[k * n + p] = y;
      }
    }
    return new FourierBasis(`S2(L=${grid.bandLimit})`, n, layout, analysis, synthesis);
  }

  /** Returns the analysis matrix as a tensor on `engine`, created once per engine and dtype. */
  analysisTensor(engine: Engine, dtype: FloatDType): Tensor {
    return this.#tensor(engine, dtype, "analysis", this.analysis, [this.points, this.layout.size]);
  }

  /** Returns the synthesis matrix as a tensor on `engine`, created once per engine and dtype. */
  synthesisTensor(engine: Engine, dtype: FloatDType): Tensor {
    return this.#tensor(engine, dtype, "synthesis", this.synthesis, [
      this.layout.size,
      this.points,
    ]);
  }

  #tensor(
    engine: Engine,
    dtype: FloatDType,
    kind: string,
    values: Float64Array,
    shape: readonly number[],
  ): Tensor {
    let cache = this.#tensors.get(engine);
    if (cache === undefined) {
      cache = new Map();
      this.#tensors.set(engine, cache);
    }
    const key = `${kind}:${dtype}`;
    const cached = cache.get(key);
    if (cached !== undefined && !cached.isDisposed) return cached;
    const t = engine.keep(engine.makeTensor(values, shape, dtype));
    cache.set(key, t);
    return t;
  }
}

function floatDtype(x: Tensor, op: string): FloatDType {
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new ArgumentError(`${op}: expected a float32 or float64 tensor, got ${x.dtype}`);
  }
  return x.dtype;
}

/**
 * Transforms function values to Fourier coefficients, `values @ analysis`. Differentiable.
 *
 * @param values `[..., points]`: the function at the basis's sample points.
 * @returns `[..., size]` coefficients in the basis's layout.
 * @throws {ShapeError} when the last axis is not `points`.
 */
export function fourierAnalysis(values: Tensor, basis: FourierBasis): Tensor {
  const dtype = floatDtype(values, "fourierAnalysis");
  const last = values.shape[values.rank - 1];
  if (values.rank === 0 || last !== basis.points) {
    throw new ShapeError(
      `fourierAnalysis: values ${formatShape(values.shape)} must end in ${basis.points} (the points of ${basis.name})`,
    );
  }
  const flat = reshape(values, [-1, basis.points]);
  const out = matmul(flat, basis.analysisTensor(values.engine, dtype));
  return reshape(out, [...values.shape.slice(0, -1), basis.layout.size]);
}

/**
 * Transforms Fourier coefficients to function values at the sample points,
 * `coefficients @ synthesis`. Differentiable.
 *
 * @param coefficients `[..., size]` in the basis's layout.
 * @returns `[..., points]`.
 * @throws {ShapeError} when the last axis is not the layout size.
 */
export function fourierSynthesis(coefficients: Tensor, basis: FourierBasis): Tensor {
  const dtype = floatDtype(coefficients, "fourierSynthesis");
  checkLast("fourierSynthesis", coefficients, basis.layout);
  const flat = reshape(coefficients, [-1, basis.layout.size]);
  const out = matmul(flat, basis.synthesisTensor(coefficients.engine, dtype));
  return reshape(out, [...coefficients.shape.slice(0, -1), basis.points]);
}

function checkLast(op: string, x: Tensor, layout: FourierLayout): void {
  if (x.rank === 0 || x.shape[x.rank - 1] !== layout.size) {
    throw new ShapeError(
      `${op}: coefficients ${formatShape(x.shape)} must end in ${layout.size} (the layout size)`,
    );
  }
}

/** The real and imaginary parts of one block of `x [..., size]`, each `[..., rows, cols]`. */
export function blockParts(x: Tensor, block: CoefficientBlock): { re: Tensor; im: Tensor | null } {
  const lead = x.shape.slice(0, -1);
  const begin = lead.map(() => 0);
  const size = lead.map(() => -1);
  const n = block.rows * block.cols;
  const part = (start: number) =>
    reshape(slice(x, [...begin, start], [...size, n]), [...lead, block.rows, block.cols]);
  return { re: part(block.offset), im: block.complex ? part(block.offset + n) : null };
}

/** Flattens per-block `[..., rows, cols]` parts back into `[..., size]`. */
export function joinBlocks(
  parts: readonly { re: Tensor; im: Tensor | null }[],
  lead: readonly number[],
): Tensor {
  const pieces: Tensor[] = [];
  for (const p of parts) {
    pieces.push(reshape(p.re, [...lead, -1]));
    if (p.im !== null) pieces.push(reshape(p.im, [...lead, -1]));
  }
  return concat(pieces, lead.length);
}

/** Complex (or real) matrix product of block parts, `a @ b`. */
export function complexBlockMatmul(
  a: { re: Tensor; im: Tensor | null },
  b: { re: Tensor; im: Tensor | null },
): { re: Tensor; im: Tensor | null } {
  if (a.im === null && b.im === null) return { re: matmul(a.re, b.re), im: null };
  if (a.im === null) return { re: matmul(a.re, b.re), im: matmul(a.re, b.im as Tensor) };
  if (b.im === null) return { re: matmul(a.re, b.re), im: matmul(a.im, b.re) };
  return {
    re: sub(matmul(a.re, b.re), matmul(a.im, b.im)),
    im: add(matmul(a.re, b.im), matmul(a.im, b.re)),
  };
}

/**
 * Multiplies coefficient tensors block by block, `a(rho) b(rho)` with `a` on the left (complex
 * blocks as complex matrices). With `a = f^`, `b = h^` this is the transform of the convolution
 * `f * h` (see `multiplyCoefficients`). Differentiable.
 *
 * @param a `[..., size]`, square blocks.
 * @param b `[..., size]`, broadcasting with `a` over the leading axes.
 * @returns `[..., size]`.
 * @throws {ShapeError} when a last axis is not the layout size or a block is not square.
 */
export function multiplyFourier(a: Tensor, b: Tensor, layout: FourierLayout): Tensor {
  checkLast("multiplyFourier", a, layout);
  checkLast("multiplyFourier", b, layout);
  const parts = layout.blocks.map((block) => {
    if (block.rows !== block.cols) {
      throw new ShapeError(
        `multiplyFourier: block ${block.label} is ${block.rows}x${block.cols}; products need square blocks`,
      );
    }
    return complexBlockMatmul(blockParts(a, block), blockParts(b, block));
  });
  const lead = parts[0]?.re.shape.slice(0, -2) ?? [];
  return joinBlocks(parts, lead);
}

/**
 * Convolves channels with learned filters in Fourier space: for every block,
 * `out[b, o] = sum_c x[b, c] w[c, o]` as matrix products, so a left translation of the input
 * (`x -> rho(g) x` on every block) translates the output the same way.
 *
 * @param x `[batch, inChannels, size]` coefficients; blocks `[rows, cols]`.
 * @param weight `[inChannels, outChannels, filterSize]` filters with blocks `[cols, cols]`
 *   (see {@link filterLayout}).
 * @returns `[batch, outChannels, size]`.
 * @throws {ShapeError} on mismatched shapes.
 */
export function fourierChannelConvolution(
  x: Tensor,
  weight: Tensor,
  layout: FourierLayout,
): Tensor {
  const filters = filterLayout(layout);
  if (x.rank !== 3 || x.shape[2] !== layout.size) {
    throw new ShapeError(
      `fourierChannelConvolution: x ${formatShape(x.shape)} must be [batch, inChannels, ${layout.size}]`,
    );
  }
  const [batch, cin] = x.shape as [number, number, number];
  if (weight.rank !== 3 || weight.shape[0] !== cin || weight.shape[2] !== filters.size) {
    throw new ShapeError(
      `fourierChannelConvolution: weight ${formatShape(weight.shape)} must be [${cin}, outChannels, ${filters.size}]`,
    );
  }
  const cout = weight.shape[1] as number;
  const parts = layout.blocks.map((block, i) => {
    const filter = filters.blocks[i] as CoefficientBlock;
    const xb = blockParts(x, block);
    const wb = blockParts(weight, filter);
    // x [B, c, i, j] -> [B, i, (c, j)]; w [c, o, j, k] -> [(c, j), (o, k)].
    const left = (t: Tensor) =>
      reshape(transpose(t, [0, 2, 1, 3]), [batch, block.rows, cin * block.cols]);
    const right = (t: Tensor) =>
      reshape(transpose(t, [0, 2, 1, 3]), [cin * block.cols, cout * block.cols]);
    const product = complexBlockMatmul(
      { re: left(xb.re), im: xb.im === null ? null : left(xb.im) },
      { re: right(wb.re), im: wb.im === null ? null : right(wb.im) },
    );
    const back = (t: Tensor) =>
      transpose(reshape(t, [batch, block.rows, cout, block.cols]), [0, 2, 1, 3]);
    return { re: back(product.re), im: product.im === null ? null : back(product.im) };
  });
  return joinBlocks(parts, [batch, cout]);
}

/**
 * The layout of filters acting on the right of a coefficient layout: one `[cols, cols]` block per
 * block of `layout`, complex where it is. For square blocks (finite groups, SO(3)) it equals
 * `layout`; for the sphere (`[2l+1, 1]` blocks) each degree gets one scalar, a zonal filter.
 */
export function filterLayout(layout: FourierLayout): FourierLayout {
  return buildLayout(
    layout.blocks.map((b) => ({ label: b.label, rows: b.cols, cols: b.cols, complex: b.complex })),
  );
}
