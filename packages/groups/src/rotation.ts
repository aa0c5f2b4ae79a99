/**
 * Rotation matrices of SO(3) and their parametrisations: ZYZ Euler angles, axis-angle and unit
 * quaternions.
 *
 * Rotations act actively on column vectors. A rotation matrix is a row-major `Float64Array` of
 * length 9, so entry `(i, j)` is `R[3*i + j]`.
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";

/** A 3x3 matrix, row-major, length 9. */
export type Matrix3 = Float64Array;

/** ZYZ Euler angles in radians: `R = Rz(alpha) Ry(beta) Rz(gamma)`. */
export interface EulerAngles {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
}

/** A unit quaternion `w + x i + y j + z k`. */
export interface Quaternion {
  readonly w: number;
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** An axis (unit vector) and an angle in radians, rotating counter-clockwise about the axis. */
export interface AxisAngle {
  readonly axis: readonly [number, number, number];
  readonly angle: number;
}

/** Checks that `m` has 9 finite entries. @throws {ArgumentError} otherwise. */
export function checkMatrix3(m: ArrayLike<number>, name = "matrix"): void {
  if (m.length !== 9)
    throw new ArgumentError(`${name} must have 9 entries (3x3 row-major), got ${m.length}`);
  for (let i = 0; i < 9; i++) {
    if (!Number.isFinite(m[i]))
      throw new ArgumentError(`${name} entry ${i} is not finite: ${m[i]}`);
  }
}

/** Copies rows `[[a, b, c], [d, e, f], [g, h, i]]` into a row-major 3x3 matrix. */
export function matrix3(rows: readonly (readonly number[])[]): Matrix3 {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) out[3 * i + j] = rows[i]?.[j] ?? Number.NaN;
  checkMatrix3(out);
  return out;
}

/** The product `a b` of two 3x3 matrices. */
export function matmul3(a: ArrayLike<number>, b: ArrayLike<number>): Matrix3 {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[3 * i + j] =
        (a[3 * i] as number) * (b[j] as number) +
        (a[3 * i + 1] as number) * (b[3 + j] as number) +
        (a[3 * i + 2] as number) * (b[6 + j] as number);
    }
  }
  return out;
}

/** The transpose of a 3x3 matrix, which is the inverse of a rotation. */
export function transpose3(a: ArrayLike<number>): Matrix3 {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[3 * i + j] = a[3 * j + i] as number;
  return out;
}

/** The determinant of a 3x3 matrix. */
export function det3(a: ArrayLike<number>): number {
  const m = (i: number) => a[i] as number;
  return (
    m(0) * (m(4) * m(8) - m(5) * m(7)) -
    m(1) * (m(3) * m(8) - m(5) * m(6)) +
    m(2) * (m(3) * m(7) - m(4) * m(6))
  );
}

/** `Rz(t)`: rotation by `t` radians about +z, `[[c, -s, 0], [s, c, 0], [0, 0, 1]]`. */
export function rotationZ(t: number): Matrix3 {
  const c = Math.cos(t);
  const s = Math.sin(t);
  return Float64Array.of(c, -s, 0, s, c, 0, 0, 0, 1);
}

/** `Ry(t)`: rotation by `t` radians about +y, `[[c, 0, s], [0, 1, 0], [-s, 0, c]]`. */
export function rotationY(t: number): Matrix3 {
  const c = Math.cos(t);
  const s = Math.sin(t);
  return Float64Array.of(c, 0, s, 0, 1, 0, -s, 0, c);
}

/** `Rx(t)`: rotation by `t` radians about +x, `[[1, 0, 0], [0, c, -s], [0, s, c]]`. */
export function rotationX(t: number): Matrix3 {
  const c = Math.cos(t);
  const s = Math.sin(t);
  return Float64Array.of(1, 0, 0, 0, c, -s, 0, s, c);
}

/** The rotation `R = Rz(alpha) Ry(beta) Rz(gamma)` (gamma is applied to a vector first). */
export function eulerToMatrix(alpha: number, beta: number, gamma: number): Matrix3 {
  const ca = Math.cos(alpha);
  const sa = Math.sin(alpha);
  const cb = Math.cos(beta);
  const sb = Math.sin(beta);
  const cc = Math.cos(gamma);
  const sc = Math.sin(gamma);
  return Float64Array.of(
    ca * cb * cc - sa * sc,
    -ca * cb * sc - sa * cc,
    ca * sb,
    sa * cb * cc + ca * sc,
    -sa * cb * sc + ca * cc,
    sa * sb,
    -sb * cc,
    sb * sc,
    cb,
  );
}

/**
 * ZYZ Euler angles of a rotation matrix, with `beta` in `[0, pi]` and `alpha`, `gamma` in
 * `(-pi, pi]` (up to the usual ambiguity at `beta = 0` or `pi`, where only `alpha + gamma`,
 * respectively `alpha - gamma`, is determined).
 *
 * Near the poles the individual angles are ill-conditioned. `alpha` is read from the third
 * column; then `gamma` follows from the well-conditioned combination of the upper-left block:
 * `alpha + gamma` for `beta <= pi/2` and `alpha - gamma` otherwise. Errors in the remaining,
 * ill-conditioned combination are damped by `sin(beta)` in every function of the rotation, so
 * `R` is reproduced to rounding error.
 */
export function matrixToEuler(r: ArrayLike<number>): EulerAngles {
  const m = (i: number) => r[i] as number;
  const sinBeta = 0.5 * (Math.hypot(m(2), m(5)) + Math.hypot(m(6), m(7)));
  const beta = Math.atan2(sinBeta, m(8));
  const alpha = Math.atan2(m(5), m(2));
  let gamma: number;
  if (m(8) >= 0) {
    // R00 + R11 = (1 + cos beta) cos(alpha + gamma), R10 - R01 = (1 + cos beta) sin(alpha + gamma).
    gamma = Math.atan2(m(3) - m(1), m(0) + m(4)) - alpha;
  } else {
    // R11 - R00 = (1 - cos beta) cos(alpha - gamma), -(R10 + R01) = (1 - cos beta) sin(alpha - gamma).
    gamma = alpha - Math.atan2(-(m(3) + m(1)), m(4) - m(0));
  }
  return { alpha, beta, gamma: wrapAngle(gamma) };
}

/** Maps an angle into `(-pi, pi]`. */
export function wrapAngle(t: number): number {
  let x = t % (2 * Math.PI);
  if (x > Math.PI) x -= 2 * Math.PI;
  if (x <= -Math.PI) x += 2 * Math.PI;
  return x;
}

/**
 * The rotation by `angle` radians about `axis` (Rodrigues' formula). The axis is normalised.
 *
 * @throws {ArgumentError} when the axis has zero or non-finite length.
 */
export function axisAngleToMatrix(axis: readonly number[], angle: number): Matrix3 {
  const [x0 = 0, y0 = 0, z0 = 0] = axis;
  const n = Math.hypot(x0, y0, z0);
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new ArgumentError(`rotation axis [${axis.join(", ")}] must be a non-zero finite vector`);
  }
  const w = Math.cos(angle / 2);
  const s = Math.sin(angle / 2) / n;
  return quaternionToMatrix({ w, x: x0 * s, y: y0 * s, z: z0 * s });
}

/** Axis and angle in `[0, pi]` of a rotation matrix; the identity returns axis +z, angle 0. */
export function matrixToAxisAngle(r: ArrayLike<number>): AxisAngle {
  const q = matrixToQuaternion(r);
  const s = Math.hypot(q.x, q.y, q.z);
  if (s === 0) return { axis: [0, 0, 1], angle: 0 };
  const angle = 2 * Math.atan2(s, q.w);
  return { axis: [q.x / s, q.y / s, q.z / s], angle };
}

/**
 * The rotation of a unit quaternion; `q` and `-q` give the same rotation. The quaternion is
 * normalised first.
 *
 * @throws {ArgumentError} when `q` is zero or not finite.
 */
export function quaternionToMatrix(q: Quaternion): Matrix3 {
  const n = Math.hypot(q.w, q.x, q.y, q.z);
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new ArgumentError(
      `quaternion (${q.w}, ${q.x}, ${q.y}, ${q.z}) must be non-zero and finite`,
    );
  }
  const w = q.w / n;
  const x = q.x / n;
  const y = q.y / n;
  const z = q.z / n;
  return Float64Array.of(
    1 - 2 * (y * y + z * z),
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    1 - 2 * (x * x + z * z),
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    1 - 2 * (x * x + y * y),
  );
}

/**
 * The unit quaternion of a rotation matrix, with `w >= 0` (Shepperd's method, which divides by
 * the largest of the four candidate components).
 */
export function matrixToQuaternion(r: ArrayLike<number>): Quaternion {
  const m = (i: number) => r[i] as number;
  const trace = m(0) + m(4) + m(8);
  let w: number;
  let x: number;
  let y: number;
  let z: number;
  if (trace >= m(0) && trace >= m(4) && trace >= m(8)) {
    const s = 2 * Math.sqrt(Math.max(0, 1 + trace));
    w = s / 4;
    x = (m(7) - m(5)) / s;
    y = (m(2) - m(6)) / s;
    z = (m(3) - m(1)) / s;
  } else if (m(0) >= m(4) && m(0) >= m(8)) {
    const s = 2 * Math.sqrt(Math.max(0, 1 + m(0) - m(4) - m(8)));
    w = (m(7) - m(5)) / s;
    x = s / 4;
    y = (m(1) + m(3)) / s;
    z = (m(2) + m(6)) / s;
  } else if (m(4) >= m(8)) {
    const s = 2 * Math.sqrt(Math.max(0, 1 + m(4) - m(0) - m(8)));
    w = (m(2) - m(6)) / s;
    x = (m(1) + m(3)) / s;
    y = s / 4;
    z = (m(5) + m(7)) / s;
  } else {
    const s = 2 * Math.sqrt(Math.max(0, 1 + m(8) - m(0) - m(4)));
    w = (m(3) - m(1)) / s;
    x = (m(2) + m(6)) / s;
    y = (m(5) + m(7)) / s;
    z = s / 4;
  }
  if (w < 0) return { w: -w, x: -x, y: -y, z: -z };
  return { w, x, y, z };
}
