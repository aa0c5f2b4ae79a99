/**
 * The group abstraction shared by every plugin: {@link CompactGroup} and {@link FiniteGroup}.
 *
 * @module
 */
import { ArgumentError, type Random, TOKENS } from "@covnet/core";
import type { Container } from "inversify";
import type { Complex } from "./matrix.js";

/**
 * The matrix of an irrep at one group element, `[dim, dim]` row-major. `im` is `null` when the
 * irrep is real in the basis the group states, as for SO(3) in the real basis and Young's
 * orthogonal form of S_n. Such a matrix is real orthogonal; the others are unitary.
 */
export interface RepresentationMatrix {
  readonly dim: number;
  readonly re: Float64Array;
  readonly im: Float64Array | null;
}

/** One irrep in a decomposition, with its multiplicity. */
export interface LabelMultiplicity<Label> {
  readonly label: Label;
  readonly multiplicity: number;
}

/** Quadrature nodes on a group; `weights` sum to 1 (normalised Haar measure). */
export interface Quadrature<Element> {
  readonly elements: readonly Element[];
  readonly weights: Float64Array;
}

/**
 * A compact group together with its irreducible representations.
 *
 * Measures are normalised, so `integrate(() => 1) = 1`. Irrep matrices are unitary and
 * satisfy `rho(compose(g, h)) = rho(g) rho(h)`; each plugin documents the basis.
 */
export interface CompactGroup<Element, Label> {
  /** Name under which the group registers in a container, such as `SO3` or `S4`. */
  readonly name: string;
  /** The identity element. */
  identity(): Element;
  /** The product `a b` (apply `b` first when elements act on something). */
  compose(a: Element, b: Element): Element;
  /** The inverse element. */
  inverse(a: Element): Element;
  /** Whether two elements are equal, up to `tolerance` for continuous groups. */
  equals(a: Element, b: Element, tolerance?: number): boolean;
  /** An element drawn from the normalised Haar measure using `random`. */
  random(random: Random): Element;
  /** A small fixed set of elements (including the identity) that exercises the group in tests. */
  testingElements(): Element[];
  /**
   * Irrep labels, ordered. Finite groups list every irrep and ignore `maxDegree`; infinite
   * groups list the irreps up to `maxDegree` (SO(3): `l <= maxDegree`; SO(2): `|k| <= maxDegree`).
   */
  irrepLabels(maxDegree?: number): Label[];
  /** Dimension of the irrep `label`. @throws {ArgumentError} on an invalid label. */
  irrepDim(label: Label): number;
  /** The matrix of the irrep `label` at `g`. @throws {ArgumentError} on an invalid label. */
  representation(label: Label, g: Element): RepresentationMatrix;
  /** The character `trace(rho_label(g))`. */
  irrepCharacter(label: Label, g: Element): Complex;
  /** Multiplicities of the irreps in the tensor product of `a` and `b`; zeros are omitted. */
  tensorProductMultiplicities(a: Label, b: Label): LabelMultiplicity<Label>[];
  /** A stable text form of a label, such as `2`, `1o` or `[2,1]`; used as a map key. */
  formatLabel(label: Label): string;
  /**
   * Quadrature exact for every function of band limit `bandLimit` (a linear combination of irrep
   * matrix entries of degree at most `bandLimit`). Finite groups return every element with
   * weight `1/order` and ignore the band limit.
   */
  quadrature(bandLimit: number): Quadrature<Element>;
  /**
   * The normalised Haar integral of `f`, exact for band limit `bandLimit` (see {@link quadrature}).
   */
  integrate(f: (g: Element) => number, bandLimit: number): number;
}

/** A finite group: a compact group with finitely many elements. */
export interface FiniteGroup<Element, Label> extends CompactGroup<Element, Label> {
  /** Number of elements. */
  readonly order: number;
  /** Every element, in a fixed order. */
  elements(): Element[];
  /** Conjugacy classes as lists of elements, in a fixed order. */
  conjugacyClasses(): Element[][];
}

/** Tests whether a group is finite, from the presence of `order` and `elements`. */
export function isFiniteGroup<E, L>(group: CompactGroup<E, L>): group is FiniteGroup<E, L> {
  const candidate = group as Partial<FiniteGroup<E, L>>;
  return typeof candidate.order === "number" && typeof candidate.elements === "function";
}

/**
 * A group with unknown element and label types, as stored in a container. Interface methods are
 * bivariant in their parameters, so every `CompactGroup<E, L>` is assignable to it.
 */
export type AnyGroup = CompactGroup<unknown, unknown>;

/**
 * Looks up the group registered under `name` in `container`. The type parameters are not
 * checked, so pass the element and label types of the plugin registered under that name.
 *
 * @throws {ArgumentError} when no group of that name is registered.
 */
export function getGroup<E = unknown, L = unknown>(
  container: Container,
  name: string,
): CompactGroup<E, L> {
  const token = Symbol.for(`covnet.group.${name}`);
  if (!container.isBound(token)) {
    const all = registeredGroups(container)
      .map((g) => g.name)
      .join(", ");
    throw new ArgumentError(`group "${name}" is not registered (registered: ${all || "none"})`);
  }
  return container.get<CompactGroup<E, L>>(token);
}

/**
 * Looks up the finite group registered under `name` in `container`, for example a factor of
 * `directProductModule`.
 *
 * @throws {ArgumentError} when no group of that name is registered or the group is not finite.
 */
export function getFiniteGroup<E = unknown, L = unknown>(
  container: Container,
  name: string,
): FiniteGroup<E, L> {
  const group = getGroup<E, L>(container, name);
  if (!isFiniteGroup(group)) throw new ArgumentError(`group "${name}" is not finite`);
  return group;
}

/** Lists every group registered in `container`, in registration order. */
export function registeredGroups(container: Container): AnyGroup[] {
  return container.isBound(TOKENS.Group) ? container.getAll<AnyGroup>(TOKENS.Group) : [];
}

/** Trace of a representation matrix as a complex number. */
export function traceOf(m: RepresentationMatrix): Complex {
  let re = 0;
  let im = 0;
  for (let i = 0; i < m.dim; i++) {
    re += m.re[i * m.dim + i] as number;
    if (m.im !== null) im += m.im[i * m.dim + i] as number;
  }
  return { re, im };
}

/** Integrates `f` with a quadrature rule. */
export function integrateWith<E>(q: Quadrature<E>, f: (g: E) => number): number {
  let sum = 0;
  q.elements.forEach((g, i) => {
    sum += (q.weights[i] as number) * f(g);
  });
  return sum;
}

/**
 * Tensor product multiplicities of a finite group from characters:
 * `m_c = (1/|G|) sum_g chi_a(g) chi_b(g) conj(chi_c(g))`, rounded to integers.
 */
export function finiteTensorProductMultiplicities<E, L>(
  group: FiniteGroup<E, L>,
  a: L,
  b: L,
): LabelMultiplicity<L>[] {
  const elements = group.elements();
  const out: LabelMultiplicity<L>[] = [];
  for (const c of group.irrepLabels()) {
    let re = 0;
    for (const g of elements) {
      const x = group.irrepCharacter(a, g);
      const y = group.irrepCharacter(b, g);
      const z = group.irrepCharacter(c, g);
      const pr = x.re * y.re - x.im * y.im;
      const pi = x.re * y.im + x.im * y.re;
      re += pr * z.re + pi * z.im;
    }
    const multiplicity = Math.round(re / group.order);
    if (multiplicity > 0) out.push({ label: c, multiplicity });
  }
  return out;
}

/** Uniform quadrature over the elements of a finite group. */
export function finiteQuadrature<E>(elements: readonly E[]): Quadrature<E> {
  return { elements, weights: new Float64Array(elements.length).fill(1 / elements.length) };
}

/**
 * Conjugacy classes of a finite group by brute force, `O(order^2)` compositions: classes in
 * order of their first element in `elements()`.
 */
export function conjugacyClassesOf<E>(group: FiniteGroup<E, unknown>): E[][] {
  const elements = group.elements();
  const seen = new Array<boolean>(elements.length).fill(false);
  const index = (x: E) => elements.findIndex((y) => group.equals(x, y));
  const classes: E[][] = [];
  elements.forEach((x, i) => {
    if (seen[i]) return;
    const members: E[] = [];
    for (const g of elements) {
      const y = group.compose(group.compose(g, x), group.inverse(g));
      const j = index(y);
      if (j >= 0 && !seen[j]) {
        seen[j] = true;
        members.push(elements[j] as E);
      }
    }
    classes.push(members);
  });
  return classes;
}
