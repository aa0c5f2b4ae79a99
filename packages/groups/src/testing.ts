/**
 * `@covnet/groups/testing`: a law suite that every group plugin must pass, for use in vitest.
 *
 * @module
 */
import { Random } from "@covnet/core";
import { describe, expect, it } from "vitest";
import { type CompactGroup, isFiniteGroup, type RepresentationMatrix } from "./group.js";
import type { Complex } from "./matrix.js";

/** Options of {@link describeGroupLaws} and {@link groupLawErrors}. */
export interface GroupLawOptions {
  /** Degree passed to `irrepLabels` for infinite groups (default 3). */
  readonly maxDegree?: number;
  /** Band limit of the quadrature for character orthogonality (default `2 * maxDegree`). */
  readonly bandLimit?: number;
  /** Largest allowed error (default 1e-10). */
  readonly tolerance?: number;
  /** Seed of the random elements added to `testingElements()` (default 1). */
  readonly seed?: number;
  /** Number of random elements added to `testingElements()` (default 3). */
  readonly randomElements?: number;
}

/** Largest error of each law, as measured by {@link groupLawErrors}. */
export interface GroupLawErrors {
  /** `e g = g e = g`, `g g^-1 = e`, `(g h) k = g (h k)`: count of failures. */
  readonly axiomFailures: number;
  /** `max |rho(g h) - rho(g) rho(h)|`. */
  readonly homomorphism: number;
  /** `max |rho(g) rho(g)^dagger - I|`. */
  readonly unitarity: number;
  /** `max |chi(g) - trace(rho(g))|`. */
  readonly characterTrace: number;
  /** `max |integral chi_a conj(chi_b) - delta_ab|` over the irreps listed. */
  readonly characterOrthogonality: number;
  /**
   * `max |chi_a chi_b - sum_c m_c chi_c|` at the elements, from the tensor product multiplicities.
   */
  readonly tensorProduct: number;
  /** For finite groups `|sum dim^2 - order|`; 0 for infinite groups. */
  readonly dimensionSum: number;
  /** For finite groups, `|sum |C| - order|` over conjugacy classes; 0 for infinite groups. */
  readonly classSizes: number;
}

function matmulComplex(
  a: RepresentationMatrix,
  b: RepresentationMatrix,
): { re: Float64Array; im: Float64Array } {
  const n = a.dim;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const xr = a.re[i * n + k] as number;
      const xi = a.im === null ? 0 : (a.im[i * n + k] as number);
      for (let j = 0; j < n; j++) {
        const yr = b.re[k * n + j] as number;
        const yi = b.im === null ? 0 : (b.im[k * n + j] as number);
        re[i * n + j] = (re[i * n + j] as number) + xr * yr - xi * yi;
        im[i * n + j] = (im[i * n + j] as number) + xr * yi + xi * yr;
      }
    }
  }
  return { re, im };
}

function mul(a: Complex, b: Complex): Complex {
  return { re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re };
}

/**
 * Measures how far `group` is from satisfying the group and representation laws on its
 * `testingElements()` plus a few seeded random elements.
 */
export function groupLawErrors<E, L>(
  group: CompactGroup<E, L>,
  options: GroupLawOptions = {},
): GroupLawErrors {
  const maxDegree = options.maxDegree ?? 3;
  const bandLimit = options.bandLimit ?? 2 * maxDegree;
  const random = new Random(options.seed ?? 1);
  const elements = group.testingElements();
  for (let i = 0; i < (options.randomElements ?? 3); i++) elements.push(group.random(random));
  const labels = group.irrepLabels(maxDegree);
  const e = group.identity();

  let axiomFailures = 0;
  for (const g of elements) {
    if (!group.equals(group.compose(e, g), g)) axiomFailures++;
    if (!group.equals(group.compose(g, e), g)) axiomFailures++;
    if (!group.equals(group.compose(g, group.inverse(g)), e)) axiomFailures++;
    if (!group.equals(group.compose(group.inverse(g), g), e)) axiomFailures++;
  }
  const few = elements.slice(0, 8);
  for (const g of few) {
    for (const h of few) {
      for (const k of few) {
        const left = group.compose(group.compose(g, h), k);
        const right = group.compose(g, group.compose(h, k));
        if (!group.equals(left, right)) axiomFailures++;
      }
    }
  }

  let homomorphism = 0;
  let unitarity = 0;
  let characterTrace = 0;
  for (const label of labels) {
    const n = group.irrepDim(label);
    for (const g of elements) {
      const rg = group.representation(label, g);
      const chi = group.irrepCharacter(label, g);
      let tr = 0;
      let ti = 0;
      for (let i = 0; i < n; i++) {
        tr += rg.re[i * n + i] as number;
        ti += rg.im === null ? 0 : (rg.im[i * n + i] as number);
      }
      characterTrace = Math.max(characterTrace, Math.hypot(chi.re - tr, chi.im - ti));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          // (rho rho^dagger)_{ij} = sum_k rho_ik conj(rho_jk)
          let sr = 0;
          let si = 0;
          for (let k = 0; k < n; k++) {
            const ar = rg.re[i * n + k] as number;
            const ai = rg.im === null ? 0 : (rg.im[i * n + k] as number);
            const br = rg.re[j * n + k] as number;
            const bi = rg.im === null ? 0 : (rg.im[j * n + k] as number);
            sr += ar * br + ai * bi;
            si += ai * br - ar * bi;
          }
          unitarity = Math.max(unitarity, Math.hypot(sr - (i === j ? 1 : 0), si));
        }
      }
      for (const h of few) {
        const rgh = group.representation(label, group.compose(g, h));
        const product = matmulComplex(rg, group.representation(label, h));
        for (let i = 0; i < n * n; i++) {
          const dr = (rgh.re[i] as number) - (product.re[i] as number);
          const di = (rgh.im === null ? 0 : (rgh.im[i] as number)) - (product.im[i] as number);
          homomorphism = Math.max(homomorphism, Math.hypot(dr, di));
        }
      }
    }
  }

  let characterOrthogonality = 0;
  const quadrature = group.quadrature(bandLimit);
  const characters = labels.map((label) =>
    quadrature.elements.map((g) => group.irrepCharacter(label, g)),
  );
  characters.forEach((chiA, a) => {
    characters.forEach((chiB, b) => {
      let re = 0;
      let im = 0;
      chiA.forEach((x, i) => {
        const y = chiB[i] as Complex;
        const w = quadrature.weights[i] as number;
        re += w * (x.re * y.re + x.im * y.im);
        im += w * (x.im * y.re - x.re * y.im);
      });
      characterOrthogonality = Math.max(
        characterOrthogonality,
        Math.hypot(re - (a === b ? 1 : 0), im),
      );
    });
  });

  let tensorProduct = 0;
  const pairs = labels.slice(0, 4);
  for (const a of pairs) {
    for (const b of pairs) {
      const parts = group.tensorProductMultiplicities(a, b);
      const dims = parts.reduce((s, p) => s + p.multiplicity * group.irrepDim(p.label), 0);
      tensorProduct = Math.max(
        tensorProduct,
        Math.abs(dims - group.irrepDim(a) * group.irrepDim(b)),
      );
      for (const g of elements) {
        const lhs = mul(group.irrepCharacter(a, g), group.irrepCharacter(b, g));
        let re = 0;
        let im = 0;
        for (const p of parts) {
          const c = group.irrepCharacter(p.label, g);
          re += p.multiplicity * c.re;
          im += p.multiplicity * c.im;
        }
        tensorProduct = Math.max(tensorProduct, Math.hypot(lhs.re - re, lhs.im - im));
      }
    }
  }

  let dimensionSum = 0;
  let classSizes = 0;
  if (isFiniteGroup(group)) {
    const sum = group.irrepLabels().reduce((s, label) => s + group.irrepDim(label) ** 2, 0);
    dimensionSum = Math.abs(sum - group.order);
    const classes = group.conjugacyClasses();
    classSizes = Math.abs(classes.reduce((s, c) => s + c.length, 0) - group.order);
    classSizes += Math.abs(classes.length - group.irrepLabels().length);
  }

  return {
    axiomFailures,
    homomorphism,
    unitarity,
    characterTrace,
    characterOrthogonality,
    tensorProduct,
    dimensionSum,
    classSizes,
  };
}

/**
 * Declares a vitest `describe` block checking the group axioms, the homomorphism property,
 * unitarity of the irreps, characters as traces, character orthogonality (by summation or
 * quadrature), tensor product multiplicities, and for finite groups `sum dim^2 = order` and one
 * conjugacy class per irrep.
 *
 * @example
 * ```ts
 * describeGroupLaws(new SymmetricGroup(4));
 * describeGroupLaws(new SO3(), { maxDegree: 4 });
 * ```
 */
export function describeGroupLaws<E, L>(
  group: CompactGroup<E, L>,
  options: GroupLawOptions = {},
): void {
  const tolerance = options.tolerance ?? 1e-10;
  describe(`group laws of ${group.name}`, () => {
    let errors: GroupLawErrors | undefined;
    const measured = (): GroupLawErrors => {
      errors ??= groupLawErrors(group, options);
      return errors;
    };
    it("satisfies the group axioms", () => {
      expect(measured().axiomFailures).toBe(0);
    });
    it("irreps are homomorphisms", () => {
      expect(measured().homomorphism).toBeLessThan(tolerance);
    });
    it("irreps are unitary", () => {
      expect(measured().unitarity).toBeLessThan(tolerance);
    });
    it("characters are traces", () => {
      expect(measured().characterTrace).toBeLessThan(tolerance);
    });
    it("characters are orthonormal", () => {
      expect(measured().characterOrthogonality).toBeLessThan(tolerance);
    });
    it("tensor products decompose", () => {
      expect(measured().tensorProduct).toBeLessThan(tolerance);
    });
    if (isFiniteGroup(group)) {
      it("squared dimensions sum to the order", () => {
        expect(measured().dimensionSum).toBe(0);
      });
      it("conjugacy classes partition the group", () => {
        expect(measured().classSizes).toBe(0);
      });
    }
  });
}
