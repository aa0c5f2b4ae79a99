/**
 * WGSL generation for the real spherical harmonics, as straight-line code with the recursion
 * constants baked in. The scheme is the homogeneous-polynomial one (no angles, so no pole cases):
 *
 * - `C_m + i S_m = (x + i y)^m`, from `C_{m+1} = x C_m - y S_m` and `S_{m+1} = x S_m + y C_m`;
 * - `Q_l^m(z, r^2)`, the orthonormalised associated Legendre part without the Condon-Shortley
 *   sign: `Q_0^0 = 1/sqrt(4 pi)`, `Q_m^m = sqrt((2m+1)/(2m)) Q_{m-1}^{m-1}`,
 *   `Q_{m+1}^m = sqrt(2m+3) z Q_m^m` and `Q_l^m = a_lm z Q_{l-1}^m - b_lm r^2 Q_{l-2}^m` with
 *   `a_lm = sqrt((4l^2-1)/(l^2-m^2))`, `b_lm = sqrt((2l+1)((l-1)^2-m^2)/((2l-3)(l^2-m^2)))`;
 * - `Y_l0 = Q_l^0`, `Y_lm = sqrt2 Q_l^m C_m` and `Y_l,-m = sqrt2 Q_l^m S_m` for `m > 0`;
 * - component normalisation multiplies every `Y` by `sqrt(4 pi)`.
 *
 * The constants are computed in float64 and rounded once to float32.
 */
import { f32Literal } from "./wgsl.js";

/** Recursion constants for `0 <= m <= l <= lmax`. */
interface Constants {
  readonly diagonal: number[];
  readonly subdiagonal: number[];
  a(l: number, m: number): number;
  b(l: number, m: number): number;
}

function constants(lmax: number, componentNormalization: boolean): Constants {
  const diagonal = [componentNormalization ? 1 : 1 / Math.sqrt(4 * Math.PI)];
  for (let m = 1; m <= lmax; m++) {
    diagonal.push((diagonal[m - 1] as number) * Math.sqrt((2 * m + 1) / (2 * m)));
  }
  const subdiagonal = Array.from({ length: lmax + 1 }, (_, m) => Math.sqrt(2 * m + 3));
  return {
    diagonal,
    subdiagonal,
    a: (l, m) => Math.sqrt((4 * l * l - 1) / (l * l - m * m)),
    b: (l, m) =>
      Math.sqrt(((2 * l + 1) * ((l - 1) * (l - 1) - m * m)) / ((2 * l - 3) * (l * l - m * m))),
  };
}

/** Lines defining `c{m}`, `s{m}` for `m = 0..lmax` from `x`, `y`. */
function powerLines(lmax: number): string[] {
  const lines = ["  let c0 = 1.0;", "  let s0 = 0.0;"];
  for (let m = 1; m <= lmax; m++) {
    lines.push(`  let c${m} = x * c${m - 1} - y * s${m - 1};`);
    lines.push(`  let s${m} = x * s${m - 1} + y * c${m - 1};`);
  }
  return lines;
}

/**
 * Lines defining `q{l}_{m}` and, with `derivatives`, `qz{l}_{m}` and `qr{l}_{m}` (the partial
 * derivatives by `z` and by `r^2`) from `z` and `r2`.
 */
function legendreLines(
  lmax: number,
  componentNormalization: boolean,
  derivatives: boolean,
): string[] {
  const k = constants(lmax, componentNormalization);
  const lines: string[] = [];
  for (let m = 0; m <= lmax; m++) {
    lines.push(`  let q${m}_${m} = ${f32Literal(k.diagonal[m] as number)};`);
    if (derivatives) lines.push(`  let qz${m}_${m} = 0.0;`, `  let qr${m}_${m} = 0.0;`);
    if (m === lmax) break;
    const f = f32Literal(k.subdiagonal[m] as number);
    lines.push(`  let q${m + 1}_${m} = ${f} * z * q${m}_${m};`);
    if (derivatives)
      lines.push(`  let qz${m + 1}_${m} = ${f} * q${m}_${m};`, `  let qr${m + 1}_${m} = 0.0;`);
    for (let l = m + 2; l <= lmax; l++) {
      const a = f32Literal(k.a(l, m));
      const b = f32Literal(k.b(l, m));
      const p1 = `${l - 1}_${m}`;
      const p2 = `${l - 2}_${m}`;
      lines.push(`  let q${l}_${m} = ${a} * z * q${p1} - ${b} * r2 * q${p2};`);
      if (derivatives) {
        lines.push(`  let qz${l}_${m} = ${a} * (q${p1} + z * qz${p1}) - ${b} * r2 * qz${p2};`);
        lines.push(`  let qr${l}_${m} = ${a} * z * qr${p1} - ${b} * (q${p2} + r2 * qr${p2});`);
      }
    }
  }
  return lines;
}

const SQRT2 = f32Literal(Math.SQRT2);

/** Body lines writing `out[base + index]` for every harmonic up to `lmax`. */
export function harmonicsBody(lmax: number, componentNormalization: boolean): string {
  const lines = [...powerLines(lmax), ...legendreLines(lmax, componentNormalization, false)];
  for (let l = 0; l <= lmax; l++) {
    const center = l * l + l;
    lines.push(`  out[base + ${center}u] = q${l}_0;`);
    for (let m = 1; m <= l; m++) {
      lines.push(`  out[base + ${center + m}u] = ${SQRT2} * q${l}_${m} * c${m};`);
      lines.push(`  out[base + ${center - m}u] = ${SQRT2} * q${l}_${m} * s${m};`);
    }
  }
  return lines.join("\n");
}

/**
 * Body lines accumulating `gx`, `gy`, `gz`, the vector-Jacobian product with `grad[base + index]`.
 * With `Qz`, `Qr` the partial derivatives of `Q`: `dY/dx = 2x Qr A + Q dA/dx` (likewise `y`) and
 * `dY/dz = (Qz + 2z Qr) A` for `A = C_m` or `S_m`, where `dC_m/dx = m C_{m-1}`,
 * `dC_m/dy = -m S_{m-1}`, `dS_m/dx = m S_{m-1}` and `dS_m/dy = m C_{m-1}`.
 */
export function harmonicsGradientBody(lmax: number, componentNormalization: boolean): string {
  const lines = [
    ...powerLines(lmax),
    ...legendreLines(lmax, componentNormalization, true),
    "  var gx = 0.0;",
    "  var gy = 0.0;",
    "  var gz = 0.0;",
  ];
  for (let l = 1; l <= lmax; l++) {
    const center = l * l + l;
    lines.push(`  {`);
    lines.push(`    let g0 = grad[base + ${center}u];`);
    lines.push(`    gx += g0 * 2.0 * x * qr${l}_0;`);
    lines.push(`    gy += g0 * 2.0 * y * qr${l}_0;`);
    lines.push(`    gz += g0 * (qz${l}_0 + 2.0 * z * qr${l}_0);`);
    lines.push(`  }`);
    for (let m = 1; m <= l; m++) {
      const q = `${l}_${m}`;
      lines.push(`  {`);
      lines.push(`    let gc = ${SQRT2} * grad[base + ${center + m}u];`);
      lines.push(`    let gs = ${SQRT2} * grad[base + ${center - m}u];`);
      lines.push(`    let radial = gc * c${m} + gs * s${m};`);
      lines.push(`    let dc = ${m}.0 * c${m - 1};`);
      lines.push(`    let ds = ${m}.0 * s${m - 1};`);
      lines.push(`    gx += 2.0 * x * qr${q} * radial + q${q} * (gc * dc + gs * ds);`);
      lines.push(`    gy += 2.0 * y * qr${q} * radial + q${q} * (gs * dc - gc * ds);`);
      lines.push(`    gz += (qz${q} + 2.0 * z * qr${q}) * radial;`);
      lines.push(`  }`);
    }
  }
  return lines.join("\n");
}
