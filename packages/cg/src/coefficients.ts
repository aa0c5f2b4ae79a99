/**
 * Exact SO(3) coupling coefficients: Wigner 3j symbols and Clebsch-Gordan coefficients in the
 * complex (Condon-Shortley) basis, and the real-basis CG tensors used by CG products.
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";
import { signedSqrtRational, wigner3jExact } from "./internal/exact.js";

function doubled(name: string, value: number): number {
  const twice = value * 2;
  if (!Number.isSafeInteger(twice)) {
    throw new ArgumentError(`invalid ${name} = ${value}: expected an integer or half-integer`);
  }
  return twice;
}

function doubledMomentum(name: string, value: number): number {
  const twice = doubled(name, value);
  if (twice < 0) throw new ArgumentError(`invalid ${name} = ${value}: expected ${name} >= 0`);
  return twice;
}

const cache3j = new Map<string, number>();

/**
 * The Wigner 3j symbol `(j1 j2 j3; m1 m2 m3)` with the usual phase, correctly rounded to float64.
 *
 * Computed from Racah's formula in exact BigInt arithmetic with one final rounding, so tiny
 * values such as `(20 20 40; 20 -20 0) = 3.39e-13` keep full relative accuracy and accidental
 * zeros are exactly `0`. Arguments may be integers or half-integers; there is no maximum `j`.
 * Results are cached.
 *
 * @returns 0 whenever a selection rule fails: `m1 + m2 + m3 != 0`, `|mi| > ji`, `ji - mi` not an
 *   integer, or `j1, j2, j3` violating the triangle rule.
 * @throws {ArgumentError} when an argument is not an integer or half-integer, or a `j` is negative.
 */
export function wigner3j(
  j1: number,
  j2: number,
  j3: number,
  m1: number,
  m2: number,
  m3: number,
): number {
  const tj1 = doubledMomentum("j1", j1);
  const tj2 = doubledMomentum("j2", j2);
  const tj3 = doubledMomentum("j3", j3);
  const tm1 = doubled("m1", m1);
  const tm2 = doubled("m2", m2);
  const tm3 = doubled("m3", m3);
  const key = `${tj1},${tj2},${tj3},${tm1},${tm2},${tm3}`;
  const cached = cache3j.get(key);
  if (cached !== undefined) return cached;
  const r = wigner3jExact(tj1, tj2, tj3, tm1, tm2, tm3);
  const value = signedSqrtRational(r.sign, r.num, r.den);
  cache3j.set(key, value);
  return value;
}

const cacheCG = new Map<string, number>();

/**
 * The Clebsch-Gordan coefficient `<l1 m1; l2 m2 | l m>` in the complex basis with the
 * Condon-Shortley phase (the stretched coefficient `<l1 l1; l2 (l-l1) | l l>` is positive),
 * correctly rounded to float64 from exact arithmetic and cached.
 *
 * It equals `(-1)^(l1 - l2 + m) sqrt(2l + 1) (l1 l2 l; m1 m2 -m)`. Arguments may be integers or
 * half-integers.
 *
 * @returns 0 whenever a selection rule fails (`m != m1 + m2`, `|mi| > li`, triangle rule).
 * @throws {ArgumentError} when an argument is not an integer or half-integer, or an `l` is negative.
 */
export function clebschGordan(
  l1: number,
  m1: number,
  l2: number,
  m2: number,
  l: number,
  m: number,
): number {
  const tl1 = doubledMomentum("l1", l1);
  const tl2 = doubledMomentum("l2", l2);
  const tl = doubledMomentum("l", l);
  const tm1 = doubled("m1", m1);
  const tm2 = doubled("m2", m2);
  const tm = doubled("m", m);
  const key = `${tl1},${tm1},${tl2},${tm2},${tl},${tm}`;
  const cached = cacheCG.get(key);
  if (cached !== undefined) return cached;
  const r = wigner3jExact(tl1, tl2, tl, tm1, tm2, -tm);
  let value = 0;
  if (r.sign !== 0) {
    const phaseExponent = (tl1 - tl2 + tm) / 2;
    const sign = phaseExponent % 2 === 0 ? r.sign : -r.sign;
    value = signedSqrtRational(sign, r.num * BigInt(tl + 1), r.den);
  }
  cacheCG.set(key, value);
  return value;
}
