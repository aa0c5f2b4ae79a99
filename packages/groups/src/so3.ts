/**
 * The rotation group SO(3) as a {@link CompactGroup} plugin.
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
import { gaussLegendre } from "./internal/quadrature.js";
import type { Complex } from "./matrix.js";
import {
  type AxisAngle,
  axisAngleToMatrix,
  type EulerAngles,
  eulerToMatrix,
  type Matrix3,
  matmul3,
  matrixToAxisAngle,
  matrixToEuler,
  matrixToQuaternion,
  type Quaternion,
  quaternionToMatrix,
  transpose3,
} from "./rotation.js";
import { realWignerD } from "./wigner.js";

/** Checks an irrep degree. @throws {ArgumentError} unless `l` is an integer >= 0. */
export function checkDegreeLabel(l: number): void {
  if (!Number.isSafeInteger(l) || l < 0) {
    throw new ArgumentError(`invalid SO(3) irrep label l = ${l}: expected an integer >= 0`);
  }
}

/** `chi_l(theta) = sum_{m=-l..l} cos(m theta)` for a rotation by `theta`. */
export function so3Character(l: number, theta: number): number {
  let s = 1;
  for (let m = 1; m <= l; m++) s += 2 * Math.cos(m * theta);
  return s;
}

/** Returns a fixed list of rotations covering the axes, half turns, poles and generic angles. */
export function so3TestingRotations(): Matrix3[] {
  return [
    eulerToMatrix(0, 0, 0),
    eulerToMatrix(0.1, 0.2, 0.3),
    eulerToMatrix(-2.1, 1.3, 0.7),
    eulerToMatrix(Math.PI / 2, 0, 0),
    eulerToMatrix(0, Math.PI / 2, 0),
    eulerToMatrix(0, Math.PI, 0),
    eulerToMatrix(0.4, 1e-9, -1.1),
    eulerToMatrix(2.5, Math.PI - 1e-9, 0.9),
    axisAngleToMatrix([1, 1, 1], (2 * Math.PI) / 3),
    axisAngleToMatrix([1, -2, 0.5], 3.0),
  ];
}

/** Draws a Haar-random rotation as the rotation of a uniformly random unit quaternion. */
export function randomRotation(random: Random): Matrix3 {
  return quaternionToMatrix({
    w: random.normal(),
    x: random.normal(),
    y: random.normal(),
    z: random.normal(),
  });
}

/**
 * Quadrature on SO(3) over ZYZ Euler angles: `N = bandLimit + 1` equispaced `alpha` and `gamma`
 * values and `floor(bandLimit / 2) + 1` Gauss-Legendre nodes in `cos(beta)`. Exact for every
 * linear combination of Wigner D entries with `l <= bandLimit`.
 */
export function so3Quadrature(bandLimit: number): Quadrature<Matrix3> {
  if (!Number.isSafeInteger(bandLimit) || bandLimit < 0) {
    throw new ArgumentError(`invalid band limit ${bandLimit}: expected an integer >= 0`);
  }
  const n = bandLimit + 1;
  const gl = gaussLegendre(Math.floor(bandLimit / 2) + 1);
  const elements: Matrix3[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < gl.nodes.length; b++) {
      const beta = Math.acos(gl.nodes[b] as number);
      for (let j = 0; j < n; j++) {
        elements.push(eulerToMatrix((2 * Math.PI * i) / n, beta, (2 * Math.PI * j) / n));
        weights.push((gl.weights[b] as number) / (2 * n * n));
      }
    }
  }
  return { elements, weights: Float64Array.from(weights) };
}

/**
 * SO(3): elements are 3x3 rotation matrices (row-major `Float64Array`, acting on column
 * vectors); labels are degrees `l >= 0`. The irrep `l` is the real Wigner D matrix
 * {@link realWignerD} in the real spherical-harmonic basis (m = -l..l, `l = 1` ordered
 * `(y, z, x)`), which is real orthogonal.
 */
export class SO3 implements CompactGroup<Matrix3, number> {
  readonly name: string = "SO3";

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

  random(random: Random): Matrix3 {
    return randomRotation(random);
  }

  testingElements(): Matrix3[] {
    return so3TestingRotations();
  }

  /** Degrees `0..maxDegree` (default 4). */
  irrepLabels(maxDegree = 4): number[] {
    return Array.from({ length: maxDegree + 1 }, (_, l) => l);
  }

  irrepDim(l: number): number {
    checkDegreeLabel(l);
    return 2 * l + 1;
  }

  representation(l: number, g: Matrix3): RepresentationMatrix {
    checkDegreeLabel(l);
    return { dim: 2 * l + 1, re: realWignerD(l, g), im: null };
  }

  irrepCharacter(l: number, g: Matrix3): Complex {
    checkDegreeLabel(l);
    return { re: so3Character(l, matrixToAxisAngle(g).angle), im: 0 };
  }

  /** `l1 x l2 = |l1 - l2| + ... + (l1 + l2)`, each once. */
  tensorProductMultiplicities(l1: number, l2: number): LabelMultiplicity<number>[] {
    checkDegreeLabel(l1);
    checkDegreeLabel(l2);
    const out: LabelMultiplicity<number>[] = [];
    for (let l = Math.abs(l1 - l2); l <= l1 + l2; l++) out.push({ label: l, multiplicity: 1 });
    return out;
  }

  formatLabel(l: number): string {
    return String(l);
  }

  quadrature(bandLimit: number): Quadrature<Matrix3> {
    return so3Quadrature(bandLimit);
  }

  integrate(f: (g: Matrix3) => number, bandLimit: number): number {
    return integrateWith(this.quadrature(bandLimit), f);
  }

  /** `Rz(alpha) Ry(beta) Rz(gamma)`. */
  fromEuler(alpha: number, beta: number, gamma: number): Matrix3 {
    return eulerToMatrix(alpha, beta, gamma);
  }

  /** ZYZ Euler angles with `beta` in `[0, pi]`. */
  toEuler(g: Matrix3): EulerAngles {
    return matrixToEuler(g);
  }

  /** Rotation by `angle` radians about `axis` (normalised). */
  fromAxisAngle(axis: readonly number[], angle: number): Matrix3 {
    return axisAngleToMatrix(axis, angle);
  }

  /** Axis and angle in `[0, pi]`. */
  toAxisAngle(g: Matrix3): AxisAngle {
    return matrixToAxisAngle(g);
  }

  /** Rotation of a unit quaternion (normalised first). */
  fromQuaternion(q: Quaternion): Matrix3 {
    return quaternionToMatrix(q);
  }

  /** Unit quaternion with `w >= 0`. */
  toQuaternion(g: Matrix3): Quaternion {
    return matrixToQuaternion(g);
  }
}

/**
 * Creates a `ContainerModule` that registers an {@link SO3} instance under `TOKENS.Group` with the
 * name `SO3`.
 *
 * @throws {DuplicateRegistrationError} on load when a group named `SO3` is already registered.
 */
export function so3Module(group: SO3 = new SO3()): ContainerModule {
  return new ContainerModule((options) => {
    bindNamed(options, "group", TOKENS.Group, group.name, group);
  });
}
