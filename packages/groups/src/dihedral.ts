/**
 * The dihedral group D_n (symmetries of a regular n-gon, order 2n) as a {@link FiniteGroup}
 * plugin.
 *
 * @module
 */
import { ArgumentError, bindNamed, type Random, TOKENS } from "@covnet/core";
import { ContainerModule } from "inversify";
import {
  conjugacyClassesOf,
  type FiniteGroup,
  finiteQuadrature,
  finiteTensorProductMultiplicities,
  integrateWith,
  type LabelMultiplicity,
  type Quadrature,
  type RepresentationMatrix,
  traceOf,
} from "./group.js";
import type { Complex } from "./matrix.js";

/**
 * An element `r^rotation s^reflection` of D_n, with `r` the rotation by `2 pi / n` and `s` the
 * reflection across the x axis, so `s r s = r^-1`.
 */
export interface DihedralElement {
  /** Rotation exponent in `0..n-1`. */
  readonly rotation: number;
  /** 1 when the element includes the reflection, else 0. */
  readonly reflection: 0 | 1;
}

/**
 * The dihedral group `D_n` of order `2n`. Irrep labels are `A1` (trivial), `A2` (`-1` on
 * reflections), for even n also `B1` (`(-1)^rotation`) and `B2` (`(-1)^(rotation+reflection)`),
 * and `E1..Em` with `m = floor((n-1)/2)`: the real 2x2 irreps
 * `E_j(r^k s^f) = Rot(2 pi j k / n) diag(1, -1)^f`.
 */
export class DihedralGroup implements FiniteGroup<DihedralElement, string> {
  readonly name: string;
  readonly order: number;

  /** @throws {ArgumentError} unless `n` is an integer >= 1. */
  constructor(readonly n: number) {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new ArgumentError(`invalid dihedral group size ${n}: expected an integer >= 1`);
    }
    this.name = `D${n}`;
    this.order = 2 * n;
  }

  identity(): DihedralElement {
    return { rotation: 0, reflection: 0 };
  }

  compose(a: DihedralElement, b: DihedralElement): DihedralElement {
    const k = a.reflection === 0 ? a.rotation + b.rotation : a.rotation - b.rotation;
    return {
      rotation: ((k % this.n) + this.n) % this.n,
      reflection: a.reflection === b.reflection ? 0 : 1,
    };
  }

  inverse(a: DihedralElement): DihedralElement {
    if (a.reflection === 1) return a;
    return { rotation: (this.n - a.rotation) % this.n, reflection: 0 };
  }

  equals(a: DihedralElement, b: DihedralElement): boolean {
    return a.rotation === b.rotation && a.reflection === b.reflection;
  }

  random(random: Random): DihedralElement {
    return { rotation: random.int(this.n), reflection: random.uniform() < 0.5 ? 0 : 1 };
  }

  testingElements(): DihedralElement[] {
    return this.elements();
  }

  /** Rotations `r^0..r^(n-1)`, then `r^0 s..r^(n-1) s`. */
  elements(): DihedralElement[] {
    const out: DihedralElement[] = [];
    for (const reflection of [0, 1] as const) {
      for (let rotation = 0; rotation < this.n; rotation++) out.push({ rotation, reflection });
    }
    return out;
  }

  conjugacyClasses(): DihedralElement[][] {
    return conjugacyClassesOf(this);
  }

  irrepLabels(): string[] {
    const labels = ["A1", "A2"];
    if (this.n % 2 === 0) labels.push("B1", "B2");
    for (let j = 1; j <= Math.floor((this.n - 1) / 2); j++) labels.push(`E${j}`);
    return labels;
  }

  irrepDim(label: string): number {
    return this.#parse(label).dim;
  }

  #parse(label: string): { dim: number; j: number } {
    if (!this.irrepLabels().includes(label)) {
      throw new ArgumentError(
        `invalid irrep label "${label}" of ${this.name}: expected one of ${this.irrepLabels().join(", ")}`,
      );
    }
    return label.startsWith("E") ? { dim: 2, j: Number(label.slice(1)) } : { dim: 1, j: 0 };
  }

  representation(label: string, g: DihedralElement): RepresentationMatrix {
    const { dim, j } = this.#parse(label);
    if (dim === 1) {
      const sign =
        label === "A1"
          ? 1
          : label === "A2"
            ? 1 - 2 * g.reflection
            : label === "B1"
              ? (-1) ** g.rotation
              : (-1) ** (g.rotation + g.reflection);
      return { dim: 1, re: Float64Array.of(sign), im: null };
    }
    const t = (2 * Math.PI * ((j * g.rotation) % this.n)) / this.n;
    const c = Math.cos(t);
    const s = Math.sin(t);
    const f = g.reflection === 1 ? -1 : 1;
    return { dim: 2, re: Float64Array.of(c, -s * f, s, c * f), im: null };
  }

  irrepCharacter(label: string, g: DihedralElement): Complex {
    return traceOf(this.representation(label, g));
  }

  tensorProductMultiplicities(a: string, b: string): LabelMultiplicity<string>[] {
    return finiteTensorProductMultiplicities(this, a, b);
  }

  formatLabel(label: string): string {
    return label;
  }

  quadrature(): Quadrature<DihedralElement> {
    return finiteQuadrature(this.elements());
  }

  /** The mean of `f` over the group. */
  integrate(f: (g: DihedralElement) => number): number {
    return integrateWith(this.quadrature(), f);
  }
}

/**
 * Creates a `ContainerModule` that registers `new DihedralGroup(n)` under `TOKENS.Group` with the
 * name `Dn`.
 *
 * @throws {DuplicateRegistrationError} on load when a group of that name is already registered.
 */
export function dihedralGroupModule(n: number): ContainerModule {
  const group = new DihedralGroup(n);
  return new ContainerModule((options) => {
    bindNamed(options, "group", TOKENS.Group, group.name, group);
  });
}
