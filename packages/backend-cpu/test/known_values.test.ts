import {
  abs,
  add,
  arange,
  cast,
  concat,
  type DType,
  div,
  type Engine,
  equal,
  gather,
  greater,
  matmul,
  max,
  maximum,
  mean,
  min,
  mul,
  neg,
  pad,
  relu,
  reshape,
  segmentSum,
  sign,
  slice,
  sparseMatMul,
  sparseMatMulTransposed,
  sparseMatrix,
  sparseMatrixFromCsr,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  transpose,
  transposeSparse,
  where,
} from "@covnet/core";
import { expectClose } from "@covnet/core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { cpuEngine, randomValues } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine("float64");
});

/** Naive `[..., m, k] @ [..., k, n]` on flat row-major arrays with explicit batch strides. */
function naiveMatmul(
  a: readonly number[],
  aShape: readonly number[],
  b: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): { values: number[]; shape: number[] } {
  const ra = aShape.length;
  const rb = bShape.length;
  const m = aShape[transposeA ? ra - 1 : ra - 2] as number;
  const k = aShape[transposeA ? ra - 2 : ra - 1] as number;
  const n = bShape[transposeB ? rb - 2 : rb - 1] as number;
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const pa = [...new Array<number>(rank - batchA.length).fill(1), ...batchA];
  const pb = [...new Array<number>(rank - batchB.length).fill(1), ...batchB];
  const batch = pa.map((d, i) => Math.max(d, pb[i] as number));
  const total = batch.reduce((s, d) => s * d, 1);
  const values: number[] = [];
  for (let t = 0; t < total; t++) {
    // Unravel t and map to operand batch offsets (broadcast axes read index 0).
    let rest = t;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let ax = rank - 1; ax >= 0; ax--) {
      const d = batch[ax] as number;
      const idx = rest % d;
      rest = Math.floor(rest / d);
      if ((pa[ax] as number) > 1) ia += idx * sa;
      if ((pb[ax] as number) > 1) ib += idx * sb;
      sa *= pa[ax] as number;
      sb *= pb[ax] as number;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[ia * m * k + (transposeA ? p * m + i : i * k + p)] as number;
          const bv = b[ib * k * n + (transposeB ? j * k + p : p * n + j)] as number;
          s += av * bv;
        }
        values.push(s);
      }
    }
  }
  return { values, shape: [...batch, m, n] };
}

const matmulShapes: readonly [number, number, number, number[], number[]][] = [
  [1, 1, 1, [], []],
  [3, 5, 7, [], []],
  [7, 3, 2, [], []],
  [13, 17, 11, [], []],
  [33, 65, 31, [], []],
  [5, 9, 67, [], []],
  [4, 3, 5, [2, 1], [3]],
  [5, 6, 3, [1], [4]],
  [3, 2, 9, [], [2, 2]],
  [3, 5, 1030, [], []],
  [70, 300, 9, [2], []],
  [0, 3, 4, [], []],
  [3, 0, 4, [], []],
];

describe("matmul against a naive loop", () => {
  const cases = matmulShapes.flatMap(([m, k, n, ba, bb]) =>
    [false, true].flatMap((tA) => [false, true].map((tB) => [m, k, n, ba, bb, tA, tB] as const)),
  );
  it.each(cases)(
    "m %i k %i n %i batch %j %j transposeA %s transposeB %s",
    (m, k, n, ba, bb, tA, tB) => {
      for (const dtype of ["float64", "float32"] as const) {
        const aShape = [...ba, tA ? k : m, tA ? m : k];
        const bShape = [...bb, tB ? n : k, tB ? k : n];
        const aVals = randomValues(
          aShape.reduce((s, d) => s * d, 1),
          m * 100 + k,
        );
        const bVals = randomValues(
          bShape.reduce((s, d) => s * d, 1),
          n * 100 + k + 1,
        );
        const a = tensor(engine, aVals, aShape, dtype);
        const b = tensor(engine, bVals, bShape, dtype);
        const ref = naiveMatmul(
          Array.from(a.dataSync()),
          aShape,
          Array.from(b.dataSync()),
          bShape,
          tA,
          tB,
        );
        const c = matmul(a, b, { transposeA: tA, transposeB: tB });
        expect(c.shape).toEqual(ref.shape);
        expect(c.dtype).toBe(dtype);
        const tol = dtype === "float64" ? { rtol: 1e-12, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-5 };
        expectClose(c, ref.values, { ...tol, label: `matmul ${dtype}` });
      }
    },
  );

  it("large product agrees with the naive loop", () => {
    const [m, k, n] = [131, 257, 67];
    const a = tensor(engine, randomValues(m * k, 1), [m, k]);
    const b = tensor(engine, randomValues(k * n, 2), [k, n]);
    const ref = naiveMatmul(
      Array.from(a.dataSync()),
      [m, k],
      Array.from(b.dataSync()),
      [k, n],
      false,
      false,
    );
    expectClose(matmul(a, b), ref.values, { rtol: 1e-11, atol: 1e-11 });
  });

  it("1-D operands drop their axis", () => {
    const v = tensor(engine, [1, 2, 3]);
    const mtx = tensor(engine, [1, 0, 0, 1, 1, 1], [3, 2]);
    expect(matmul(v, mtx).shape).toEqual([2]);
    expectClose(matmul(v, mtx), [4, 5]);
    expect(matmul(v, v).shape).toEqual([]);
    expect(matmul(v, v).item()).toBe(14);
    expectClose(matmul(transpose(mtx), v), [4, 5]);
  });

  it("int32 matmul is exact", () => {
    const a = tensor(engine, [1, 2, 3, 4, 5, 6], [2, 3], "int32");
    const b = tensor(engine, [7, 8, 9, 10, 11, 12], [3, 2], "int32");
    const c = matmul(a, b);
    expect(c.dtype).toBe("int32");
    expect(c.toArray()).toEqual([58, 64, 139, 154]);
  });
});

describe("sparseMatMul against a dense loop", () => {
  it.each([
    [4, 6, 1, 9],
    [30, 20, 5, 120],
    [7, 3, 4, 0],
    [12, 10, 9, 60],
  ])("%i x %i matrix, width %i, %i entries", (rows, columns, width, nnz) => {
    const r = Array.from({ length: nnz }, (_, t) => (t * 5 + 1) % rows);
    const c = Array.from({ length: nnz }, (_, t) => (t * 3 + 2) % columns);
    const w = randomValues(nnz, 3);
    const x = randomValues(columns * width, 4);
    const expected = new Array<number>(rows * width).fill(0);
    for (let t = 0; t < nnz; t++) {
      for (let j = 0; j < width; j++) {
        const at = (r[t] as number) * width + j;
        expected[at] =
          (expected[at] as number) + (w[t] as number) * (x[(c[t] as number) * width + j] as number);
      }
    }
    const m = sparseMatrix(engine, [rows, columns], r, c, w, "float64");
    const y = sparseMatMul(m, tensor(engine, x, [columns, width], "float64"));
    expect(y.shape).toEqual([rows, width]);
    expectClose(y.toArray(), expected, { atol: 1e-14 });
    const back = new Array<number>(columns * width).fill(0);
    for (let t = 0; t < nnz; t++) {
      for (let j = 0; j < width; j++) {
        const at = (c[t] as number) * width + j;
        back[at] =
          (back[at] as number) +
          (w[t] as number) * (expected[(r[t] as number) * width + j] as number);
      }
    }
    const yt = sparseMatMul(transposeSparse(m), tensor(engine, expected, [rows, width], "float64"));
    expect(yt.shape).toEqual([columns, width]);
    expectClose(yt.toArray(), back, { atol: 1e-13 });

    // The same matrix from compressed rows, with and without its stored transpose.
    const order = Array.from({ length: nnz }, (_, t) => t).sort(
      (a, b) => (r[a] as number) - (r[b] as number) || a - b,
    );
    const rowStart = new Int32Array(rows + 1);
    for (const t of order)
      rowStart[(r[t] as number) + 1] = (rowStart[(r[t] as number) + 1] as number) + 1;
    for (let i = 0; i < rows; i++)
      rowStart[i + 1] = (rowStart[i + 1] as number) + (rowStart[i] as number);
    const csr = {
      rowStart,
      columns: Int32Array.from(order, (t) => c[t] as number),
      values: Float64Array.from(order, (t) => w[t] as number),
    };
    for (const storeTranspose of [false, true]) {
      const fromCsr = sparseMatrixFromCsr(engine, [rows, columns], csr, "float64", {
        storeTranspose,
      });
      expect(fromCsr.csrTransposed === null).toBe(!storeTranspose);
      const y2 = sparseMatMul(fromCsr, tensor(engine, x, [columns, width], "float64"));
      expectClose(y2.toArray(), expected, { atol: 1e-14 });
      const yt2 = sparseMatMulTransposed(
        fromCsr,
        tensor(engine, expected, [rows, width], "float64"),
      );
      expect(yt2.shape).toEqual([columns, width]);
      expectClose(yt2.toArray(), back, { atol: 1e-13 });
    }
  });

  it("rejects malformed compressed rows", () => {
    const columns = Int32Array.from([0, 2, 1]);
    const values = [1, 2, 3];
    expect(() =>
      sparseMatrixFromCsr(engine, [2, 3], { rowStart: Int32Array.from([0, 2]), columns, values }),
    ).toThrow(/rowStart must hold 3 offsets from 0 to 3, got 2 from 0 to 2/);
    expect(() =>
      sparseMatrixFromCsr(engine, [2, 3], {
        rowStart: Int32Array.from([0, 2, 1]),
        columns,
        values,
      }),
    ).toThrow(/rowStart must hold 3 offsets from 0 to 3/);
    expect(() =>
      sparseMatrixFromCsr(engine, [3, 3], {
        rowStart: Int32Array.from([0, 2, 1, 3]),
        columns,
        values,
      }),
    ).toThrow(/rowStart decreases at row 1 \(2 then 1\)/);
    expect(() =>
      sparseMatrixFromCsr(engine, [2, 2], {
        rowStart: Int32Array.from([0, 2, 3]),
        columns,
        values,
      }),
    ).toThrow(/columns\[1\] = 2 is outside 0..1/);
    const m = sparseMatrixFromCsr(
      engine,
      [2, 3],
      { rowStart: Int32Array.from([0, 2, 3]), columns, values },
      "float64",
      { storeTranspose: false },
    );
    expect(() => transposeSparse(m)).toThrow(/built without its transpose/);
    expect(() => sparseMatMulTransposed(m, tensor(engine, [1, 2, 3], [3, 1], "float64"))).toThrow(
      /must have 2 rows/,
    );
  });

  it("rejects out-of-range indices and mismatched rows", () => {
    expect(() => sparseMatrix(engine, [2, 3], [0, 2], [1, 1], [1, 1])).toThrow(
      /rowIndices\[1\] = 2 is outside 0..1/,
    );
    expect(() => sparseMatrix(engine, [2, 3], [0], [1, 1], [1, 1])).toThrow(
      /one row and one column index per value/,
    );
    const m = sparseMatrix(engine, [2, 3], [0, 1], [1, 2], [1, 1], "float64");
    expect(() => sparseMatMul(m, tensor(engine, [1, 2], [2, 1], "float64"))).toThrow(
      /must have 3 rows/,
    );
  });
});

describe("segmentSum against a loop", () => {
  it.each([
    [10, 1, 3],
    [50, 4, 7],
    [33, 16, 40],
    [0, 3, 2],
  ])("rows %i width %i segments %i", (rows, width, segments) => {
    const ids = Array.from({ length: rows }, (_, i) => (i * 7 + 3) % segments);
    const x = randomValues(rows * width, rows);
    const expected = new Array<number>(segments * width).fill(0);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++)
        expected[(ids[r] as number) * width + j] =
          (expected[(ids[r] as number) * width + j] as number) + (x[r * width + j] as number);
    }
    for (const dtype of ["float64", "float32", "int32"] as const) {
      const xs = dtype === "int32" ? x.map((v) => Math.trunc(v * 10)) : x;
      const exp = new Array<number>(segments * width).fill(0);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < width; j++)
          exp[(ids[r] as number) * width + j] =
            (exp[(ids[r] as number) * width + j] as number) + (xs[r * width + j] as number);
      }
      const out = segmentSum(
        tensor(engine, xs, [rows, width], dtype),
        tensor(engine, ids, [rows], "int32"),
        segments,
      );
      expect(out.shape).toEqual([segments, width]);
      expect(out.dtype).toBe(dtype);
      if (dtype === "int32") expect(out.toArray()).toEqual(exp);
      else
        expectClose(
          out,
          dtype === "float64" ? exp : expected,
          dtype === "float32" ? { rtol: 1e-5, atol: 1e-5 } : {},
        );
    }
  });
});

describe("reductions", () => {
  const x = () =>
    tensor(
      engine,
      Array.from({ length: 24 }, (_, i) => ((i * 5) % 24) - 11),
      [2, 3, 4],
    );
  it.each([
    ["sum", [0], false, [2, 3, 4].slice(1)],
    ["sum", [1, 2], true, [2, 1, 1]],
    ["max", [-1], true, [2, 3, 1]],
    ["min", undefined, false, []],
    ["mean", [0, 2], false, [3]],
  ] as const)("%s axes %j keepDims %s has shape %j", (op, axes, keep, shape) => {
    const t = x();
    const f = { sum, max, min, mean }[op];
    const out = f(t, axes as number[] | undefined, keep);
    expect(out.shape).toEqual(shape);
  });

  it("values of sum, max, min, mean with keepdims", () => {
    const t = tensor(engine, [1, 5, 3, -2, 4, 0], [2, 3]);
    expectClose(sum(t, 1, true), [9, 2]);
    expect(sum(t, 1, true).shape).toEqual([2, 1]);
    expectClose(sum(t, 0), [-1, 9, 3]);
    expectClose(max(t, 1), [5, 4]);
    expectClose(min(t, 0, true), [-2, 4, 0]);
    expect(min(t, 0, true).shape).toEqual([1, 3]);
    expectClose(mean(t), [11 / 6]);
    expectClose(mean(t, [0, 1], true), [11 / 6]);
    expect(mean(t, [0, 1], true).shape).toEqual([1, 1]);
  });

  it("middle-axis and trailing-axis sums match a loop", () => {
    const shape = [3, 5, 7];
    const vals = randomValues(105, 3);
    const t = tensor(engine, vals, shape);
    const mid = new Array<number>(21).fill(0);
    const last = new Array<number>(15).fill(0);
    const first = new Array<number>(35).fill(0);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 5; j++)
        for (let k = 0; k < 7; k++) {
          const v = vals[(i * 5 + j) * 7 + k] as number;
          mid[i * 7 + k] = (mid[i * 7 + k] as number) + v;
          last[i * 5 + j] = (last[i * 5 + j] as number) + v;
          first[j * 7 + k] = (first[j * 7 + k] as number) + v;
        }
    expectClose(sum(t, 1), mid);
    expectClose(sum(t, 2), last);
    expectClose(sum(t, 0), first);
    expectClose(
      max(t, 2),
      Array.from({ length: 15 }, (_, r) => Math.max(...vals.slice(r * 7, r * 7 + 7))),
    );
  });

  it("int32 reductions are exact", () => {
    const t = tensor(engine, [1, 2, 3, 4, 5, 6], [2, 3], "int32");
    expect(sum(t, 1).dtype).toBe("int32");
    expect(sum(t, 1).toArray()).toEqual([6, 15]);
    expect(max(t, 0).toArray()).toEqual([4, 5, 6]);
    expect(min(t).item()).toBe(1);
  });

  it("float32 sums accumulate in float64", () => {
    const n = 1 << 20;
    const t = tensor(engine, new Float32Array(n).fill(0.1), [n], "float32");
    const s = sum(t).item();
    expect(Math.abs(s - n * Math.fround(0.1)) / (n * 0.1)).toBeLessThan(1e-6);
  });

  it("max propagates NaN", () => {
    const t = tensor(engine, [1, Number.NaN, 3]);
    expect(Number.isNaN(max(t).item())).toBe(true);
  });
});

describe("elementwise paths", () => {
  const shapes: readonly [readonly number[], readonly number[]][] = [
    [
      [2, 3],
      [2, 3],
    ],
    [[2, 3], [3]],
    [
      [2, 3],
      [2, 1],
    ],
    [
      [4, 1, 3],
      [2, 1],
    ],
    [[], [5]],
    [[3, 1], []],
  ];
  const ops = [
    ["add", add, (a: number, b: number) => a + b],
    ["sub", sub, (a: number, b: number) => a - b],
    ["mul", mul, (a: number, b: number) => a * b],
    ["maximum", maximum, (a: number, b: number) => Math.max(a, b)],
  ] as const;
  const dtypes: readonly DType[] = ["float64", "float32", "int32"];
  const cases = ops.flatMap(([name, op, ref]) =>
    shapes.flatMap(([sa, sb]) => dtypes.map((d) => [name, sa, sb, d, op, ref] as const)),
  );
  it.each(cases)("%s %j with %j in %s", (_name, sa, sb, dtype, op, ref) => {
    const na = sa.reduce((s, d) => s * d, 1);
    const nb = sb.reduce((s, d) => s * d, 1);
    const av = Array.from({ length: na }, (_, i) => ((i * 7) % 11) - 5);
    const bv = Array.from({ length: nb }, (_, i) => ((i * 3) % 7) - 3);
    const a = tensor(engine, av, sa, dtype);
    const b = tensor(engine, bv, sb, dtype);
    const out = op(a, b);
    // Reference: broadcast by explicit index arithmetic.
    const rank = Math.max(sa.length, sb.length);
    const pa = [...new Array<number>(rank - sa.length).fill(1), ...sa];
    const pb = [...new Array<number>(rank - sb.length).fill(1), ...sb];
    const shape = pa.map((d, i) => Math.max(d, pb[i] as number));
    expect(out.shape).toEqual(shape);
    expect(out.dtype).toBe(dtype);
    const total = shape.reduce((s, d) => s * d, 1);
    const expected: number[] = [];
    for (let t = 0; t < total; t++) {
      let rest = t;
      let ia = 0;
      let ib = 0;
      let sA = 1;
      let sB = 1;
      for (let ax = rank - 1; ax >= 0; ax--) {
        const idx = rest % (shape[ax] as number);
        rest = Math.floor(rest / (shape[ax] as number));
        if ((pa[ax] as number) > 1) ia += idx * sA;
        if ((pb[ax] as number) > 1) ib += idx * sB;
        sA *= pa[ax] as number;
        sB *= pb[ax] as number;
      }
      const v = ref(av[ia] as number, bv[ib] as number);
      expected.push(dtype === "int32" ? v | 0 : v);
    }
    expect(out.toArray()).toEqual(expected);
  });

  it("int32 unary, comparison, where and cast", () => {
    const x = tensor(engine, [-3, 0, 4], [3], "int32");
    expect(neg(x).toArray()).toEqual([3, 0, -4]);
    expect(abs(x).toArray()).toEqual([3, 0, 4]);
    expect(sign(x).toArray()).toEqual([-1, 0, 1]);
    expect(square(x).toArray()).toEqual([9, 0, 16]);
    expect(relu(x).toArray()).toEqual([0, 0, 4]);
    expect(greater(x, 0).toArray()).toEqual([0, 0, 1]);
    expect(equal(x, 0).dtype).toBe("int32");
    expect(where(greater(x, 0), x, 7).toArray()).toEqual([7, 7, 4]);
    expect(cast(tensor(engine, [-1.7, 2.9, 0.5]), "int32").toArray()).toEqual([-1, 2, 0]);
    expect(cast(x, "float32").dtype).toBe("float32");
  });

  it("float32 results are rounded to float32", () => {
    const a = tensor(engine, [0.1, 0.2], [2], "float32");
    const out = add(a, a);
    expect(out.dataSync()).toBeInstanceOf(Float32Array);
    expect(out.toArray()).toEqual([
      Math.fround(Math.fround(0.1) * 2),
      Math.fround(Math.fround(0.2) * 2),
    ]);
    expect(div(a, a).toArray()).toEqual([1, 1]);
  });

  it("unary functions match Math in float64", () => {
    const vals = [-2.5, -0.3, 0.7, 1.9];
    const t = tensor(engine, vals);
    expectClose(
      square(t),
      vals.map((v) => v * v),
    );
    expectClose(
      relu(t),
      vals.map((v) => Math.max(v, 0)),
    );
  });
});

describe("shape kernels", () => {
  it("transpose, slice, pad, concat and gather", () => {
    const x = reshape(arange(engine, 0, 24, 1, "float64"), [2, 3, 4]);
    const tr = transpose(x, [2, 0, 1]);
    expect(tr.shape).toEqual([4, 2, 3]);
    expect(tr.toArray().slice(0, 6)).toEqual([0, 4, 8, 12, 16, 20]);
    expect(slice(x, [1, 1, 2], [1, 2, 2]).toArray()).toEqual([18, 19, 22, 23]);
    const p = pad(
      tensor(engine, [1, 2, 3, 4], [2, 2]),
      [
        [1, 0],
        [0, 1],
      ],
      -1,
    );
    expect(p.toArray()).toEqual([-1, -1, -1, 1, 2, -1, 3, 4, -1]);
    const c = concat([tensor(engine, [1, 2], [2, 1]), tensor(engine, [3, 4, 5, 6], [2, 2])], 1);
    expect(c.toArray()).toEqual([1, 3, 4, 2, 5, 6]);
    const idx = tensor(engine, [2, 0], [2], "int32");
    expect(gather(x, idx, 1).shape).toEqual([2, 2, 4]);
    expect(gather(x, idx, 2).toArray().slice(0, 4)).toEqual([2, 0, 6, 4]);
    const nd = tensor(engine, [1, 1, 0, 2], [2, 2], "int32");
    const g = gather(x, nd, 1);
    expect(g.shape).toEqual([2, 2, 2, 4]);
    expect(g.toArray().slice(0, 8)).toEqual([4, 5, 6, 7, 4, 5, 6, 7]);
  });

  it("transpose of a large matrix matches index arithmetic", () => {
    const [r, c] = [37, 53];
    const vals = randomValues(r * c, 9);
    const t = transpose(tensor(engine, vals, [r, c]));
    const out = t.dataSync();
    for (let i = 0; i < r; i++)
      for (let j = 0; j < c; j++) expect(out[j * r + i]).toBe(vals[i * c + j]);
  });

  it("gather rejects out-of-range indices", () => {
    const x = tensor(engine, [1, 2, 3]);
    expect(() => gather(x, tensor(engine, [0, 3], [2], "int32"))).toThrow(
      "gather: index 3 at position 1 is out of range [0, 3)",
    );
  });
});

export type { Tensor };
