/**
 * Dense complex matrices stored as a real part and an optional imaginary part.
 */

/** A row-major matrix; `im === null` means the matrix is real. */
export interface SplitMatrix {
  readonly re: Float64Array;
  readonly im: Float64Array | null;
}

/** `a [m, k] @ b [k, n]`, complex when either factor is. */
export function complexMatmul(
  a: SplitMatrix,
  b: SplitMatrix,
  m: number,
  k: number,
  n: number,
): SplitMatrix {
  const re = new Float64Array(m * n);
  const im = a.im !== null || b.im !== null ? new Float64Array(m * n) : null;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const ar = a.re[i * k + p] as number;
      const ai = a.im === null ? 0 : (a.im[i * k + p] as number);
      if (ar === 0 && ai === 0) continue;
      for (let j = 0; j < n; j++) {
        const br = b.re[p * n + j] as number;
        const bi = b.im === null ? 0 : (b.im[p * n + j] as number);
        re[i * n + j] = (re[i * n + j] as number) + ar * br - ai * bi;
        if (im !== null) im[i * n + j] = (im[i * n + j] as number) + ar * bi + ai * br;
      }
    }
  }
  return { re, im };
}

/** The conjugate transpose of a square matrix of size `d`. */
export function adjoint(a: SplitMatrix, d: number): SplitMatrix {
  const re = new Float64Array(d * d);
  const im = a.im === null ? null : new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      re[j * d + i] = a.re[i * d + j] as number;
      if (im !== null && a.im !== null) im[j * d + i] = -(a.im[i * d + j] as number);
    }
  }
  return { re, im };
}
