import { ArgumentError, type Random } from "@covnet/core";
import {
  axisAngleToMatrix,
  eulerToMatrix,
  type LabelMultiplicity,
  type Matrix3,
  quaternionToMatrix,
  type RepresentationMatrix,
  realWignerD,
} from "@covnet/groups";
import { describe, expect, it } from "vitest";
import { type DecomposableGroup, numericCGDecomposition } from "../src/decomposition.js";
import { realClebschGordan } from "../src/real_basis.js";

/** SO(3) with real Wigner matrices, as a minimal plugin. */
const so3: DecomposableGroup<Matrix3, number> = {
  testingElements: () => [
    eulerToMatrix(0, 0, 0),
    eulerToMatrix(0.1, 0.2, 0.3),
    eulerToMatrix(-2.1, 1.3, 0.7),
    axisAngleToMatrix([1, -2, 0.5], 3.0),
  ],
  random: (r: Random) =>
    quaternionToMatrix({ w: r.normal(), x: r.normal(), y: r.normal(), z: r.normal() }),
  irrepDim: (l) => 2 * l + 1,
  representation: (l, g): RepresentationMatrix => ({
    dim: 2 * l + 1,
    re: realWignerD(l, g),
    im: null,
  }),
  tensorProductMultiplicities: (a, b) => {
    const out: LabelMultiplicity<number>[] = [];
    for (let l = Math.abs(a - b); l <= a + b; l++) out.push({ label: l, multiplicity: 1 });
    return out;
  },
  formatLabel: (l) => String(l),
};

/** S_3 with trivial, sign and standard (Young orthogonal form) irreps; elements in one-line notation. */
type Perm = readonly [number, number, number];
const PERMS: Perm[] = [
  [0, 1, 2],
  [1, 0, 2],
  [0, 2, 1],
  [2, 1, 0],
  [1, 2, 0],
  [2, 0, 1],
];
const h = Math.sqrt(3) / 2;
const S1 = [-1, 0, 0, 1]; // s_1 = (1 2) in Young's orthogonal form of [2, 1]
const S2 = [0.5, h, h, -0.5]; // s_2 = (2 3)
function mat2(a: readonly number[], b: readonly number[]): number[] {
  return [
    a[0]! * b[0]! + a[1]! * b[2]!,
    a[0]! * b[1]! + a[1]! * b[3]!,
    a[2]! * b[0]! + a[3]! * b[2]!,
    a[2]! * b[1]! + a[3]! * b[3]!,
  ];
}
const STANDARD: number[][] = [
  [1, 0, 0, 1],
  S1,
  S2,
  mat2(mat2(S1, S2), S1),
  mat2(S1, S2),
  mat2(S2, S1),
];
function sign(p: Perm): number {
  let inversions = 0;
  for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) if (p[i]! > p[j]!) inversions++;
  return inversions % 2 === 0 ? 1 : -1;
}
type S3Label = "[3]" | "[1,1,1]" | "[2,1]";
const s3: DecomposableGroup<Perm, S3Label> = {
  testingElements: () => PERMS.slice(),
  random: (r: Random) => PERMS[Math.floor(r.uniform() * 6)]!,
  irrepDim: (l) => (l === "[2,1]" ? 2 : 1),
  representation: (l, g): RepresentationMatrix => {
    if (l === "[3]") return { dim: 1, re: Float64Array.of(1), im: null };
    if (l === "[1,1,1]") return { dim: 1, re: Float64Array.of(sign(g)), im: null };
    const index = PERMS.findIndex((p) => p.every((v, i) => v === g[i]));
    return { dim: 2, re: Float64Array.from(STANDARD[index]!), im: null };
  },
  tensorProductMultiplicities: (a, b) => {
    if (a === "[2,1]" && b === "[2,1]") {
      return [
        { label: "[3]", multiplicity: 1 },
        { label: "[1,1,1]", multiplicity: 1 },
        { label: "[2,1]", multiplicity: 1 },
      ];
    }
    throw new Error("only [2,1] x [2,1] is used here");
  },
  formatLabel: (l) => l,
};

function checkDecomposition<E, L>(group: DecomposableGroup<E, L>, a: L, b: L, elements: E[]): void {
  const result = numericCGDecomposition(group, a, b);
  const n = result.size;
  const c = result.matrix;
  // C is orthogonal.
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (c[k * n + i] as number) * (c[k * n + j] as number);
      expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-10);
    }
  // C^T (rho_a (x) rho_b) C is the direct sum of the blocks' irreps.
  const da = group.irrepDim(a);
  const db = group.irrepDim(b);
  for (const g of elements) {
    const ra = group.representation(a, g).re;
    const rb = group.representation(b, g).re;
    const expected = new Float64Array(n * n);
    for (const block of result.blocks) {
      const r = group.representation(block.label, g).re;
      for (let i = 0; i < block.dim; i++)
        for (let j = 0; j < block.dim; j++)
          expected[(block.start + i) * n + block.start + j] = r[i * block.dim + j] as number;
    }
    for (let p = 0; p < n; p++)
      for (let q = 0; q < n; q++) {
        let s = 0;
        for (let i = 0; i < da; i++)
          for (let k = 0; k < db; k++)
            for (let j = 0; j < da; j++)
              for (let l = 0; l < db; l++)
                s +=
                  (c[(i * db + k) * n + p] as number) *
                  (ra[i * da + j] as number) *
                  (rb[k * db + l] as number) *
                  (c[(j * db + l) * n + q] as number);
        expect(Math.abs(s - (expected[p * n + q] as number))).toBeLessThan(1e-9);
      }
  }
}

describe("numericCGDecomposition", () => {
  it("matches exact SO(3) CG up to sign", () => {
    checkDecomposition(so3, 1, 2, [eulerToMatrix(0.9, 2.2, -0.4), eulerToMatrix(-1.7, 0.6, 2.8)]);
    const result = numericCGDecomposition(so3, 1, 2);
    for (const block of result.blocks) {
      const exact = realClebschGordan(1, 2, block.label);
      const n = 2 * block.label + 1;
      let dot = 0;
      for (let i = 0; i < 15; i++)
        for (let j = 0; j < n; j++)
          dot += (exact[i * n + j] as number) * (result.matrix[i * 15 + block.start + j] as number);
      expect(Math.abs(Math.abs(dot) - n), `l = ${block.label}`).toBeLessThan(1e-8);
    }
  });

  it("decomposes the S_3 standard irrep squared", () => {
    checkDecomposition(s3, "[2,1]", "[2,1]", PERMS);
  });

  it("rejects wrong multiplicities", () => {
    const broken: DecomposableGroup<Matrix3, number> = {
      ...so3,
      tensorProductMultiplicities: () => [{ label: 3, multiplicity: 1 }],
    };
    expect(() => numericCGDecomposition(broken, 1, 1)).toThrow(ArgumentError);
  });
});
