/** Real square matrix product `a b` of size `n`, row-major. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k] as number;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++)
        out[i * n + j] = (out[i * n + j] as number) + aik * (b[k * n + j] as number);
    }
  }
  return out;
}

/** Real square matrix product `a b^T` of size `n`, row-major. */
export function matmulTransposed(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (a[i * n + k] as number) * (b[j * n + k] as number);
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Complex square matrix product `a b` of size `n`. */
export function complexMatmul(
  aRe: ArrayLike<number>,
  aIm: ArrayLike<number>,
  bRe: ArrayLike<number>,
  bIm: ArrayLike<number>,
  n: number,
): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const xr = aRe[i * n + k] as number;
      const xi = aIm[i * n + k] as number;
      if (xr === 0 && xi === 0) continue;
      for (let j = 0; j < n; j++) {
        const yr = bRe[k * n + j] as number;
        const yi = bIm[k * n + j] as number;
        re[i * n + j] = (re[i * n + j] as number) + xr * yr - xi * yi;
        im[i * n + j] = (im[i * n + j] as number) + xr * yi + xi * yr;
      }
    }
  }
  return { re, im };
}

/** Largest absolute entry of `a - b`. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
