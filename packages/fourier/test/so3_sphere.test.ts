import { cpuBackendModule } from "@covnet/backend-cpu";
import { sphericalHarmonics } from "@covnet/cg";
import { createContainer, initEngine, Random } from "@covnet/core";
import { type Matrix3, matmul3, SO3, so3Quadrature, transpose3 } from "@covnet/groups";
import { describe, expect, it } from "vitest";
import {
  SO3FourierGrid,
  SphereFourierGrid,
  so3Evaluate,
  so3FourierTransform,
  so3LeftTranslateCoefficients,
  so3MultiplyCoefficients,
  so3RightTranslateCoefficients,
  sphereConvolveZonal,
  sphereCorrelationToSO3,
  sphereEvaluate,
  sphereRotateCoefficients,
} from "../src/index.js";

const so3 = new SO3();

function randomSO3Coefficients(bandLimit: number, seed: number): Float64Array[] {
  const random = new Random(seed);
  return Array.from({ length: bandLimit + 1 }, (_, l) =>
    Float64Array.from({ length: (2 * l + 1) ** 2 }, () => random.normal()),
  );
}

function randomSphereCoefficients(bandLimit: number, seed: number): Float64Array {
  const random = new Random(seed);
  return Float64Array.from({ length: (bandLimit + 1) ** 2 }, () => random.normal());
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function blocksDiff(a: readonly Float64Array[], b: readonly Float64Array[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((x, l) => maxDiff(x, b[l] as Float64Array)));
}

const rotations: Matrix3[] = [
  ...so3.testingElements(),
  so3.random(new Random(5)),
  so3.random(new Random(6)),
];

describe("SO(3) Fourier transform", () => {
  const bandLimit = 4;
  const grid = new SO3FourierGrid(bandLimit);
  const fhat = randomSO3Coefficients(bandLimit, 1);
  const f = (r: Matrix3) => so3Evaluate(fhat, r);

  it("recovers the coefficients of a band-limited function", () => {
    expect(blocksDiff(so3FourierTransform(f, bandLimit), fhat)).toBeLessThan(1e-12);
  });

  it("inverts on the grid", () => {
    expect(maxDiff(grid.inverse(fhat), grid.sample(f))).toBeLessThan(1e-11);
  });

  it("multiplies coefficients by D(R) when rotating the function", () => {
    for (const r of rotations) {
      const rotated = so3FourierTransform((x) => f(matmul3(transpose3(r), x)), bandLimit);
      expect(blocksDiff(rotated, so3LeftTranslateCoefficients(fhat, r))).toBeLessThan(1e-12);
      const right = so3FourierTransform((x) => f(matmul3(x, r)), bandLimit);
      expect(blocksDiff(right, so3RightTranslateCoefficients(fhat, r))).toBeLessThan(1e-12);
    }
  });

  it("satisfies the convolution theorem", () => {
    const hhat = randomSO3Coefficients(bandLimit, 2);
    const product = so3MultiplyCoefficients(fhat, hhat);
    const reversed = so3MultiplyCoefficients(hhat, fhat);
    const q = so3Quadrature(2 * bandLimit);
    let worst = 0;
    let reversedWorst = 0;
    for (const r of rotations.slice(0, 5)) {
      // (f*h)(R) = integral f(R S^-1) h(S) dS, exact at band limit 2L.
      let direct = 0;
      q.elements.forEach((s, i) => {
        direct += (q.weights[i] as number) * f(matmul3(r, transpose3(s))) * so3Evaluate(hhat, s);
      });
      worst = Math.max(worst, Math.abs(so3Evaluate(product, r) - direct));
      reversedWorst = Math.max(reversedWorst, Math.abs(so3Evaluate(reversed, r) - direct));
    }
    expect(worst).toBeLessThan(1e-11);
    expect(reversedWorst).toBeGreaterThan(1e-3);
  });

  it("satisfies Plancherel", () => {
    const hhat = randomSO3Coefficients(bandLimit, 3);
    const direct = so3.integrate((r) => f(r) * so3Evaluate(hhat, r), 2 * bandLimit);
    let fourier = 0;
    fhat.forEach((c, l) => {
      for (let k = 0; k < c.length; k++)
        fourier += (2 * l + 1) * (c[k] as number) * (hhat[l]?.[k] as number);
    });
    expect(Math.abs(direct - fourier)).toBeLessThan(1e-11);
  });

  it("rejects coefficients above the grid's band limit", () => {
    expect(() => new SO3FourierGrid(1).inverse(fhat)).toThrow(/exceed the grid's band limit 1/);
    expect(() => grid.forward([1, 2])).toThrow(/one per node/);
  });
});

describe("sphere Fourier transform", () => {
  const bandLimit = 6;
  const grid = new SphereFourierGrid(bandLimit);
  const c = randomSphereCoefficients(bandLimit, 4);
  const f = (x: number, y: number, z: number) => sphereEvaluate(c, [x, y, z]);

  it("uses the harmonics of @covnet/cg", async () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(cpuBackendModule());
    const engine = await initEngine(container, { backend: "cpu", defaultFloat: "float64" });
    const points = engine.makeTensor(grid.points, [grid.size, 3], "float64");
    const reference = sphericalHarmonics(points, bandLimit).dataSync();
    expect(maxDiff(grid.harmonics, reference)).toBeLessThan(1e-13);
  });

  it("recovers the coefficients of a band-limited function", () => {
    expect(maxDiff(grid.forward(grid.sample(f)), c)).toBeLessThan(1e-12);
  });

  it("inverts on the grid", () => {
    expect(maxDiff(grid.inverse(c), grid.sample(f))).toBeLessThan(1e-12);
  });

  it("integrates to the l = 0 coefficient", () => {
    const ones = new Float64Array(grid.size).fill(1);
    expect(grid.forward(ones)[0]).toBeCloseTo(Math.sqrt(4 * Math.PI), 13);
  });

  it("multiplies coefficients by D(R) when rotating the function", () => {
    for (const r of rotations) {
      const rt = transpose3(r);
      const rotated = grid.forward(
        grid.sample((x, y, z) =>
          f(
            (rt[0] as number) * x + (rt[1] as number) * y + (rt[2] as number) * z,
            (rt[3] as number) * x + (rt[4] as number) * y + (rt[5] as number) * z,
            (rt[6] as number) * x + (rt[7] as number) * y + (rt[8] as number) * z,
          ),
        ),
      );
      expect(maxDiff(rotated, sphereRotateCoefficients(c, r))).toBeLessThan(1e-12);
    }
  });

  it("satisfies the zonal convolution theorem", () => {
    const random = new Random(9);
    const kernel = new Float64Array((bandLimit + 1) ** 2);
    for (let l = 0; l <= bandLimit; l++) kernel[l * l + l] = random.normal();
    // k(t) = h(e_z rotated to polar angle acos t) = sum_l h_l0 Y_l0 at z = t.
    const k = (t: number) => sphereEvaluate(kernel, [Math.sqrt(Math.max(0, 1 - t * t)), 0, t]);
    const expected = sphereConvolveZonal(c, kernel);
    const values = grid.sample(f);
    for (const p of [0, 7, 20, grid.size - 1]) {
      const x = Array.from(grid.points.subarray(3 * p, 3 * p + 3));
      let direct = 0;
      for (let q = 0; q < grid.size; q++) {
        const dot =
          (x[0] as number) * (grid.points[3 * q] as number) +
          (x[1] as number) * (grid.points[3 * q + 1] as number) +
          (x[2] as number) * (grid.points[3 * q + 2] as number);
        direct += (grid.weights[q] as number) * (values[q] as number) * k(dot);
      }
      expect(Math.abs(direct - sphereEvaluate(expected, x))).toBeLessThan(1e-11);
    }
  });

  it("lifts to SO(3) by correlation", () => {
    const psi = randomSphereCoefficients(3, 10);
    const g = sphereCorrelationToSO3(c, psi);
    expect(g.length).toBe(4);
    const values = grid.sample(f);
    for (const r of rotations.slice(0, 6)) {
      const rt = transpose3(r);
      let direct = 0;
      for (let q = 0; q < grid.size; q++) {
        const x = grid.points.subarray(3 * q, 3 * q + 3);
        const y = [0, 1, 2].map(
          (i) =>
            (rt[3 * i] as number) * (x[0] as number) +
            (rt[3 * i + 1] as number) * (x[1] as number) +
            (rt[3 * i + 2] as number) * (x[2] as number),
        );
        direct += (grid.weights[q] as number) * (values[q] as number) * sphereEvaluate(psi, y);
      }
      expect(Math.abs(direct - so3Evaluate(g, r))).toBeLessThan(1e-11);
    }
  });

  it("rejects malformed coefficients", () => {
    expect(() => sphereEvaluate([1, 2], [0, 0, 1])).toThrow(/\(L\+1\)\^2/);
    expect(() => new SphereFourierGrid(1).inverse(c)).toThrow(/exceeds the grid's band limit 1/);
  });
});
