import { concat, type Engine, matmul, mul, sum, type Tensor, transpose } from "@covnet/core";
import { checkGradients } from "@covnet/core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  adjacencyProduct,
  bellNumber,
  diagonal,
  EquivariantLinearMap,
  enumerateReductions,
  formatReduction,
  hadamard,
  permuteTensor,
  promote,
  promotionMatrix,
  reduce,
  reduceAdjacencyProduct,
  reduceAll,
  reduceAllAdjacencyProduct,
  restrict,
  stackChildren,
  sumIndices,
} from "../src/index.js";
import { cpuEngine, maxDiff, randomPermutation, randomTensor } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine();
});

const n = 5;
const C = 2;
const tol = 1e-12;

function field(order: number, seed: number, lead: number[] = []): Tensor {
  return randomTensor(engine, [...lead, ...new Array<number>(order).fill(n), C], seed);
}

/** Symmetric 0/1 matrix with zero diagonal, as a restricted adjacency. */
function adjacency(seed: number, lead: number[] = []): Tensor {
  const x = randomTensor(engine, [...lead, n, n], seed).dataSync();
  const values = new Float64Array(x.length);
  const size = lead.reduce((a, b) => a * b, 1);
  for (let b = 0; b < size; b++) {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const v = (x[b * n * n + i * n + j] as number) > 0 ? 1 : 0;
        values[b * n * n + i * n + j] = v;
        values[b * n * n + j * n + i] = v;
      }
    }
  }
  return engine.makeTensor(values, [...lead, n, n], "float64");
}

/** Checks f(sigma x) = sigma f(x) for several random permutations. */
function expectCovariant(
  f: (x: Tensor) => Tensor,
  x: Tensor,
  inOrder: number,
  outOrder: number,
): void {
  for (let seed = 0; seed < 3; seed++) {
    const sigma = randomPermutation(n, 100 + seed);
    const left = f(permuteTensor(x, inOrder, sigma));
    const right = permuteTensor(f(x), outOrder, sigma);
    expect(maxDiff(left, right)).toBeLessThan(tol);
  }
}

describe("permutation action", () => {
  it("order 2 equals P X P^T", () => {
    const x = randomTensor(engine, [n, n, 1], 1);
    const sigma = randomPermutation(n, 2);
    const p = new Float64Array(n * n);
    sigma.forEach((v, j) => {
      p[(v - 1) * n + j] = 1;
    });
    const P = engine.makeTensor(p, [n, n], "float64");
    const x2 = engine.makeTensor(x.dataSync(), [n, n], "float64");
    const expected = matmul(matmul(P, x2), transpose(P));
    expect(maxDiff(permuteTensor(x, 2, sigma), expected)).toBeLessThan(tol);
  });

  it("composes as the group law", () => {
    const x = field(3, 3);
    const s = randomPermutation(n, 4);
    const t = randomPermutation(n, 5);
    const st = t.map((v) => s[v - 1] as number);
    const twice = permuteTensor(permuteTensor(x, 3, t), 3, s);
    expect(maxDiff(twice, permuteTensor(x, 3, st))).toBeLessThan(tol);
  });

  it("rejects a non-permutation", () => {
    expect(() => permuteTensor(field(1, 6), 1, [1, 1, 2, 3, 4])).toThrow(/not a permutation/);
  });
});

describe("promotion", () => {
  const child = [2, 5, 9];
  const parent = [1, 2, 4, 5, 7, 9, 11];

  it("equals chi X chi^T and is adjoint to restriction", () => {
    const x = randomTensor(engine, [3, 3, 1], 7);
    const chi = promotionMatrix(engine, child, parent);
    const x2 = engine.makeTensor(x.dataSync(), [3, 3], "float64");
    const viaChi = matmul(matmul(chi, x2), transpose(chi));
    const promoted = promote(x, 2, child, parent);
    expect(maxDiff(promoted, viaChi)).toBeLessThan(tol);
    const y = randomTensor(engine, [7, 7, 1], 8);
    const lhs = sum(mul(promoted, y)).item();
    const rhs = sum(mul(x, restrict(y, 2, child, parent))).item();
    expect(Math.abs(lhs - rhs)).toBeLessThan(tol);
  });

  it("is covariant under relabelling both fields consistently", () => {
    const x = randomTensor(engine, [3, 3, 2], 9);
    // Moving vertex ids without changing their order leaves promotion unchanged.
    const shifted = promote(
      x,
      2,
      child.map((v) => v * 2),
      parent.map((v) => v * 2),
    );
    expect(maxDiff(promote(x, 2, child, parent), shifted)).toBe(0);
  });

  it("rejects a child outside its parent", () => {
    expect(() => promote(randomTensor(engine, [2, 1], 1), 1, [3, 4], [1, 3])).toThrow(
      /vertex 4 .* not in parent/,
    );
  });
});

describe("covariance of the operations", () => {
  it("sums over index subsets", () => {
    expectCovariant((x) => sumIndices(x, 3, [1]), field(3, 10), 3, 2);
    expectCovariant((x) => sumIndices(x, 3, [0, 2]), field(3, 11), 3, 1);
  });

  it("diagonals", () => {
    expectCovariant((x) => diagonal(x, 2, [0, 1]), field(2, 12), 2, 1);
    expectCovariant((x) => diagonal(x, 3, [0, 2]), field(3, 13), 3, 2);
  });

  it("Hadamard products", () => {
    const b = field(2, 15);
    for (let seed = 0; seed < 3; seed++) {
      const sigma = randomPermutation(n, seed);
      const a = field(2, 14);
      const left = hadamard(permuteTensor(a, 2, sigma), permuteTensor(b, 2, sigma), 2);
      expect(maxDiff(left, permuteTensor(hadamard(a, b, 2), 2, sigma))).toBeLessThan(tol);
    }
  });

  it("stacking children", () => {
    const kids = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? field(1, 20 + i) : null));
    const stacked = stackChildren(kids, 1);
    const sigma = randomPermutation(n, 3);
    const moved: (Tensor | null)[] = new Array<Tensor | null>(n).fill(null);
    kids.forEach((k, i) => {
      moved[(sigma[i] as number) - 1] = k === null ? null : permuteTensor(k, 1, sigma);
    });
    expect(maxDiff(stackChildren(moved, 1), permuteTensor(stacked, 2, sigma))).toBeLessThan(tol);
  });

  it("products with the adjacency matrix", () => {
    const x = field(1, 30);
    const a = adjacency(31);
    const sigma = randomPermutation(n, 5);
    const a3 = engine.makeTensor(a.dataSync(), [n, n, 1], "float64");
    const movedA = permuteTensor(a3, 2, sigma);
    const movedA2 = engine.makeTensor(movedA.dataSync(), [n, n], "float64");
    const left = adjacencyProduct(permuteTensor(x, 1, sigma), 1, movedA2);
    expect(maxDiff(left, permuteTensor(adjacencyProduct(x, 1, a), 3, sigma))).toBeLessThan(tol);
  });

  it.each([
    [2, 1],
    [3, 1],
    [3, 2],
    [4, 2],
  ])("every reduction of order %i to %i", (m, l) => {
    const x = field(m, 40 + m + l, []);
    expectCovariant((t) => reduceAll(t, enumerateReductions(m, l)), x, m, l);
  });

  it("reductions of the product with A equal reductions of the formed product", () => {
    const x = field(2, 50, [2]);
    const a = adjacency(51, [2]);
    const full = adjacencyProduct(x, 2, a);
    for (const r of enumerateReductions(4, 2).filter((_, i) => i % 3 === 0)) {
      const d = maxDiff(reduceAdjacencyProduct(x, 2, a, r), reduce(full, r));
      expect(d, formatReduction(r)).toBeLessThan(tol);
    }
  });
});

describe("batched product reductions", () => {
  it("reduceAllAdjacencyProduct concatenates the single reductions", () => {
    const x = field(1, 52, [3]);
    const a = adjacency(53, [3]);
    const rs = enumerateReductions(3, 1, { separate: [1, 2], symmetric: [1, 2] });
    const all = reduceAllAdjacencyProduct(x, 1, a, rs);
    const single = concat(
      rs.map((r) => reduceAdjacencyProduct(x, 1, a, r)),
      2,
    );
    expect(maxDiff(all, single)).toBeLessThan(tol);
    const full = adjacencyProduct(x, 1, a);
    const direct = concat(
      rs.map((r) => reduce(full, r)),
      2,
    );
    expect(maxDiff(all, direct)).toBeLessThan(tol);
  });
});

describe("reduction values", () => {
  it("order 2 to 1 gives row sums, column sums and the diagonal", () => {
    const x = randomTensor(engine, [n, n, 1], 60);
    const v = x.dataSync();
    const rs = enumerateReductions(2, 1);
    const outputs = rs.map((r) => Array.from(reduce(x, r).dataSync()));
    const rows = Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += v[i * n + j] as number;
      return s;
    });
    const cols = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += v[i * n + j] as number;
      return s;
    });
    const diag = Array.from({ length: n }, (_, i) => v[i * n + i] as number);
    for (const expected of [rows, cols, diag]) {
      const match = outputs.some((o) =>
        o.every((value, i) => Math.abs(value - (expected[i] as number)) < tol),
      );
      expect(match).toBe(true);
    }
  });
});

describe("equivariant linear maps", () => {
  it.each([
    [0, 1],
    [1, 1],
    [1, 2],
    [2, 1],
    [2, 2],
  ])("order %i to %i is equivariant with a basis of B(k + l)", (k, l) => {
    const map = new EquivariantLinearMap(k, l, C, 3);
    expect(map.basis.length).toBe(bellNumber(k + l));
    const w = randomTensor(engine, map.weightShape, 70 + k + l);
    const x = field(k, 80 + k, [2]);
    if (k === 0) {
      const y = map.apply(x, w, n);
      const sigma = randomPermutation(n, 1);
      expect(maxDiff(y, permuteTensor(y, l, sigma))).toBeLessThan(tol);
      return;
    }
    expectCovariant((t) => map.apply(t, w, n), x, k, l);
  });
});

describe("gradients", () => {
  it("match finite differences for reductions and promotion", () => {
    const x = randomTensor(engine, [3, 3, 3, 1], 90);
    const rs = enumerateReductions(3, 2);
    checkGradients((t) => reduceAll(t, rs.slice(0, 6)), [x], { order: 2 });
    checkGradients((t) => promote(t, 3, [1, 4, 6], [0, 1, 2, 4, 6]), [x]);
  });

  it("match finite differences for the product reductions and linear maps", () => {
    const x = randomTensor(engine, [2, 4, 4, 2], 92);
    const a = randomTensor(engine, [2, 4, 4], 93);
    const rs = enumerateReductions(4, 2).filter((_, i) => i % 7 === 0);
    for (const r of rs) {
      checkGradients((t, adj) => reduceAdjacencyProduct(t, 2, adj as Tensor, r), [x, a]);
    }
    const map = new EquivariantLinearMap(2, 1, 2, 2);
    const w = randomTensor(engine, map.weightShape, 94);
    checkGradients((t, weight) => map.apply(t, weight as Tensor, 4), [x, w]);
  });
});
