/**
 * Declarative conformance vectors: kernel, attributes and inputs. Expected outputs are computed
 * by the CPU backend on the same float32 inputs when the suite runs.
 */
import {
  BINARY_KERNELS,
  type CGChannelMode,
  type CGPathData,
  type CGPlanData,
  COMPARISON_KERNELS,
  type KernelName,
  UNARY_KERNELS,
} from "@covnet/core";

/** A deterministic generator (mulberry32) so vectors are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One input tensor of a vector. */
export interface InputSpec {
  readonly shape: readonly number[];
  readonly dtype: "float32" | "int32";
  /** Explicit values; otherwise drawn from `range` (integers for int32). */
  readonly values?: readonly number[];
  readonly range?: readonly [number, number];
  /**
   * Create an int32 input on the device by casting float32 values there, so the backend has no
   * host copy of it (exercises index structures built on the GPU).
   */
  readonly castOnDevice?: boolean;
}

/** A conformance vector. */
export interface TestVector {
  readonly name: string;
  readonly kernel: KernelName;
  readonly attrs: object;
  readonly inputs: readonly InputSpec[];
  /** Allowed error: `|actual - expected| <= atol + rtol * |expected|`. */
  readonly rtol?: number;
  readonly atol?: number;
}

const f = (shape: readonly number[], range: readonly [number, number] = [-2, 2]): InputSpec => ({
  shape,
  dtype: "float32",
  range,
});
const int = (shape: readonly number[], range: readonly [number, number] = [-9, 9]): InputSpec => ({
  shape,
  dtype: "int32",
  range,
});
const ints = (values: readonly number[], castOnDevice = false): InputSpec => ({
  shape: [values.length],
  dtype: "int32",
  values,
  castOnDevice,
});
const placeholder: InputSpec = { shape: [0], dtype: "float32", values: [] };

/** Inputs that keep each unary function in its domain and away from overflow. */
const UNARY_RANGES: Record<string, [number, number]> = {
  Log: [0.1, 5],
  Sqrt: [0, 5],
  Exp: [-5, 5],
  Softplus: [-30, 30],
  Sigmoid: [-30, 30],
  Silu: [-30, 30],
  Tanh: [-12, 12],
};

/**
 * WGSL bounds the error of its built-ins (WGSL specification, section "Floating Point Accuracy"):
 * `sin` and `cos` to 2^-11 absolute on [-pi, pi], `exp` and `log` to a few ULP plus terms
 * growing with the argument, and functions built from them inherit those bounds. SwiftShader in
 * Chromium uses that latitude, so these tolerances follow the specification.
 */
const UNARY_TOLERANCES: Partial<Record<string, { rtol?: number; atol?: number }>> = {
  Sin: { atol: 2 ** -11 },
  Cos: { atol: 2 ** -11 },
  Exp: { rtol: 1e-5 },
  Log: { rtol: 1e-5, atol: 1e-6 },
  Tanh: { rtol: 1e-5, atol: 1e-5 },
  Sigmoid: { rtol: 1e-5, atol: 1e-6 },
  Softplus: { rtol: 1e-5, atol: 1e-6 },
  Silu: { rtol: 1e-5, atol: 1e-6 },
};

function elementwiseVectors(): TestVector[] {
  const vectors: TestVector[] = [];
  for (const op of UNARY_KERNELS) {
    vectors.push({
      name: `Unary ${op} float32`,
      kernel: "Unary",
      attrs: { op },
      inputs: [f([3, 5], UNARY_RANGES[op])],
      ...UNARY_TOLERANCES[op],
    });
  }
  for (const op of ["Neg", "Abs", "Sign", "Square", "Relu"] as const) {
    vectors.push({ name: `Unary ${op} int32`, kernel: "Unary", attrs: { op }, inputs: [int([7])] });
  }
  for (const op of BINARY_KERNELS) {
    const range: [number, number] = op === "Pow" ? [0.2, 3] : [-3, 3];
    // WGSL pow is exp2(y * log2(x)) and inherits their error bounds.
    const tolerance = op === "Pow" ? { rtol: 1e-5 } : {};
    vectors.push({
      name: `Binary ${op} same shape`,
      kernel: "Binary",
      attrs: { op },
      inputs: [f([4, 3], range), f([4, 3], op === "Div" ? [0.5, 3] : range)],
      ...tolerance,
    });
    vectors.push({
      name: `Binary ${op} broadcast`,
      kernel: "Binary",
      attrs: { op },
      inputs: [f([2, 1, 4], range), f([3, 1], op === "Div" ? [0.5, 3] : range)],
      ...tolerance,
    });
  }
  vectors.push({
    name: "Binary Pow negative base, integer exponent",
    kernel: "Binary",
    attrs: { op: "Pow" },
    inputs: [
      { shape: [4], dtype: "float32", values: [-2, -1.5, -3, 2] },
      { shape: [4], dtype: "float32", values: [3, 2, 0, -1] },
    ],
    rtol: 1e-5,
  });
  for (const op of ["Add", "Sub", "Mul", "Maximum", "Minimum"] as const) {
    vectors.push({
      name: `Binary ${op} int32 broadcast`,
      kernel: "Binary",
      attrs: { op },
      inputs: [int([3, 4]), int([4])],
    });
  }
  vectors.push({
    name: "Binary Add scalar",
    kernel: "Binary",
    attrs: { op: "Add" },
    inputs: [f([5]), f([])],
  });
  for (const op of COMPARISON_KERNELS) {
    vectors.push({
      name: `Compare ${op}`,
      kernel: "Compare",
      attrs: { op },
      inputs: [
        { shape: [2, 3], dtype: "float32", values: [1, 2, 3, 4, 5, 6] },
        { shape: [3], dtype: "float32", values: [2, 2, 5] },
      ],
    });
  }
  vectors.push({
    name: "Compare Less int32",
    kernel: "Compare",
    attrs: { op: "Less" },
    inputs: [int([6]), int([6])],
  });
  vectors.push({
    name: "Where broadcast",
    kernel: "Where",
    attrs: {},
    inputs: [{ shape: [3, 1], dtype: "int32", values: [1, 0, 5] }, f([3, 4]), f([4])],
  });
  vectors.push({
    name: "Where int32",
    kernel: "Where",
    attrs: {},
    inputs: [int([5], [0, 1]), int([5]), int([5])],
  });
  vectors.push({
    name: "Cast float32 to int32 truncates",
    kernel: "Cast",
    attrs: { dtype: "int32" },
    inputs: [{ shape: [6], dtype: "float32", values: [-2.7, -0.5, 0, 0.5, 2.7, 1e6] }],
  });
  vectors.push({
    name: "Cast int32 to float32",
    kernel: "Cast",
    attrs: { dtype: "float32" },
    inputs: [int([6])],
  });
  return vectors;
}

function reductionVectors(): TestVector[] {
  const vectors: TestVector[] = [];
  for (const op of ["Sum", "Max", "Min"] as const) {
    vectors.push({
      name: `Reduce ${op} axis 1`,
      kernel: "Reduce",
      attrs: { op, axes: [1] },
      inputs: [f([3, 70, 2])],
    });
    vectors.push({
      name: `Reduce ${op} axes 0 and 2`,
      kernel: "Reduce",
      attrs: { op, axes: [0, 2] },
      inputs: [f([4, 3, 5])],
    });
    vectors.push({
      name: `Reduce ${op} all of 20000`,
      kernel: "Reduce",
      attrs: { op, axes: [0, 1] },
      inputs: [f([200, 100])],
      rtol: 1e-4,
      atol: 1e-3,
    });
    vectors.push({
      name: `Reduce ${op} int32`,
      kernel: "Reduce",
      attrs: { op, axes: [0] },
      inputs: [int([9, 2])],
    });
  }
  vectors.push({
    name: "Reduce Sum over empty axis",
    kernel: "Reduce",
    attrs: { op: "Sum", axes: [1] },
    inputs: [f([3, 0])],
  });
  return vectors;
}

function matmulVectors(): TestVector[] {
  const vectors: TestVector[] = [];
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      vectors.push({
        name: `BatchMatMul transposeA=${ta} transposeB=${tb}`,
        kernel: "BatchMatMul",
        attrs: { transposeA: ta, transposeB: tb },
        inputs: [f(ta ? [2, 19, 5] : [2, 5, 19]), f(tb ? [2, 7, 19] : [2, 19, 7])],
      });
    }
  }
  vectors.push({
    name: "BatchMatMul broadcast batch",
    kernel: "BatchMatMul",
    attrs: { transposeA: false, transposeB: false },
    inputs: [f([2, 1, 5, 7]), f([3, 7, 4])],
  });
  vectors.push({
    name: "BatchMatMul 70x50x40",
    kernel: "BatchMatMul",
    attrs: { transposeA: false, transposeB: false },
    inputs: [f([70, 50]), f([50, 40])],
    rtol: 1e-5,
    atol: 1e-4,
  });
  vectors.push({
    name: "BatchMatMul int32",
    kernel: "BatchMatMul",
    attrs: { transposeA: false, transposeB: true },
    inputs: [int([3, 4]), int([5, 4])],
  });
  return vectors;
}

function movementVectors(): TestVector[] {
  return [
    {
      name: "BroadcastTo",
      kernel: "BroadcastTo",
      attrs: { shape: [2, 3, 4] },
      inputs: [f([3, 1])],
    },
    {
      name: "Transpose rank 3",
      kernel: "Transpose",
      attrs: { perm: [2, 0, 1] },
      inputs: [f([2, 3, 4])],
    },
    {
      name: "Transpose rank 4 int32",
      kernel: "Transpose",
      attrs: { perm: [1, 3, 0, 2] },
      inputs: [int([2, 3, 2, 5])],
    },
    {
      name: "Slice",
      kernel: "Slice",
      attrs: { begin: [1, 0, 2], size: [2, 3, 2] },
      inputs: [f([4, 3, 5])],
    },
    {
      name: "Pad with value",
      kernel: "Pad",
      attrs: {
        paddings: [
          [1, 0],
          [2, 1],
        ],
        value: 1.5,
      },
      inputs: [f([2, 3])],
    },
    {
      name: "Pad int32",
      kernel: "Pad",
      attrs: { paddings: [[0, 2]], value: -3 },
      inputs: [int([3])],
    },
    {
      name: "Concat axis 1",
      kernel: "Concat",
      attrs: { axis: 1 },
      inputs: [f([2, 1, 3]), f([2, 4, 3]), f([2, 2, 3])],
    },
    {
      name: "Concat axis 0 int32",
      kernel: "Concat",
      attrs: { axis: 0 },
      inputs: [int([2, 2]), int([1, 2])],
    },
    {
      name: "Gather axis 0",
      kernel: "Gather",
      attrs: { axis: 0 },
      inputs: [f([5, 3]), ints([4, 0, 4, 2])],
    },
    {
      name: "Gather axis 1 int32",
      kernel: "Gather",
      attrs: { axis: 1 },
      inputs: [int([2, 4, 3]), ints([3, 3, 1])],
    },
  ];
}

function segmentVectors(): TestVector[] {
  const ids = [3, 0, 3, 1, 0, 3, 5, 1];
  return [true, false].flatMap((deterministic) => [
    {
      name: `SegmentSum deterministic=${deterministic}`,
      kernel: "SegmentSum" as const,
      attrs: { numSegments: 6, deterministic },
      inputs: [f([8, 3]), ints(ids)],
    },
    {
      name: `SegmentSum ids computed on device deterministic=${deterministic}`,
      kernel: "SegmentSum" as const,
      attrs: { numSegments: 7, deterministic },
      inputs: [f([8, 2, 2]), ints(ids, true)],
    },
    {
      name: `SegmentSum int32 deterministic=${deterministic}`,
      kernel: "SegmentSum" as const,
      attrs: { numSegments: 6, deterministic },
      inputs: [int([8]), ints(ids)],
    },
  ]);
}

/**
 * Builds `SparseMatMul` vectors of a 5 x 6 sparse matrix with an empty row and a repeated
 * position. The transpose is passed as the kernel requires, but the kernel does not read it.
 */
function sparseVectors(): TestVector[] {
  const rowStart = [0, 2, 2, 5, 6, 8];
  const columns = [1, 4, 0, 5, 0, 3, 2, 2];
  const rowStartT = [0, 2, 3, 5, 6, 7, 8];
  const columnsT = [2, 2, 0, 4, 4, 3, 0, 2];
  const weights = f([8]);
  return [3, 1].map((width) => ({
    name: `SparseMatMul [5, 6] by [6, ${width}]`,
    kernel: "SparseMatMul" as const,
    attrs: { rows: 5 },
    inputs: [
      ints(rowStart),
      ints(columns),
      weights,
      f([6, width]),
      ints(rowStartT),
      ints(columnsT),
      f([8]),
    ],
  }));
}

/** Unit and non-unit vectors, including both poles and a point next to the pole. */
const SH_VECTORS: InputSpec = {
  shape: [7, 3],
  dtype: "float32",
  values: [
    0,
    0,
    1,
    0,
    0,
    -1,
    1,
    0,
    0,
    0.3,
    -0.4,
    1.2,
    -0.5,
    0.7,
    0.1,
    1e-4,
    2e-4,
    1,
    2 / 7,
    3 / 7,
    6 / 7,
  ],
};

function harmonicsVectors(): TestVector[] {
  const vectors: TestVector[] = [];
  for (const lmax of [0, 1, 3, 6]) {
    for (const componentNormalization of [false, true]) {
      const attrs = { lmax, componentNormalization };
      const dim = (lmax + 1) * (lmax + 1);
      vectors.push({
        name: `SphericalHarmonics lmax=${lmax} component=${componentNormalization}`,
        kernel: "SphericalHarmonics",
        attrs,
        inputs: [SH_VECTORS],
        atol: 1e-5,
      });
      vectors.push({
        name: `SphericalHarmonicsGrad lmax=${lmax} component=${componentNormalization}`,
        kernel: "SphericalHarmonicsGrad",
        attrs,
        inputs: [SH_VECTORS, f([7, dim])],
        atol: 1e-4,
      });
    }
  }
  return vectors;
}

/**
 * Builds a plan with random coefficients over every `(m1, m2, m)` triple of each path (about half kept),
 * so the interpreter is checked independently of the CG coefficients themselves.
 */
export function syntheticPlan(mode: CGChannelMode, seed: number): CGPlanData {
  const random = seededRandom(seed);
  // Parts [l, tau] of x1, x2; output parts by mode.
  const parts1: readonly (readonly [number, number])[] = [
    [0, 2],
    [1, 3],
  ];
  // Channel-wise coupling needs equal channel counts, so its x2 parts match those of x1.
  const parts2: readonly (readonly [number, number])[] =
    mode === "uuu"
      ? [
          [0, 2],
          [1, 3],
          [2, 2],
        ]
      : [
          [0, 1],
          [1, 2],
          [2, 1],
        ];
  const couplings: [number, number, number][] = [];
  parts1.forEach((_, i1) => parts2.forEach((_, i2) => couplings.push([i1, i2, -1])));
  const offsets = (parts: readonly (readonly [number, number])[]) => {
    const out: number[] = [];
    let o = 0;
    for (const [l, tau] of parts) {
      out.push(o);
      o += (2 * l + 1) * tau;
    }
    return { out, dim: o };
  };
  const o1 = offsets(parts1);
  const o2 = offsets(parts2);
  const paths: CGPathData[] = [];
  const m1: number[] = [];
  const m2: number[] = [];
  const m: number[] = [];
  const coefficients: number[] = [];
  // Output parts: one per output l for uvw (tauOut 3), else stacked channels per l.
  const outChannels = new Map<number, number>();
  const pathList: { i1: number; i2: number; l: number; channels: number }[] = [];
  for (const [i1, i2] of couplings) {
    const [l1, tau1] = parts1[i1]!;
    const [l2, tau2] = parts2[i2]!;
    for (let l = Math.abs(l1 - l2); l <= Math.min(l1 + l2, 2); l++) {
      if (mode === "uuu" && tau1 !== tau2) continue;
      const channels = mode === "uvuv" ? tau1 * tau2 : mode === "uvw" ? 3 : tau1;
      pathList.push({ i1, i2, l, channels });
    }
  }
  for (const p of pathList) {
    if (mode === "uvw") outChannels.set(p.l, 3);
    else outChannels.set(p.l, (outChannels.get(p.l) ?? 0) + p.channels);
  }
  const outLs = [...outChannels.keys()].sort((a, b) => a - b);
  const outOffset = new Map<number, number>();
  let dimOut = 0;
  for (const l of outLs) {
    outOffset.set(l, dimOut);
    dimOut += (2 * l + 1) * (outChannels.get(l) as number);
  }
  const used = new Map<number, number>();
  let weightDim = 0;
  for (const p of pathList) {
    const [l1, tau1] = parts1[p.i1]!;
    const [l2, tau2] = parts2[p.i2]!;
    const start = coefficients.length;
    for (let a = 0; a < 2 * l1 + 1; a++) {
      for (let b = 0; b < 2 * l2 + 1; b++) {
        for (let c = 0; c < 2 * p.l + 1; c++) {
          if (random() < 0.5) continue;
          m1.push(a);
          m2.push(b);
          m.push(c);
          coefficients.push(random() * 2 - 1);
        }
      }
    }
    const weights = mode === "uvu" ? tau1 * tau2 : mode === "uvw" ? tau1 * tau2 * 3 : 0;
    paths.push({
      l1,
      l2,
      l: p.l,
      offset1: o1.out[p.i1] as number,
      tau1,
      offset2: o2.out[p.i2] as number,
      tau2,
      offsetOut: outOffset.get(p.l) as number,
      tauOut: outChannels.get(p.l) as number,
      channelOffsetOut: mode === "uvw" ? 0 : (used.get(p.l) ?? 0),
      weightOffset: weights > 0 ? weightDim : -1,
      coefficientStart: start,
      coefficientCount: coefficients.length - start,
      pathWeight: 0.5 + random(),
    });
    used.set(p.l, (used.get(p.l) ?? 0) + p.channels);
    weightDim += weights;
  }
  return {
    key: `synthetic:${mode}:${seed}`,
    mode,
    dim1: o1.dim,
    dim2: o2.dim,
    dimOut,
    weightDim,
    paths,
    m1: Int32Array.from(m1),
    m2: Int32Array.from(m2),
    m: Int32Array.from(m),
    coefficients: Float64Array.from(coefficients),
  };
}

function cgVectors(): TestVector[] {
  const vectors: TestVector[] = [];
  const batch = 3;
  (["uvuv", "uuu", "uvu", "uvw"] as const).forEach((mode, index) => {
    const plan = syntheticPlan(mode, 100 + index);
    const weighted = plan.weightDim > 0;
    for (const perItemWeights of weighted ? [false, true] : [false]) {
      const weights = weighted
        ? f(perItemWeights ? [batch, plan.weightDim] : [plan.weightDim])
        : placeholder;
      const operands: Record<string, InputSpec> = {
        x1: f([batch, plan.dim1]),
        x2: f([batch, plan.dim2]),
        weights,
        out: f([batch, plan.dimOut]),
      };
      for (const target of ["out", "x1", "x2", "weights"] as const) {
        if (target === "weights" && !weighted) continue;
        const inputs = (["x1", "x2", "weights", "out"] as const).map((name) =>
          name === target ? placeholder : (operands[name] as InputSpec),
        );
        vectors.push({
          name: `CGProduct ${mode} target=${target} perItemWeights=${perItemWeights}`,
          kernel: "CGProduct",
          attrs: { plan, target, batch, perItemWeights },
          inputs,
          atol: 1e-4,
        });
      }
    }
  });
  return vectors;
}

/** Every conformance vector. */
export const CONFORMANCE_VECTORS: readonly TestVector[] = [
  ...elementwiseVectors(),
  ...reductionVectors(),
  ...matmulVectors(),
  ...movementVectors(),
  ...segmentVectors(),
  ...sparseVectors(),
  ...harmonicsVectors(),
  ...cgVectors(),
];
