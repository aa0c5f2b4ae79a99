/**
 * The orthogonal group O(3) = SO(3) x {1, -1} as a {@link CompactGroup} plugin.
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
import { formatIrrep, type Irrep } from "./irreps.js";
import type { Complex } from "./matrix.js";
import { det3, type Matrix3, matmul3, matrixToAxisAngle, transpose3 } from "./rotation.js";
import { randomRotation, so3Character, so3Quadrature, so3TestingRotations } from "./so3.js";
import { realWignerD } from "./wigner.js";

function checkO3Label(label: Irrep): void {
  if (!Number.isSafeInteger(label.l) || label.l < 0 || (label.p !== 1 && label.p !== -1)) {
    throw new ArgumentError(
      `invalid O(3) irrep label ${JSON.stringify(label)}: expected l >= 0 and p = 1 or -1`,
    );
  }
}

function rotationPart(g: Matrix3): { rotation: Matrix3; inverted: boolean } {
  if (det3(g) > 0) return { rotation: g, inverted: false };
  return { rotation: g.map((v) => -v), inverted: true };
}

/**
 * O(3): elements are 3x3 orthogonal matrices `g = s R` with `R` a rotation and `s = det g = +-1`
 * (`s = -1` is the inversion `x -> -x` combined with `R`). Labels are `{ l, p }` with
 * `p = 1` (even, `e`) or `-1` (odd, `o`); the irrep is `D_real^l(R)` times `p` when `s = -1`,
 * so vectors are `1o` and pseudovectors `1e`.
 */
export class O3 implements CompactGroup<Matrix3, Irrep> {
  readonly name: string = "O3";

  identity(): Matrix3 {
    return Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  }

  compose(a: Matrix3, b: Matrix3): Matrix3 {
    return matmul3(a, b);
  }

  inverse(a: Matrix3): Matrix3 {
    return transpose3(a);
  }

  equals(a: Matrix3, b: Matrix3, tolerance = 1e-9): boolean {
    for (let i = 0; i < 9; i++)
      if (Math.abs((a[i] as number) - (b[i] as number)) > tolerance) return false;
    return true;
  }

  /** A Haar-random rotation, inverted with probability 1/2. */
  random(random: Random): Matrix3 {
    const r = randomRotation(random);
    return random.uniform() < 0.5 ? r : r.map((v) => -v);
  }

  testingElements(): Matrix3[] {
    const rotations = so3TestingRotations();
    return [...rotations, ...rotations.slice(0, 4).map((r) => r.map((v) => -v))];
  }

  /** `(l, e)` and `(l, o)` for `l = 0..maxDegree` (default 3), even first. */
  irrepLabels(maxDegree = 3): Irrep[] {
    const out: Irrep[] = [];
    for (let l = 0; l <= maxDegree; l++) out.push({ l, p: 1 }, { l, p: -1 });
    return out;
  }

  irrepDim(label: Irrep): number {
    checkO3Label(label);
    return 2 * label.l + 1;
  }

  representation(label: Irrep, g: Matrix3): RepresentationMatrix {
    checkO3Label(label);
    const { rotation, inverted } = rotationPart(g);
    const d = realWignerD(label.l, rotation);
    if (inverted && label.p === -1) for (let i = 0; i < d.length; i++) d[i] = -(d[i] as number);
    return { dim: 2 * label.l + 1, re: d, im: null };
  }

  irrepCharacter(label: Irrep, g: Matrix3): Complex {
    checkO3Label(label);
    const { rotation, inverted } = rotationPart(g);
    const chi = so3Character(label.l, matrixToAxisAngle(rotation).angle);
    return { re: inverted && label.p === -1 ? -chi : chi, im: 0 };
  }

  /** `(l1, p1) x (l2, p2) = sum over |l1-l2| <= l <= l1+l2 of (l, p1 p2)`. */
  tensorProductMultiplicities(a: Irrep, b: Irrep): LabelMultiplicity<Irrep>[] {
    checkO3Label(a);
    checkO3Label(b);
    const p = a.p === b.p ? 1 : -1;
    const out: LabelMultiplicity<Irrep>[] = [];
    for (let l = Math.abs(a.l - b.l); l <= a.l + b.l; l++)
      out.push({ label: { l, p }, multiplicity: 1 });
    return out;
  }

  formatLabel(label: Irrep): string {
    return formatIrrep(label);
  }

  /** The SO(3) rule of {@link so3Quadrature} on both cosets, each with half the weight. */
  quadrature(bandLimit: number): Quadrature<Matrix3> {
    const q = so3Quadrature(bandLimit);
    const elements = [...q.elements, ...q.elements.map((r) => r.map((v) => -v))];
    const weights = new Float64Array(elements.length);
    q.weights.forEach((w, i) => {
      weights[i] = w / 2;
      weights[i + q.weights.length] = w / 2;
    });
    return { elements, weights };
  }

  integrate(f: (g: Matrix3) => number, bandLimit: number): number {
    return integrateWith(this.quadrature(bandLimit), f);
  }

  /** The element `s R` for a rotation `R` and parity `s` (`-1` includes the inversion). */
  fromRotation(rotation: Matrix3, parity: 1 | -1 = 1): Matrix3 {
    return parity === 1 ? rotation.slice() : rotation.map((v) => -v);
  }

  /** The rotation `R` and parity `s = det g` of `g = s R`. */
  toRotation(g: Matrix3): { rotation: Matrix3; parity: 1 | -1 } {
    const { rotation, inverted } = rotationPart(g);
    return { rotation: rotation.slice(), parity: inverted ? -1 : 1 };
  }
}

/**
 * Creates a `ContainerModule` that registers an {@link O3} instance under `TOKENS.Group` with the
 * name `O3`.
 *
 * @throws {DuplicateRegistrationError} on load when a group named `O3` is already registered.
 */
export function o3Module(group: O3 = new O3()): ContainerModule {
  return new ContainerModule((options) => {
    bindNamed(options, "group", TOKENS.Group, group.name, group);
  });
}
