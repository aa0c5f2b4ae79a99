/**
 * Direct products of finite groups as a {@link FiniteGroup} plugin.
 *
 * @module
 */
import { bindNamed, type Random, TOKENS } from "@covnet/core";
import { ContainerModule } from "inversify";
import {
  type FiniteGroup,
  finiteQuadrature,
  integrateWith,
  type LabelMultiplicity,
  type Quadrature,
  type RepresentationMatrix,
} from "./group.js";
import type { Complex } from "./matrix.js";

/**
 * The direct product `G x H` of two finite groups, named `GxH` (for example `C2xS3`). Elements
 * and labels are pairs; the irrep `(a, b)` is the Kronecker product `rho_a(g) (x) rho_b(h)`, with
 * the index of `H`'s basis running fastest. Classes are products of classes.
 */
export class DirectProductGroup<E1, L1, E2, L2> implements FiniteGroup<[E1, E2], [L1, L2]> {
  readonly name: string;
  readonly order: number;

  constructor(
    readonly left: FiniteGroup<E1, L1>,
    readonly right: FiniteGroup<E2, L2>,
  ) {
    this.name = `${left.name}x${right.name}`;
    this.order = left.order * right.order;
  }

  identity(): [E1, E2] {
    return [this.left.identity(), this.right.identity()];
  }

  compose(a: [E1, E2], b: [E1, E2]): [E1, E2] {
    return [this.left.compose(a[0], b[0]), this.right.compose(a[1], b[1])];
  }

  inverse(a: [E1, E2]): [E1, E2] {
    return [this.left.inverse(a[0]), this.right.inverse(a[1])];
  }

  equals(a: [E1, E2], b: [E1, E2], tolerance?: number): boolean {
    return this.left.equals(a[0], b[0], tolerance) && this.right.equals(a[1], b[1], tolerance);
  }

  random(random: Random): [E1, E2] {
    return [this.left.random(random), this.right.random(random)];
  }

  /** Every pair of testing elements of the factors. */
  testingElements(): [E1, E2][] {
    const out: [E1, E2][] = [];
    for (const g of this.left.testingElements())
      for (const h of this.right.testingElements()) out.push([g, h]);
    return out;
  }

  /** Pairs, with the right factor's element running fastest. */
  elements(): [E1, E2][] {
    const out: [E1, E2][] = [];
    for (const g of this.left.elements()) for (const h of this.right.elements()) out.push([g, h]);
    return out;
  }

  conjugacyClasses(): [E1, E2][][] {
    const out: [E1, E2][][] = [];
    for (const a of this.left.conjugacyClasses()) {
      for (const b of this.right.conjugacyClasses()) {
        const members: [E1, E2][] = [];
        for (const g of a) for (const h of b) members.push([g, h]);
        out.push(members);
      }
    }
    return out;
  }

  irrepLabels(): [L1, L2][] {
    const out: [L1, L2][] = [];
    for (const a of this.left.irrepLabels())
      for (const b of this.right.irrepLabels()) out.push([a, b]);
    return out;
  }

  irrepDim(label: [L1, L2]): number {
    return this.left.irrepDim(label[0]) * this.right.irrepDim(label[1]);
  }

  representation(label: [L1, L2], g: [E1, E2]): RepresentationMatrix {
    const a = this.left.representation(label[0], g[0]);
    const b = this.right.representation(label[1], g[1]);
    const dim = a.dim * b.dim;
    const re = new Float64Array(dim * dim);
    const complex = a.im !== null || b.im !== null;
    const im = complex ? new Float64Array(dim * dim) : null;
    for (let i = 0; i < a.dim; i++) {
      for (let j = 0; j < a.dim; j++) {
        const xr = a.re[i * a.dim + j] as number;
        const xi = a.im === null ? 0 : (a.im[i * a.dim + j] as number);
        for (let k = 0; k < b.dim; k++) {
          for (let l = 0; l < b.dim; l++) {
            const yr = b.re[k * b.dim + l] as number;
            const yi = b.im === null ? 0 : (b.im[k * b.dim + l] as number);
            const at = (i * b.dim + k) * dim + j * b.dim + l;
            re[at] = xr * yr - xi * yi;
            if (im !== null) im[at] = xr * yi + xi * yr;
          }
        }
      }
    }
    return { dim, re, im };
  }

  irrepCharacter(label: [L1, L2], g: [E1, E2]): Complex {
    const x = this.left.irrepCharacter(label[0], g[0]);
    const y = this.right.irrepCharacter(label[1], g[1]);
    return { re: x.re * y.re - x.im * y.im, im: x.re * y.im + x.im * y.re };
  }

  /** Products of the factors' multiplicities. */
  tensorProductMultiplicities(a: [L1, L2], b: [L1, L2]): LabelMultiplicity<[L1, L2]>[] {
    const out: LabelMultiplicity<[L1, L2]>[] = [];
    for (const x of this.left.tensorProductMultiplicities(a[0], b[0])) {
      for (const y of this.right.tensorProductMultiplicities(a[1], b[1])) {
        out.push({ label: [x.label, y.label], multiplicity: x.multiplicity * y.multiplicity });
      }
    }
    return out;
  }

  formatLabel(label: [L1, L2]): string {
    return `(${this.left.formatLabel(label[0])}, ${this.right.formatLabel(label[1])})`;
  }

  quadrature(): Quadrature<[E1, E2]> {
    return finiteQuadrature(this.elements());
  }

  /** The mean of `f` over the group. */
  integrate(f: (g: [E1, E2]) => number): number {
    return integrateWith(this.quadrature(), f);
  }
}

/**
 * Creates a `ContainerModule` that registers the direct product of two finite groups under
 * `TOKENS.Group` with the name `GxH`. Use `getFiniteGroup` to fetch factors already registered
 * in a container.
 *
 * @throws {DuplicateRegistrationError} on load when a group of that name is already registered.
 */
export function directProductModule<E1, L1, E2, L2>(
  left: FiniteGroup<E1, L1>,
  right: FiniteGroup<E2, L2>,
): ContainerModule {
  const group = new DirectProductGroup(left, right);
  return new ContainerModule((options) => {
    bindNamed(options, "group", TOKENS.Group, group.name, group);
  });
}
