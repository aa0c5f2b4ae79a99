/**
 * The circle group SO(2) as a {@link CompactGroup} plugin.
 *
 * @module
 */
import { ArgumentError, bindNamed, type Random, TOKENS } from "@covnet/core";
import { ContainerModule } from "inversify";
import {
  type CompactGroup,
  integrateWith,
  type LabelMultiplicity,
  type Quadrature,
  type RepresentationMatrix,
} from "./group.js";
import type { Complex } from "./matrix.js";

const TWO_PI = 2 * Math.PI;

function normalizeAngle(t: number): number {
  const x = t % TWO_PI;
  return x < 0 ? x + TWO_PI : x;
}

function checkFrequency(k: number): void {
  if (!Number.isSafeInteger(k))
    throw new ArgumentError(`invalid SO(2) irrep label ${k}: expected an integer`);
}

/**
 * SO(2): elements are angles in radians, stored in `[0, 2 pi)`; labels are integer
 * frequencies `k`, and the irrep `k` is the 1x1 complex matrix `e^{i k theta}`.
 */
export class SO2 implements CompactGroup<number, number> {
  readonly name: string = "SO2";

  identity(): number {
    return 0;
  }

  compose(a: number, b: number): number {
    return normalizeAngle(a + b);
  }

  inverse(a: number): number {
    return normalizeAngle(-a);
  }

  /** Equality of angles modulo `2 pi`. */
  equals(a: number, b: number, tolerance = 1e-9): boolean {
    const d = normalizeAngle(a - b);
    return Math.min(d, TWO_PI - d) <= tolerance;
  }

  random(random: Random): number {
    return TWO_PI * random.uniform();
  }

  testingElements(): number[] {
    return [0, 0.3, Math.PI / 2, Math.PI, 4.5, TWO_PI - 1e-9];
  }

  /** Frequencies `-maxDegree..maxDegree` (default 3). */
  irrepLabels(maxDegree = 3): number[] {
    return Array.from({ length: 2 * maxDegree + 1 }, (_, i) => i - maxDegree);
  }

  irrepDim(k: number): number {
    checkFrequency(k);
    return 1;
  }

  representation(k: number, theta: number): RepresentationMatrix {
    checkFrequency(k);
    return {
      dim: 1,
      re: Float64Array.of(Math.cos(k * theta)),
      im: Float64Array.of(Math.sin(k * theta)),
    };
  }

  irrepCharacter(k: number, theta: number): Complex {
    checkFrequency(k);
    return { re: Math.cos(k * theta), im: Math.sin(k * theta) };
  }

  /** `k1 x k2 = k1 + k2`. */
  tensorProductMultiplicities(k1: number, k2: number): LabelMultiplicity<number>[] {
    checkFrequency(k1);
    checkFrequency(k2);
    return [{ label: k1 + k2, multiplicity: 1 }];
  }

  formatLabel(k: number): string {
    return String(k);
  }

  /** `bandLimit + 1` equispaced angles with equal weights, exact for `|k| <= bandLimit`. */
  quadrature(bandLimit: number): Quadrature<number> {
    if (!Number.isSafeInteger(bandLimit) || bandLimit < 0) {
      throw new ArgumentError(`invalid band limit ${bandLimit}: expected an integer >= 0`);
    }
    const n = bandLimit + 1;
    const elements = Array.from({ length: n }, (_, i) => (TWO_PI * i) / n);
    return { elements, weights: new Float64Array(n).fill(1 / n) };
  }

  integrate(f: (g: number) => number, bandLimit: number): number {
    return integrateWith(this.quadrature(bandLimit), f);
  }
}

/**
 * Creates a `ContainerModule` that registers an {@link SO2} instance under `TOKENS.Group` with the
 * name `SO2`.
 *
 * @throws {DuplicateRegistrationError} on load when a group named `SO2` is already registered.
 */
export function so2Module(group: SO2 = new SO2()): ContainerModule {
  return new ContainerModule((options) => {
    bindNamed(options, "group", TOKENS.Group, group.name, group);
  });
}
