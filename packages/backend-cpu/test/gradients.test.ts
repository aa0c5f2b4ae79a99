import {
  abs,
  add,
  broadcastTo,
  cast,
  concat,
  cos,
  div,
  type Engine,
  exp,
  gather,
  log,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  neg,
  pad,
  pow,
  relu,
  reshape,
  segmentSum,
  sigmoid,
  sign,
  silu,
  sin,
  slice,
  softplus,
  sparseMatMul,
  sparseMatMulTransposed,
  sparseMatrix,
  sparseMatrixFromCsr,
  split,
  sqrt,
  square,
  stack,
  sub,
  sum,
  sumTo,
  type Tensor,
  tanh,
  tensor,
  transpose,
  where,
} from "@covnet/core";
import { checkGradients, expectNoLeaks } from "@covnet/core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { cpuEngine, type Draw, randomTensor } from "./helpers.js";

interface Case {
  readonly name: string;
  /** Shapes of the float64 inputs. */
  readonly shapes: readonly (readonly number[])[];
  /** How to draw each input (default `normal`). */
  readonly draws?: readonly Draw[];
  readonly f: (engine: Engine) => (...xs: Tensor[]) => Tensor;
  /** Finite-difference step and tolerances where the defaults do not fit. */
  readonly eps?: number;
  readonly rtol?: number;
  readonly atol?: number;
}

const plain = (f: (...xs: Tensor[]) => Tensor) => () => f;

const unaryCases: Case[] = (
  [
    ["neg", neg, "normal"],
    ["abs", abs, "nonzero"],
    ["sign", sign, "nonzero"],
    ["exp", exp, "normal"],
    ["log", log, "positive"],
    ["sqrt", sqrt, "positive"],
    ["square", square, "normal"],
    ["sin", sin, "normal"],
    ["cos", cos, "normal"],
    ["tanh", tanh, "normal"],
    ["sigmoid", sigmoid, "normal"],
    ["relu", relu, "nonzero"],
    ["softplus", softplus, "normal"],
    ["silu", silu, "normal"],
  ] as const
).map(([name, op, draw]) => ({
  name: `${name} [2, 3]`,
  shapes: [[2, 3]],
  draws: [draw],
  f: plain((x) => op(x as Tensor)),
}));

const broadcastPairs: readonly (readonly [readonly number[], readonly number[]])[] = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3], [3]],
  [
    [2, 1],
    [1, 3],
  ],
  [[], [2, 3]],
  [[2, 3, 1], [4]],
];

const binaryCases: Case[] = (
  [
    ["add", add, "normal", "normal"],
    ["sub", sub, "normal", "normal"],
    ["mul", mul, "normal", "normal"],
    ["div", div, "normal", "positive"],
    ["pow", pow, "positive", "normal"],
    ["maximum", maximum, "normal", "normal"],
    ["minimum", minimum, "normal", "normal"],
  ] as const
).flatMap(([name, op, da, db]) =>
  broadcastPairs.map(([sa, sb]) => ({
    name: `${name} [${sa.join(", ")}] with [${sb.join(", ")}]`,
    shapes: [sa, sb],
    draws: [da, db],
    f: plain((a, b) => op(a as Tensor, b as Tensor)),
  })),
);

const whereCases: Case[] = [
  {
    name: "where [2, 3] with a [3] and b [2, 1]",
    shapes: [[3], [2, 1]],
    f: (engine) => {
      const cond = tensor(engine, [1, 0, 1, 0, 0, 1], [2, 3], "int32");
      return (a, b) => where(cond, a as Tensor, b as Tensor);
    },
  },
  {
    name: "where scalar b",
    shapes: [[2, 3], []],
    f: (engine) => {
      const cond = tensor(engine, [1, 1, 0], [3], "int32");
      return (a, b) => where(cond, a as Tensor, b as Tensor);
    },
  },
];

const reductions = [
  ["sum", sum],
  ["mean", mean],
  ["max", max],
  ["min", min],
] as const;
const reductionAxes: readonly (number | number[] | undefined)[] = [undefined, 0, 1, -1, [0, 2]];
const reductionCases: Case[] = reductions.flatMap(([name, op]) =>
  reductionAxes.flatMap((axes) =>
    [false, true].map((keepDims) => ({
      name: `${name} [2, 3, 4] axes ${JSON.stringify(axes) ?? "all"} keepDims ${keepDims}`,
      shapes: [[2, 3, 4]],
      f: plain((x) => op(x as Tensor, axes, keepDims)),
    })),
  ),
);

const broadcastCases: Case[] = [
  {
    name: "broadcastTo [3] to [2, 3]",
    shapes: [[3]],
    f: plain((x) => broadcastTo(x as Tensor, [2, 3])),
  },
  {
    name: "broadcastTo [2, 1] to [4, 2, 3]",
    shapes: [[2, 1]],
    f: plain((x) => broadcastTo(x as Tensor, [4, 2, 3])),
  },
  {
    name: "broadcastTo [] to [2, 2]",
    shapes: [[]],
    f: plain((x) => broadcastTo(x as Tensor, [2, 2])),
  },
  { name: "sumTo [2, 3] to [3]", shapes: [[2, 3]], f: plain((x) => sumTo(x as Tensor, [3])) },
  {
    name: "sumTo [2, 3, 4] to [1, 3, 1]",
    shapes: [[2, 3, 4]],
    f: plain((x) => sumTo(x as Tensor, [1, 3, 1])),
  },
  { name: "sumTo [2, 3] to []", shapes: [[2, 3]], f: plain((x) => sumTo(x as Tensor, [])) },
];

const matmulCases: Case[] = [
  ...[false, true].flatMap((tA) =>
    [false, true].map((tB) => ({
      name: `matmul [3, 4] @ [4, 5] transposeA ${tA} transposeB ${tB}`,
      shapes: [tA ? [4, 3] : [3, 4], tB ? [5, 4] : [4, 5]],
      f: plain((a, b) => matmul(a as Tensor, b as Tensor, { transposeA: tA, transposeB: tB })),
    })),
  ),
  {
    name: "matmul batch broadcast [2, 1, 3, 4] @ [3, 4, 2]",
    shapes: [
      [2, 1, 3, 4],
      [3, 4, 2],
    ],
    f: plain((a, b) => matmul(a as Tensor, b as Tensor)),
  },
  {
    name: "matmul batch broadcast [2, 3, 4]^T @ [4, 2]^T",
    shapes: [
      [2, 4, 3],
      [2, 4],
    ],
    f: plain((a, b) => matmul(a as Tensor, b as Tensor, { transposeA: true, transposeB: true })),
  },
  {
    name: "matmul vector [4] @ [4, 3]",
    shapes: [[4], [4, 3]],
    f: plain((a, b) => matmul(a as Tensor, b as Tensor)),
  },
  {
    name: "matmul [3, 4] @ vector [4]",
    shapes: [[3, 4], [4]],
    f: plain((a, b) => matmul(a as Tensor, b as Tensor)),
  },
  {
    name: "matmul vector [4] @ vector [4]",
    shapes: [[4], [4]],
    f: plain((a, b) => matmul(a as Tensor, b as Tensor)),
  },
  {
    name: "matmul batch [2, 3, 4] @ vector [4]",
    shapes: [[2, 3, 4], [4]],
    f: plain((a, b) => matmul(a as Tensor, b as Tensor)),
  },
];

const shapeCases: Case[] = [
  {
    name: "reshape [2, 3, 2] to [3, 4]",
    shapes: [[2, 3, 2]],
    f: plain((x) => reshape(x as Tensor, [3, 4])),
  },
  {
    name: "transpose [2, 3, 4] perm [2, 0, 1]",
    shapes: [[2, 3, 4]],
    f: plain((x) => transpose(x as Tensor, [2, 0, 1])),
  },
  { name: "transpose [3, 4] reversed", shapes: [[3, 4]], f: plain((x) => transpose(x as Tensor)) },
  {
    name: "slice [4, 5] box [1, 2] size [2, 3]",
    shapes: [[4, 5]],
    f: plain((x) => slice(x as Tensor, [1, 2], [2, 3])),
  },
  {
    name: "slice [3, 4, 2] to the end",
    shapes: [[3, 4, 2]],
    f: plain((x) => slice(x as Tensor, [1, 0, 1], [-1, 3, -1])),
  },
  {
    name: "pad [2, 3] by [[1, 0], [2, 1]] value 0.5",
    shapes: [[2, 3]],
    f: plain((x) =>
      pad(
        x as Tensor,
        [
          [1, 0],
          [2, 1],
        ],
        0.5,
      ),
    ),
  },
  {
    name: "concat axis 0 [2, 3] [1, 3]",
    shapes: [
      [2, 3],
      [1, 3],
    ],
    f: plain((a, b) => concat([a as Tensor, b as Tensor], 0)),
  },
  {
    name: "concat axis 1 [2, 1] [2, 3] [2, 2]",
    shapes: [
      [2, 1],
      [2, 3],
      [2, 2],
    ],
    f: plain((a, b, c) => concat([a as Tensor, b as Tensor, c as Tensor], 1)),
  },
  {
    name: "stack axis 1 [2, 3] [2, 3]",
    shapes: [
      [2, 3],
      [2, 3],
    ],
    f: plain((a, b) => stack([a as Tensor, b as Tensor], 1)),
  },
  {
    name: "split [5, 2] into [2, 3] on axis 0",
    shapes: [[5, 2]],
    f: plain((x) => {
      const [p, q] = split(x as Tensor, [2, 3], 0) as [Tensor, Tensor];
      return add(sum(mul(p, p)), sum(sin(q)));
    }),
  },
  {
    name: "split [2, 6] into [1, 2, 3] on axis 1",
    shapes: [[2, 6]],
    f: plain((x) => {
      const [p, q, r] = split(x as Tensor, [1, 2, 3], 1) as [Tensor, Tensor, Tensor];
      return concat([mul(r, 2), q, exp(p)], 1);
    }),
  },
  {
    name: "cast float64 to float32 and back",
    shapes: [[2, 3]],
    f: plain((x) => mul(cast(cast(x as Tensor, "float32"), "float64"), 3)),
    eps: 1e-2,
    rtol: 1e-4,
    atol: 1e-4,
  },
];

const gatherCases: Case[] = [
  {
    name: "gather [4, 3] axis 0 indices [5] with repeats",
    shapes: [[4, 3]],
    f: (engine) => {
      const idx = tensor(engine, [3, 0, 3, 1, 3], [5], "int32");
      return (x) => gather(x as Tensor, idx, 0);
    },
  },
  {
    name: "gather [2, 4, 3] axis 1 indices [2, 3]",
    shapes: [[2, 4, 3]],
    f: (engine) => {
      const idx = tensor(engine, [0, 2, 2, 3, 1, 0], [2, 3], "int32");
      return (x) => gather(x as Tensor, idx, 1);
    },
  },
  {
    name: "gather [2, 3, 4] axis -1 indices [2, 2]",
    shapes: [[2, 3, 4]],
    f: (engine) => {
      const idx = tensor(engine, [3, 3, 0, 1], [2, 2], "int32");
      return (x) => gather(x as Tensor, idx, -1);
    },
  },
  {
    name: "segmentSum [6, 2] into 4 unsorted with an empty segment",
    shapes: [[6, 2]],
    f: (engine) => {
      const ids = tensor(engine, [2, 0, 2, 3, 0, 2], [6], "int32");
      return (x) => segmentSum(x as Tensor, ids, 4);
    },
  },
  {
    name: "segmentSum [5] into 3",
    shapes: [[5]],
    f: (engine) => {
      const ids = tensor(engine, [1, 1, 0, 2, 1], [5], "int32");
      return (x) => segmentSum(x as Tensor, ids, 3);
    },
  },
];

/** A 4 x 5 matrix in compressed rows with a repeated entry and an empty row. */
const CSR_4X5 = {
  rowStart: Int32Array.from([0, 2, 2, 5, 6]),
  columns: Int32Array.from([1, 1, 4, 0, 4, 3]),
  values: [0.5, 0.7, -1.2, 2, 0.3, 1.5],
};

const sparseCases: Case[] = [
  {
    name: "sparseMatMul [4, 5] with a repeated entry and an empty row",
    shapes: [[5, 3]],
    f: (engine) => {
      const m = sparseMatrix(
        engine,
        [4, 5],
        [0, 2, 2, 0, 3, 2],
        [1, 4, 0, 1, 3, 4],
        [0.5, -1.2, 2, 0.7, 1.5, 0.3],
      );
      return (x) => sparseMatMul(m, x as Tensor);
    },
  },
  {
    name: "sparseMatMul [3, 4] by [4, 2, 2]",
    shapes: [[4, 2, 2]],
    f: (engine) => {
      const m = sparseMatrix(engine, [3, 4], [2, 0, 1, 1], [0, 3, 3, 2], [1.1, -0.4, 0.9, 2.5]);
      return (x) => sparseMatMul(m, x as Tensor);
    },
  },
  {
    name: "sparseMatMul [4, 5] from compressed rows, transpose not stored",
    shapes: [[5, 6]],
    f: (engine) => {
      const m = sparseMatrixFromCsr(engine, [4, 5], CSR_4X5, "float64", {
        storeTranspose: false,
      });
      return (x) => tanh(sparseMatMul(m, x as Tensor));
    },
  },
  {
    name: "sparseMatMulTransposed [4, 5] by [4, 2, 3], transpose not stored",
    shapes: [[4, 2, 3]],
    f: (engine) => {
      const m = sparseMatrixFromCsr(engine, [4, 5], CSR_4X5, "float64", {
        storeTranspose: false,
      });
      return (y) => tanh(sparseMatMulTransposed(m, y as Tensor));
    },
  },
  {
    name: "sparseMatMulTransposed [4, 5] with the stored transpose",
    shapes: [[4, 3]],
    f: (engine) => {
      const m = sparseMatrixFromCsr(engine, [4, 5], CSR_4X5, "float64", {
        storeTranspose: true,
      });
      return (y) => tanh(sparseMatMulTransposed(m, y as Tensor));
    },
  },
];

const allCases: readonly Case[] = [
  ...unaryCases,
  ...binaryCases,
  ...whereCases,
  ...reductionCases,
  ...broadcastCases,
  ...matmulCases,
  ...shapeCases,
  ...gatherCases,
  ...sparseCases,
];

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine("float64");
});

function inputsOf(c: Case, seed: number): Tensor[] {
  return c.shapes.map((s, i) =>
    engine.keep(randomTensor(engine, s, seed + 17 * i, c.draws?.[i] ?? "normal")),
  );
}

function tolerances(c: Case) {
  return {
    ...(c.eps === undefined ? {} : { eps: c.eps }),
    ...(c.rtol === undefined ? {} : { rtol: c.rtol }),
    ...(c.atol === undefined ? {} : { atol: c.atol }),
  };
}

describe("gradients against finite differences (float64)", () => {
  it.each(allCases.map((c) => [c.name, c] as const))("first order: %s", (_name, c) => {
    const xs = inputsOf(c, 1);
    const f = c.f(engine);
    expectNoLeaks(engine, () => {
      checkGradients(f, xs, { order: 1, ...tolerances(c) });
    });
    for (const x of xs) x.dispose();
  });

  it.each(allCases.map((c) => [c.name, c] as const))("second order: %s", (_name, c) => {
    const xs = inputsOf(c, 2);
    const f = c.f(engine);
    // Squaring the output makes every Hessian non-zero, so the backward of each gradient runs.
    const g = (...ys: Tensor[]) => square(f(...ys));
    checkGradients(g, xs, {
      order: 2,
      ...tolerances(c),
      ...(c.eps === undefined ? {} : { eps: c.eps }),
    });
    for (const x of xs) x.dispose();
  });
});

describe("gradient checker", () => {
  it("detects a wrong gradient", () => {
    const x = randomTensor(engine, [3], 5);
    // stopGradient-free trick: x * detach(x) has gradient x, not 2x.
    const wrong = (t: Tensor) => mul(t, engine.detach(t));
    expect(() => checkGradients(wrong, [x])).toThrow("first-order gradient of input 0");
  });

  it("detects a wrong second derivative", () => {
    const x = randomTensor(engine, [3], 6);
    // The gradient of x^3 is right, but the detached factor hides the second derivative.
    const wrong = (t: Tensor) => mul(square(t), engine.detach(t));
    expect(() => checkGradients(wrong, [x], { order: 2 })).toThrow(
      /gradient of input 0|Hessian-vector product/,
    );
  });

  it("rejects float32 inputs", async () => {
    const x = randomTensor(engine, [2], 7, "normal", "float32");
    expect(() => checkGradients(neg, [x])).toThrow(
      `checkGradients: input 0 (${x}) is float32; finite differences need float64 inputs`,
    );
  });
});
