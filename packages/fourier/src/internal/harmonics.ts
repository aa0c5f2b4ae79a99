/**
 * Real spherical harmonics of one unit vector, in plain numbers.
 */

/**
 * Writes `Y_lm(x, y, z)` for `l = 0..lmax` into `out` at `l*l + l + m`, for a unit vector.
 * Convention of the library: orthonormal on the sphere, no Condon-Shortley sign, sine terms at
 * negative m, `l = 1` proportional to `(y, z, x)`. Uses `P_l^m(z) / sin^m(theta)` (a polynomial
 * in z) times the real and imaginary parts of `(x + i y)^m`, so the poles are exact.
 */
export function realHarmonics(
  lmax: number,
  x: number,
  y: number,
  z: number,
  out: Float64Array,
): void {
  // q[l] holds P_l^m(z) / sin^m for the current m.
  const q = new Float64Array(lmax + 1);
  let cosPart = 1;
  let sinPart = 0;
  let diagonal = 1;
  for (let m = 0; m <= lmax; m++) {
    if (m > 0) {
      diagonal *= 2 * m - 1;
      const c = cosPart * x - sinPart * y;
      sinPart = cosPart * y + sinPart * x;
      cosPart = c;
    }
    q[m] = diagonal;
    if (m + 1 <= lmax) q[m + 1] = (2 * m + 1) * z * diagonal;
    for (let l = m + 2; l <= lmax; l++) {
      q[l] =
        ((2 * l - 1) * z * (q[l - 1] as number) - (l + m - 1) * (q[l - 2] as number)) / (l - m);
    }
    for (let l = m; l <= lmax; l++) {
      // N_lm = sqrt((2l+1)/(4 pi) (l-m)!/(l+m)!)
      let ratio = 1;
      for (let k = l - m + 1; k <= l + m; k++) ratio /= k;
      const norm = Math.sqrt(((2 * l + 1) / (4 * Math.PI)) * ratio);
      const base = l * l + l;
      if (m === 0) {
        out[base] = norm * (q[l] as number);
      } else {
        out[base + m] = Math.SQRT2 * norm * (q[l] as number) * cosPart;
        out[base - m] = Math.SQRT2 * norm * (q[l] as number) * sinPart;
      }
    }
  }
}

/** Gauss-Legendre nodes and weights on [-1, 1], exact for polynomials of degree `2n - 1`. */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const previous = n === 1 ? 1 : p0;
      derivative = (n * (x * p1 - previous)) / (x * x - 1);
      const dx = p1 / derivative;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  return { nodes, weights };
}
