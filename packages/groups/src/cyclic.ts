/**
 * The cyclic group C_n as a {@link FiniteGroup} plugin.
 *
 * @module
 */
import { ArgumentError, bindNamed, type Random, TOKENS } from "@covnet/core";
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
 * The cyclic group `C_n = Z/nZ`: elements are integers `0..n-1` under addition modulo n;
 * labels are `k = 0..n-1`, and the irrep `k` is the 1x1 complex matrix `e^{2 pi i j k / n}` at
 * element `j`.
 */
export class CyclicGroup implements FiniteGroup<number, number> {
  readonly name: string;
  readonly order: number;

  /** @throws {ArgumentError} unless `n` is an integer >= 1. */
  constructor(readonly n: number) {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new ArgumentError(`invalid cyclic group order ${n}: expected an integer >= 1`);
    }
    this.name = `C${n}`;
    this.order = n;
  }

  #check(x: number, what: string): void {
    if (!Number.isSafeInteger(x) || x < 0 || x >= this.n) {
      throw new ArgumentError(
        `invalid ${what} ${x} of ${this.name}: expected an integer in 0..${this.n - 1}`,
      );
    }
  }

  identity(): number {
    return 0;
  }

  compose(a: number, b: number): number {
    return (a + b) % this.n;
  }

  inverse(a: number): number {
    return (this.n - a) % this.n;
  }

  equals(a: number, b: number): boolean {
    return a === b;
  }

  random(random: Random): number {
    return random.int(this.n);
  }

  testingElements(): number[] {
    return this.elements();
  }

  elements(): number[] {
    return Array.from({ length: this.n }, (_, j) => j);
  }

  /** Singletons, because the group is abelian. */
  conjugacyClasses(): number[][] {
    return this.elements().map((j) => [j]);
  }

  irrepLabels(): number[] {
    return this.elements();
  }

  irrepDim(k: number): number {
    this.#check(k, "irrep label");
    return 1;
  }

  representation(k: number, j: number): RepresentationMatrix {
    const c = this.irrepCharacter(k, j);
    return { dim: 1, re: Float64Array.of(c.re), im: Float64Array.of(c.im) };
  }

  irrepCharacter(k: number, j: number): Complex {
    this.#check(k, "irrep label");
    this.#check(j, "element");
    const t = (2 * Math.PI * ((j * k) % this.n)) / this.n;
    return { re: Math.cos(t), im: Math.sin(t) };
  }

  /** `k1 x k2 = (k1 + k2) mod n`. */
  tensorProductMultiplicities(a: number, b: number): LabelMultiplicity<number>[] {
    this.#check(a, "irrep label");
    this.#check(b, "irrep label");
    return [{ label: (a + b) % this.n, multiplicity: 1 }];
  }

  formatLabel(k: number): string {
    return String(k);
  }

  quadrature(): Quadrature<number> {
    return finiteQuadrature(this.elements());
  }

  /** The mean of `f` over the group. */
  integrate(f: (g: number) => number): number {
    return integrateWith(this.quadrature(), f);
  }
}

/**
 * Creates a `ContainerModule` that registers `new CyclicGroup(n)` under `TOKENS.Group` with the
 * name `Cn`.
 *
 * @throws {DuplicateRegistrationError} on load when a group of that name is already registered.
 */
export function cyclicGroupModule(n: number): ContainerModule {
  const group = new CyclicGroup(n);
  return new ContainerModule((options) => {
    bindNamed(options, "group", TOKENS.Group, group.name, group);
  });
}
