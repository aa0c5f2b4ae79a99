/**
 * Fourier analysis on finite groups by summation over the elements: the transform, its inverse,
 * convolution, the Plancherel inner product and the translation rules.
 *
 * @module
 */
import { ArgumentError, ShapeError } from "@covnet/core";
import type { Complex, FiniteGroup } from "@covnet/groups";
import { adjoint, complexMatmul, type SplitMatrix } from "./internal/complex.js";
import { elementTable } from "./internal/element_table.js";

/**
 * The Fourier coefficient at one irrep: a `[dim, dim]` row-major matrix. `im` is `null` when the
 * coefficient is real, as for real functions on groups whose irreps are real (S_n in Young's
 * orthogonal form, dihedral groups).
 */
export interface FourierBlock<Label> {
  readonly label: Label;
  readonly dim: number;
  readonly re: Float64Array;
  readonly im: Float64Array | null;
}

/** Fourier coefficients: one block per irrep, in the order of `group.irrepLabels()`. */
export type FourierCoefficients<Label> = readonly FourierBlock<Label>[];

/**
 * Values of a function on a finite group, indexed like `group.elements()`. `im` is `null` for a
 * real function.
 */
export interface GroupFunction {
  readonly re: Float64Array;
  readonly im: Float64Array | null;
}

/** A real function as values in `elements()` order, or a possibly complex {@link GroupFunction}. */
export type GroupFunctionInput = ArrayLike<number> | GroupFunction;

function isGroupFunction(f: GroupFunctionInput): f is GroupFunction {
  return typeof f === "object" && f !== null && "re" in f && f.re instanceof Float64Array;
}

/**
 * Converts function values to a {@link GroupFunction} after checking the length.
 *
 * @throws {ShapeError} when the number of values differs from the group order.
 */
export function toGroupFunction<E, L>(
  group: FiniteGroup<E, L>,
  f: GroupFunctionInput,
  name = "f",
): GroupFunction {
  const value: GroupFunction = isGroupFunction(f) ? f : { re: Float64Array.from(f), im: null };
  if (value.re.length !== group.order || (value.im !== null && value.im.length !== group.order)) {
    throw new ShapeError(
      `invalid function ${name} on ${group.name}: expected ${group.order} values (one per element), got ${value.re.length}`,
    );
  }
  return value;
}

/**
 * Computes the Fourier transform `f^(rho) = sum_g f(g) rho(g)` of a function on a finite group,
 * by summation over every element (`O(|G| sum_rho d_rho^2)` plus the cost of the matrices). There
 * is no normalisation factor. Complex irreps (cyclic groups) give complex blocks.
 *
 * @param f values in the order of `group.elements()`, real or complex.
 * @returns one block per irrep, in the order of `group.irrepLabels()`.
 * @throws {ShapeError} when `f` does not have one value per element.
 * @example
 * ```ts
 * const s3 = new SymmetricGroup(3);
 * const fhat = fourierTransform(s3, [1, 0, 0, 0, 0, 0]); // every block is the identity
 * ```
 */
export function fourierTransform<E, L>(
  group: FiniteGroup<E, L>,
  f: GroupFunctionInput,
): FourierBlock<L>[] {
  const values = toGroupFunction(group, f);
  const elements = elementTable(group).elements;
  return group.irrepLabels().map((label) => {
    const dim = group.irrepDim(label);
    const re = new Float64Array(dim * dim);
    let im: Float64Array | null = null;
    elements.forEach((g, index) => {
      const fr = values.re[index] as number;
      const fi = values.im === null ? 0 : (values.im[index] as number);
      if (fr === 0 && fi === 0) return;
      const rho = group.representation(label, g);
      if ((rho.im !== null || fi !== 0) && im === null) im = new Float64Array(dim * dim);
      for (let k = 0; k < dim * dim; k++) {
        const rr = rho.re[k] as number;
        const ri = rho.im === null ? 0 : (rho.im[k] as number);
        re[k] = (re[k] as number) + fr * rr - fi * ri;
        if (im !== null) im[k] = (im[k] as number) + fr * ri + fi * rr;
      }
    });
    return { label, dim, re, im };
  });
}

function checkCoefficients<E, L>(
  group: FiniteGroup<E, L>,
  coefficients: FourierCoefficients<L>,
  name: string,
): void {
  const labels = group.irrepLabels();
  if (coefficients.length !== labels.length) {
    throw new ShapeError(
      `invalid Fourier coefficients ${name} on ${group.name}: expected ${labels.length} blocks (one per irrep), got ${coefficients.length}`,
    );
  }
  coefficients.forEach((block, i) => {
    const expected = group.formatLabel(labels[i] as L);
    const actual = group.formatLabel(block.label);
    const dim = group.irrepDim(labels[i] as L);
    if (expected !== actual) {
      throw new ArgumentError(
        `invalid Fourier coefficients ${name}: block ${i} has irrep ${actual}, expected ${expected}`,
      );
    }
    if (block.dim !== dim || block.re.length !== dim * dim) {
      throw new ShapeError(
        `invalid Fourier coefficients ${name}: block ${expected} must be ${dim}x${dim}, got ${block.re.length} values`,
      );
    }
  });
}

/**
 * Computes the inverse Fourier transform
 * `f(g) = (1/|G|) sum_rho d_rho tr(rho(g)^H f^(rho))`, where `^H` is the conjugate transpose
 * (the transpose for real orthogonal irreps, since `rho(g)^T = rho(g^-1)`).
 *
 * @returns the values in `elements()` order; `im` is `null` when every block is real.
 * @throws {ShapeError} or {ArgumentError} when the blocks do not match the group's irreps.
 */
export function inverseFourierTransform<E, L>(
  group: FiniteGroup<E, L>,
  coefficients: FourierCoefficients<L>,
): GroupFunction {
  checkCoefficients(group, coefficients, "fhat");
  const elements = elementTable(group).elements;
  const complex = coefficients.some((b) => b.im !== null);
  const re = new Float64Array(group.order);
  const im = complex ? new Float64Array(group.order) : null;
  elements.forEach((g, index) => {
    let sr = 0;
    let si = 0;
    for (const block of coefficients) {
      const rho = group.representation(block.label, g);
      let tr = 0;
      let ti = 0;
      // tr(rho^H F) = sum_ij conj(rho_ij) F_ij
      for (let k = 0; k < block.dim * block.dim; k++) {
        const rr = rho.re[k] as number;
        const ri = rho.im === null ? 0 : (rho.im[k] as number);
        const fr = block.re[k] as number;
        const fi = block.im === null ? 0 : (block.im[k] as number);
        tr += rr * fr + ri * fi;
        ti += rr * fi - ri * fr;
      }
      sr += block.dim * tr;
      si += block.dim * ti;
    }
    re[index] = sr / group.order;
    if (im !== null) im[index] = si / group.order;
  });
  return { re, im };
}

/**
 * Convolves two functions in the spatial domain: `(f*g)(s) = sum_t f(s t^-1) g(t)`, so that
 * `(f*g)^ = f^ g^` (see {@link multiplyCoefficients}). Costs `O(|G|^2)` group products.
 *
 * @throws {ShapeError} when an input does not have one value per element.
 */
export function convolve<E, L>(
  group: FiniteGroup<E, L>,
  f: GroupFunctionInput,
  g: GroupFunctionInput,
): GroupFunction {
  const a = toGroupFunction(group, f, "f");
  const b = toGroupFunction(group, g, "g");
  const table = elementTable(group);
  const n = group.order;
  const re = new Float64Array(n);
  const im = a.im !== null || b.im !== null ? new Float64Array(n) : null;
  for (let s = 0; s < n; s++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const u = table.compose(s, table.inverse[t] as number);
      const ar = a.re[u] as number;
      const ai = a.im === null ? 0 : (a.im[u] as number);
      const br = b.re[t] as number;
      const bi = b.im === null ? 0 : (b.im[t] as number);
      sr += ar * br - ai * bi;
      si += ar * bi + ai * br;
    }
    re[s] = sr;
    if (im !== null) im[s] = si;
  }
  return { re, im };
}

function blockOf<L>(block: FourierBlock<L>): SplitMatrix {
  return { re: block.re, im: block.im };
}

/**
 * Multiplies Fourier coefficients irrep by irrep, `a(rho) b(rho)` with `a` on the left. By the
 * convolution theorem this is the transform of `f * g` when `a = f^` and `b = g^`.
 *
 * @throws {ArgumentError} when the blocks' irreps or sizes differ.
 */
export function multiplyCoefficients<L>(
  a: FourierCoefficients<L>,
  b: FourierCoefficients<L>,
): FourierBlock<L>[] {
  if (a.length !== b.length) {
    throw new ArgumentError(
      `Fourier coefficient mismatch: left has ${a.length} blocks, right has ${b.length}`,
    );
  }
  return a.map((x, i) => {
    const y = b[i] as FourierBlock<L>;
    if (x.dim !== y.dim) {
      throw new ArgumentError(
        `Fourier coefficient mismatch at block ${i}: left is ${x.dim}x${x.dim}, right is ${y.dim}x${y.dim}`,
      );
    }
    const product = complexMatmul(blockOf(x), blockOf(y), x.dim, x.dim, x.dim);
    return { label: x.label, dim: x.dim, re: product.re, im: product.im };
  });
}

/**
 * Computes `sum_g f(g) conj(h(g))` from the Fourier coefficients by the Plancherel formula
 * `(1/|G|) sum_rho d_rho tr(f^(rho) h^(rho)^H)`. For real functions and real irreps this is
 * `(1/|G|) sum_rho d_rho tr(f^(rho)^T h^(rho))`.
 *
 * @throws {ShapeError} or {ArgumentError} when the blocks do not match the group's irreps.
 */
export function plancherelInnerProduct<E, L>(
  group: FiniteGroup<E, L>,
  fhat: FourierCoefficients<L>,
  hhat: FourierCoefficients<L>,
): Complex {
  checkCoefficients(group, fhat, "fhat");
  checkCoefficients(group, hhat, "hhat");
  let re = 0;
  let im = 0;
  fhat.forEach((x, i) => {
    const y = hhat[i] as FourierBlock<L>;
    let tr = 0;
    let ti = 0;
    // tr(X Y^H) = sum_ij X_ij conj(Y_ij)
    for (let k = 0; k < x.dim * x.dim; k++) {
      const xr = x.re[k] as number;
      const xi = x.im === null ? 0 : (x.im[k] as number);
      const yr = y.re[k] as number;
      const yi = y.im === null ? 0 : (y.im[k] as number);
      tr += xr * yr + xi * yi;
      ti += xi * yr - xr * yi;
    }
    re += x.dim * tr;
    im += x.dim * ti;
  });
  return { re: re / group.order, im: im / group.order };
}

/**
 * Left translation `x -> f(h^-1 x)` in the spatial domain. Its transform is `rho(h) f^` (see
 * {@link leftTranslateCoefficients}).
 */
export function leftTranslate<E, L>(
  group: FiniteGroup<E, L>,
  f: GroupFunctionInput,
  h: E,
): GroupFunction {
  const values = toGroupFunction(group, f);
  const table = elementTable(group);
  const hInverse = table.inverse[table.indexOf(h)] as number;
  return permuteValues(values, (x) => table.compose(hInverse, x));
}

/**
 * Right translation `x -> f(x h)` in the spatial domain. Its transform is `f^ rho(h)^H` (see
 * {@link rightTranslateCoefficients}).
 */
export function rightTranslate<E, L>(
  group: FiniteGroup<E, L>,
  f: GroupFunctionInput,
  h: E,
): GroupFunction {
  const values = toGroupFunction(group, f);
  const table = elementTable(group);
  const hIndex = table.indexOf(h);
  return permuteValues(values, (x) => table.compose(x, hIndex));
}

function permuteValues(values: GroupFunction, source: (x: number) => number): GroupFunction {
  const n = values.re.length;
  const re = new Float64Array(n);
  const im = values.im === null ? null : new Float64Array(n);
  for (let x = 0; x < n; x++) {
    const y = source(x);
    re[x] = values.re[y] as number;
    if (im !== null && values.im !== null) im[x] = values.im[y] as number;
  }
  return { re, im };
}

/** The coefficients of the left translate `x -> f(h^-1 x)`: `rho(h) f^(rho)` for every irrep. */
export function leftTranslateCoefficients<E, L>(
  group: FiniteGroup<E, L>,
  fhat: FourierCoefficients<L>,
  h: E,
): FourierBlock<L>[] {
  checkCoefficients(group, fhat, "fhat");
  return fhat.map((block) => {
    const rho = group.representation(block.label, h);
    const out = complexMatmul(rho, blockOf(block), block.dim, block.dim, block.dim);
    return { label: block.label, dim: block.dim, re: out.re, im: out.im };
  });
}

/**
 * The coefficients of the right translate `x -> f(x h)`: `f^(rho) rho(h)^H` for every irrep
 * (`rho(h)^T` for real orthogonal irreps).
 */
export function rightTranslateCoefficients<E, L>(
  group: FiniteGroup<E, L>,
  fhat: FourierCoefficients<L>,
  h: E,
): FourierBlock<L>[] {
  checkCoefficients(group, fhat, "fhat");
  return fhat.map((block) => {
    const rho = adjoint(group.representation(block.label, h), block.dim);
    const out = complexMatmul(blockOf(block), rho, block.dim, block.dim, block.dim);
    return { label: block.label, dim: block.dim, re: out.re, im: out.im };
  });
}
