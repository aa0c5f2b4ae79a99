import { type Engine, mul, sum, type Tensor, valueAndGrads } from "@covnet/core";
import {
  complexToRealBasis,
  eulerToMatrix,
  matmul3,
  realWignerD,
  rotationX,
  rotationZ,
} from "@covnet/groups";
import { beforeAll, describe, expect, it } from "vitest";
import { sphericalHarmonics } from "../src/spherical_harmonics.js";
import {
  cpuEngine,
  finiteDifferenceGradient,
  fixture,
  normals,
  randomTensor,
  relativeError,
} from "./helpers.js";

interface HarmonicsFixture {
  points: { xyz: string[] }[];
  values: { real: string[][]; complex: [string, string][][] }[];
}

const reference = fixture<HarmonicsFixture>("so3_real_sph_harm.json");
const LMAX = 6;
let engine: Engine;

beforeAll(async () => {
  engine = await cpuEngine();
});

function pointsTensor(): Tensor {
  const xyz = reference.points.flatMap((p) => p.xyz.map(Number));
  return engine.makeTensor(xyz, [reference.points.length, 3], "float64");
}

function legendre(l: number, t: number): number {
  let p0 = 1;
  let p1 = t;
  if (l === 0) return 1;
  for (let k = 2; k <= l; k++) {
    const p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  return p1;
}

describe("sphericalHarmonics", () => {
  it("matches the real reference values at all 20 points", () => {
    const y = sphericalHarmonics(pointsTensor(), LMAX).dataSync();
    const dim = (LMAX + 1) ** 2;
    reference.values.forEach((v, i) => {
      for (let l = 0; l <= LMAX; l++) {
        for (let m = -l; m <= l; m++) {
          const expected = Number(v.real[l]?.[m + l]);
          const actual = y[i * dim + l * l + l + m] as number;
          const label = `point ${i}, l = ${l}, m = ${m}: ${actual} vs ${expected}`;
          if (expected === 0 && i < 2) expect(actual === 0, label).toBe(true);
          else expect(Math.abs(actual - expected), label).toBeLessThan(2e-15);
        }
      }
    });
  });

  it("matches the complex reference values through U", () => {
    const y = sphericalHarmonics(pointsTensor(), LMAX).dataSync();
    const dim = (LMAX + 1) ** 2;
    for (let l = 0; l <= LMAX; l++) {
      const u = complexToRealBasis(l);
      const n = 2 * l + 1;
      reference.values.forEach((v, i) => {
        // Y_complex = U^dagger Y_real.
        for (let mc = 0; mc < n; mc++) {
          let re = 0;
          let im = 0;
          for (let mr = 0; mr < n; mr++) {
            const yr = y[i * dim + l * l + mr] as number;
            re += (u.re[mr * n + mc] as number) * yr;
            im -= (u.im[mr * n + mc] as number) * yr;
          }
          const [er, ei] = (v.complex[l]?.[mc] ?? ["NaN", "NaN"]).map(Number) as [number, number];
          expect(Math.abs(re - er), `point ${i} l ${l} m ${mc - l} re`).toBeLessThan(2e-15);
          expect(Math.abs(im - ei), `point ${i} l ${l} m ${mc - l} im`).toBeLessThan(2e-15);
        }
      });
    }
  });

  it("satisfies the addition theorem", () => {
    const n = 12;
    const x = randomTensor(engine, [n, 3], 3);
    const y = sphericalHarmonics(x, 10).dataSync();
    const xs = x.dataSync();
    const unit = (i: number) => {
      const v = [xs[3 * i], xs[3 * i + 1], xs[3 * i + 2]] as number[];
      const r = Math.hypot(...v);
      return v.map((c) => c / r);
    };
    const dim = 121;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const a = unit(i);
        const b = unit(j);
        const cos =
          (a[0] as number) * (b[0] as number) +
          (a[1] as number) * (b[1] as number) +
          (a[2] as number) * (b[2] as number);
        for (let l = 0; l <= 10; l++) {
          let s = 0;
          for (let k = l * l; k < (l + 1) ** 2; k++)
            s += (y[i * dim + k] as number) * (y[j * dim + k] as number);
          const expected = ((2 * l + 1) / (4 * Math.PI)) * legendre(l, cos);
          expect(Math.abs(s - expected), `points ${i}, ${j}, l = ${l}`).toBeLessThan(1e-13);
        }
      }
    }
  });

  it("is equivariant: Y(R x) = D(R) Y(x)", () => {
    const n = 8;
    const x = randomTensor(engine, [n, 3], 5);
    const xs = x.dataSync();
    const lmax = 8;
    const dim = (lmax + 1) ** 2;
    const rotations = [
      rotationZ(0.7),
      rotationX(-1.3),
      eulerToMatrix(0.4, 2.1, -2.9),
      matmul3(rotationX(3.1), rotationZ(1.9)),
    ];
    const y = sphericalHarmonics(x, lmax).dataSync();
    for (const r of rotations) {
      const rotated = new Float64Array(3 * n);
      for (let i = 0; i < n; i++) {
        for (let a = 0; a < 3; a++) {
          let s = 0;
          for (let b = 0; b < 3; b++) s += (r[3 * a + b] as number) * (xs[3 * i + b] as number);
          rotated[3 * i + a] = s;
        }
      }
      const yr = sphericalHarmonics(engine.makeTensor(rotated, [n, 3], "float64"), lmax).dataSync();
      for (let l = 0; l <= lmax; l++) {
        const d = realWignerD(l, r);
        const k = 2 * l + 1;
        for (let i = 0; i < n; i++) {
          for (let a = 0; a < k; a++) {
            let s = 0;
            for (let b = 0; b < k; b++)
              s += (d[a * k + b] as number) * (y[i * dim + l * l + b] as number);
            expect(Math.abs((yr[i * dim + l * l + a] as number) - s), `l = ${l}`).toBeLessThan(
              1e-13,
            );
          }
        }
      }
    }
  });

  it("scales by sqrt(4 pi) with component normalization", () => {
    const x = randomTensor(engine, [5, 3], 9);
    const a = sphericalHarmonics(x, 4).dataSync();
    const b = sphericalHarmonics(x, 4, { normalization: "component" }).dataSync();
    for (let i = 0; i < a.length; i++) {
      expect(Math.abs((b[i] as number) - Math.sqrt(4 * Math.PI) * (a[i] as number))).toBeLessThan(
        1e-14,
      );
    }
    for (let i = 0; i < 5; i++) {
      for (let l = 0; l <= 4; l++) {
        let s = 0;
        for (let k = l * l; k < (l + 1) ** 2; k++) s += (b[i * 25 + k] as number) ** 2;
        expect(Math.abs(s - (2 * l + 1))).toBeLessThan(1e-12);
      }
    }
  });

  it("is a homogeneous polynomial without normalize", () => {
    const x = randomTensor(engine, [4, 3], 11);
    const doubled = engine.makeTensor(
      x.dataSync().map((v) => 2 * v),
      [4, 3],
      "float64",
    );
    const a = sphericalHarmonics(x, 5, { normalize: false }).dataSync();
    const b = sphericalHarmonics(doubled, 5, { normalize: false }).dataSync();
    for (let i = 0; i < 4; i++) {
      for (let l = 0; l <= 5; l++) {
        for (let k = l * l; k < (l + 1) ** 2; k++) {
          const idx = i * 36 + k;
          expect(Math.abs((b[idx] as number) - 2 ** l * (a[idx] as number))).toBeLessThan(
            1e-12 * 2 ** l,
          );
        }
      }
    }
  });

  it("rejects invalid arguments", () => {
    expect(() => sphericalHarmonics(randomTensor(engine, [4, 2], 1), 2)).toThrow(/\[n, 3\]/);
    expect(() => sphericalHarmonics(randomTensor(engine, [4, 3], 1), -1)).toThrow(/lmax = -1/);
  });

  for (const normalize of [false, true]) {
    for (const normalization of ["integral", "component"] as const) {
      it(`gradient matches finite differences (normalize ${normalize}, ${normalization})`, () => {
        const lmax = 5;
        const n = 4;
        const x = randomTensor(engine, [n, 3], 21);
        const weights = engine.makeTensor(
          normals(n * (lmax + 1) ** 2, 22),
          [n, (lmax + 1) ** 2],
          "float64",
        );
        const f = (v: Tensor) =>
          sum(mul(sphericalHarmonics(v, lmax, { normalize, normalization }), weights));
        const { grads } = valueAndGrads(() => f(x), [x]);
        const fd = finiteDifferenceGradient((v) => f(v).item(), x);
        expect(relativeError(grads[0]!.dataSync(), fd)).toBeLessThan(1e-8);
      });
    }
  }

  it("second-order gradient matches finite differences of the gradient", () => {
    const lmax = 4;
    const n = 3;
    const x = randomTensor(engine, [n, 3], 31);
    const weights = engine.makeTensor(
      normals(n * (lmax + 1) ** 2, 32),
      [n, (lmax + 1) ** 2],
      "float64",
    );
    const direction = engine.makeTensor(normals(n * 3, 33), [n, 3], "float64");
    const gradDotV = (v: Tensor) => {
      const inner = valueAndGrads(
        () => sum(mul(sphericalHarmonics(v, lmax, { normalize: false }), weights)),
        [v],
      );
      return sum(mul(inner.grads[0]!, direction));
    };
    const { grads } = valueAndGrads(() => gradDotV(x), [x]);
    const fd = finiteDifferenceGradient((v) => gradDotV(v).item(), x);
    expect(relativeError(grads[0]!.dataSync(), fd)).toBeLessThan(1e-7);
  });

  it("second-order gradient with respect to the cotangent and third order", () => {
    const lmax = 3;
    const n = 3;
    const x = randomTensor(engine, [n, 3], 41);
    const weights = randomTensor(engine, [n, (lmax + 1) ** 2], 42);
    const direction = randomTensor(engine, [n, 3], 43);
    // h(w) = <grad_x sum(w * Y(x)), direction> is linear in w; its gradient is the JVP of Y.
    const h = (w: Tensor) => {
      const inner = valueAndGrads(
        () => sum(mul(sphericalHarmonics(x, lmax, { normalize: true }), w)),
        [x],
      );
      return sum(mul(inner.grads[0]!, direction));
    };
    const { grads } = valueAndGrads(() => h(weights), [weights]);
    const fd = finiteDifferenceGradient((w) => h(w).item(), weights);
    expect(relativeError(grads[0]!.dataSync(), fd)).toBeLessThan(1e-8);
    // Third order: gradient of the second-order quantity with respect to x.
    const second = (v: Tensor) => {
      const g2 = valueAndGrads(() => {
        const g1 = valueAndGrads(
          () => sum(mul(sphericalHarmonics(v, lmax, { normalize: false }), weights)),
          [v],
        );
        return sum(mul(g1.grads[0]!, direction));
      }, [v]);
      return sum(mul(g2.grads[0]!, direction));
    };
    const third = valueAndGrads(() => second(x), [x]);
    const fd3 = finiteDifferenceGradient((v) => second(v).item(), x);
    expect(relativeError(third.grads[0]!.dataSync(), fd3)).toBeLessThan(1e-7);
  });
});
