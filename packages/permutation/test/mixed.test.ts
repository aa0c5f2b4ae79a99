import { type Engine, matmul, reshape, type Tensor } from "@covnet/core";
import { checkGradients } from "@covnet/core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  enumerateReductions,
  groupReductions,
  mixedAdjacencyProductReductions,
  permuteTensor,
  reduceAllAdjacencyProduct,
  summedBlocks,
} from "../src/index.js";
import { cpuEngine, maxDiff, randomPermutation, randomTensor } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine();
});

const n = 4;
const C = 2;
const D = 3;
const L = 3;
const tol = 1e-12;

/** Symmetric 0/1 matrices `[L, n, n]` with zero diagonal. */
function adjacency(seed: number): Tensor {
  const x = randomTensor(engine, [L, n, n], seed).dataSync();
  const values = new Float64Array(x.length);
  for (let b = 0; b < L; b++) {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const v = (x[b * n * n + i * n + j] as number) > 0 ? 1 : 0;
        values[b * n * n + i * n + j] = v;
        values[b * n * n + j * n + i] = v;
      }
    }
  }
  return engine.makeTensor(values, [L, n, n], "float64");
}

/** The CCN reductions of `x (x) A` with `x` of order `order`, to order `order - 1`. */
function ccnReductions(order: number) {
  const m = order + 2;
  return enumerateReductions(m, order - 1, { separate: [m - 2, m - 1], symmetric: [m - 2, m - 1] });
}

/** One scale per lead entry and number of summed blocks, as CCN normalises sums. */
function scales(): (s: number) => Tensor {
  return (s) => engine.makeTensor([0.5 ** s, 0.7 ** s, 1.3 ** s], [L], "float64");
}

describe("mixed product reductions", () => {
  for (const order of [2, 3]) {
    it(`equal reductions then mixing for order ${order}`, () => {
      const rs = ccnReductions(order);
      const x = randomTensor(engine, [L, ...new Array<number>(order).fill(n), C], 10 + order);
      const a = adjacency(20 + order);
      const w = randomTensor(engine, [rs.length * C, D], 30 + order);
      const scaleOf = scales();
      const target = order - 1;
      const reduced = reduceAllAdjacencyProduct(x, order, a, rs, (r) =>
        reshape(scaleOf(summedBlocks(r)), [L, ...new Array<number>(target + 1).fill(1)]),
      );
      const rows = L * n ** target;
      const expected = reshape(matmul(reshape(reduced, [rows, rs.length * C]), w), [
        L,
        ...new Array<number>(target).fill(n),
        D,
      ]);
      const mixed = mixedAdjacencyProductReductions(x, order, a, rs, w, (r) =>
        scaleOf(summedBlocks(r)),
      );
      expect(mixed.shape).toEqual(expected.shape);
      expect(maxDiff(mixed, expected)).toBeLessThan(tol);
    });

    it(`is covariant for order ${order}`, () => {
      const rs = ccnReductions(order);
      const x = randomTensor(engine, [L, ...new Array<number>(order).fill(n), C], 40 + order);
      const a = adjacency(50 + order);
      const w = randomTensor(engine, [rs.length * C, D], 60 + order);
      const f = (xs: Tensor, as: Tensor) => mixedAdjacencyProductReductions(xs, order, as, rs, w);
      for (let seed = 0; seed < 2; seed++) {
        const sigma = randomPermutation(n, 70 + seed);
        const left = f(
          permuteTensor(x, order, sigma),
          reshape(permuteTensor(reshape(a, [L, n, n, 1]), 2, sigma), [L, n, n]),
        );
        const right = permuteTensor(f(x, a), order - 1, sigma);
        expect(maxDiff(left, right)).toBeLessThan(tol);
      }
    });
  }

  it("groups the CCN 2D reductions into few expansions", () => {
    const rs = ccnReductions(3);
    const groups = groupReductions(3, rs);
    expect(rs.length).toBe(135);
    expect(groups.reduce((s, g) => s + g.members.length, 0)).toBe(135);
    expect(groups.length).toBe(17);
  });

  it("gradients match finite differences", () => {
    const rs = ccnReductions(2);
    const x = randomTensor(engine, [L, n, n, C], 80);
    const a = adjacency(81);
    const w = randomTensor(engine, [rs.length * C, D], 82);
    const scaleOf = scales();
    checkGradients(
      (xs, ws) =>
        mixedAdjacencyProductReductions(xs as Tensor, 2, a, rs, ws as Tensor, (r) =>
          scaleOf(summedBlocks(r)),
        ),
      [x, w],
    );
  });
});
