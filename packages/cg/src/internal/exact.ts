/**
 * Exact rational arithmetic with BigInt for Wigner 3j symbols and CG coefficients, and a
 * correctly rounded square root of a rational number.
 */

const factorials: bigint[] = [1n];

/** `n!` as a BigInt, cached. */
export function factorial(n: number): bigint {
  for (let k = factorials.length; k <= n; k++) {
    factorials.push((factorials[k - 1] as bigint) * BigInt(k));
  }
  return factorials[n] as bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Integer square root `floor(sqrt(n))` for `n >= 0`, by Newton's method. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  if (x === 0n) x = 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y === x || y === x + 1n || y + 1n === x) {
      x = y;
      break;
    }
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * The float64 nearest to `sign * sqrt(num / den)` for integers `num >= 0`, `den > 0`: one
 * rounding, with a sticky bit so that the result is correctly rounded.
 */
export function signedSqrtRational(sign: number, num: bigint, den: bigint): number {
  if (num === 0n || sign === 0) return 0;
  // Scale by 4^s so that the integer square root carries at least 70 significant bits.
  const s = Math.max(0, Math.ceil((140 - bitLength(num) + bitLength(den)) / 2));
  const scaled = num << BigInt(2 * s);
  const t = scaled / den;
  const inexactQuotient = t * den !== scaled;
  let root = isqrt(t);
  if (inexactQuotient || root * root !== t) root |= 1n;
  const magnitude = Number(root) * 2 ** -s;
  return sign < 0 ? -magnitude : magnitude;
}

/** A signed square root of a rational: the value is `sign * sqrt(num / den)`. */
export interface SqrtRational {
  readonly sign: -1 | 0 | 1;
  readonly num: bigint;
  readonly den: bigint;
}

const ZERO: SqrtRational = { sign: 0, num: 0n, den: 1n };

/**
 * The Wigner 3j symbol `(j1 j2 j3; m1 m2 m3)` from doubled arguments (`tj1 = 2 j1`, ...), as an
 * exact signed square root of a rational (Racah's formula). Zero where a selection rule fails.
 */
export function wigner3jExact(
  tj1: number,
  tj2: number,
  tj3: number,
  tm1: number,
  tm2: number,
  tm3: number,
): SqrtRational {
  if (tm1 + tm2 + tm3 !== 0) return ZERO;
  if (Math.abs(tm1) > tj1 || Math.abs(tm2) > tj2 || Math.abs(tm3) > tj3) return ZERO;
  if ((tj1 + tm1) % 2 !== 0 || (tj2 + tm2) % 2 !== 0 || (tj3 + tm3) % 2 !== 0) return ZERO;
  if (tj3 > tj1 + tj2 || tj3 < Math.abs(tj1 - tj2) || (tj1 + tj2 + tj3) % 2 !== 0) return ZERO;

  const a = (tj1 + tj2 - tj3) / 2;
  const b = (tj1 - tj2 + tj3) / 2;
  const c = (-tj1 + tj2 + tj3) / 2;
  const big = (tj1 + tj2 + tj3) / 2 + 1;
  const p = [
    (tj1 + tm1) / 2,
    (tj1 - tm1) / 2,
    (tj2 + tm2) / 2,
    (tj2 - tm2) / 2,
    (tj3 + tm3) / 2,
    (tj3 - tm3) / 2,
  ];
  // Racah sum over k: (-1)^k / (k! (j3-j2+k+m1)! (j3-j1+k-m2)! (j1+j2-j3-k)! (j1-k-m1)! (j2-k+m2)!)
  const d1 = (tj3 - tj2 + tm1) / 2;
  const d2 = (tj3 - tj1 - tm2) / 2;
  const d3 = a;
  const d4 = (tj1 - tm1) / 2;
  const d5 = (tj2 + tm2) / 2;
  const kMin = Math.max(0, -d1, -d2);
  const kMax = Math.min(d3, d4, d5);
  if (kMax < kMin) return ZERO;
  // Common denominator: the product of the factorials at the extreme k values divides each term.
  let sumNum = 0n;
  const denominators: bigint[] = [];
  for (let k = kMin; k <= kMax; k++) {
    denominators.push(
      factorial(k) *
        factorial(d1 + k) *
        factorial(d2 + k) *
        factorial(d3 - k) *
        factorial(d4 - k) *
        factorial(d5 - k),
    );
  }
  let common = 1n;
  for (const d of denominators) common = (common / gcd(common, d)) * d;
  denominators.forEach((d, i) => {
    const term = common / d;
    sumNum += (kMin + i) % 2 === 0 ? term : -term;
  });
  if (sumNum === 0n) return ZERO;

  // Phase (-1)^(j1 - j2 - m3).
  const phaseExponent = (tj1 - tj2 - tm3) / 2;
  let sign: -1 | 1 = phaseExponent % 2 === 0 ? 1 : -1;
  if (sumNum < 0n) {
    sign = sign === 1 ? -1 : 1;
    sumNum = -sumNum;
  }
  let num = factorial(a) * factorial(b) * factorial(c) * sumNum * sumNum;
  for (const x of p) num *= factorial(x);
  let den = factorial(big) * common * common;
  const g = gcd(num, den);
  num /= g;
  den /= g;
  return { sign, num, den };
}
