/**
 * `@covnet/cg/testing`: helpers for tests of SO(3)/O(3)-equivariant code.
 *
 * @module
 */
import { type DType, type Engine, Random, type Tensor } from "@covnet/core";
import {
  axisAngleToMatrix,
  det3,
  eulerToMatrix,
  Irreps,
  type Matrix3,
  quaternionToMatrix,
  realWignerD,
} from "@covnet/groups";

/**
 * The part of a group plugin that the equivariance check uses: elements are 3x3 orthogonal
 * matrices (row-major), rotations for SO(3) and rotations times `+-1` for O(3). The `SO3` and
 * `O3` plugins of `@covnet/groups` fit.
 */
export interface OrthogonalGroupLike {
  testingElements(): Matrix3[];
  random(random: Random): Matrix3;
}

/** Options of {@link expectEquivariant}. */
export interface EquivarianceOptions {
  /** Engine on which inputs are created. */
  readonly engine: Engine;
  /**
   * Group elements to test: its `testingElements()` and `randomElements` Haar-random ones.
   * Default: a fixed set of rotations (identity, small and large angles, near-gimbal-lock
   * angles, 90- and 180-degree turns), with each also inverted when `parity` is on.
   */
  readonly group?: OrthogonalGroupLike;
  /** Irreps of each input of `fn`, in argument order. */
  readonly inputIrreps: Irreps | string | readonly (Irreps | string)[];
  readonly outputIrreps: Irreps | string;
  /** Batch rows per input (default 3). */
  readonly samples?: number;
  /** Number of random group elements added to the testing elements (default 4). */
  readonly randomElements?: number;
  /** Seed of inputs and random elements (default 1). */
  readonly seed?: number;
  /**
   * Also test the inversion `x -> -x` (O(3)); with the default group only. Default: true when
   * the irreps are O(3) irreps.
   */
  readonly parity?: boolean;
  /** Largest allowed relative error; default from the dtype: 1e-12 (float64), 1e-5 (float32). */
  readonly tolerance?: number;
  /** Default `float64`. */
  readonly dtype?: DType;
}

/** Result of {@link expectEquivariant}: the worst relative error of each output part. */
export interface EquivarianceReport {
  readonly tolerance: number;
  readonly worst: number;
  /** One entry per part of the output irreps, such as `{ irrep: "8x1o", error: 3e-16 }`. */
  readonly parts: readonly { readonly irrep: string; readonly error: number }[];
  /** Number of group elements tested. */
  readonly elements: number;
}

function defaultRotations(): Matrix3[] {
  return [
    eulerToMatrix(0, 0, 0),
    eulerToMatrix(0.1, 0.2, 0.3),
    eulerToMatrix(-2.1, 1.3, 0.7),
    eulerToMatrix(Math.PI / 2, 0, 0),
    eulerToMatrix(0, Math.PI / 2, 0),
    eulerToMatrix(0, Math.PI, 0),
    eulerToMatrix(0.4, 1e-9, -1.1),
    axisAngleToMatrix([1, 1, 1], (2 * Math.PI) / 3),
    axisAngleToMatrix([1, -2, 0.5], 3.0),
  ];
}

function haarRotation(random: Random): Matrix3 {
  return quaternionToMatrix({
    w: random.normal(),
    x: random.normal(),
    y: random.normal(),
    z: random.normal(),
  });
}

/**
 * Applies the representation of `g` (a rotation or a rotation times -1) to one row with
 * `irreps`: each part `[2l+1, mul]` is multiplied by `D^l(R)`, and by -1 for odd parts when `g`
 * includes the inversion.
 */
export function applyRepresentation(
  irreps: Irreps,
  g: Matrix3,
  row: ArrayLike<number>,
  out: Float64Array,
): void {
  const inverted = det3(g) < 0;
  const rotation = inverted ? g.map((v) => -v) : g;
  irreps.entries.forEach((e, i) => {
    const n = 2 * e.l + 1;
    const d = realWignerD(e.l, rotation);
    const sign = inverted && e.p === -1 ? -1 : 1;
    const start = irreps.offsets[i] as number;
    for (let a = 0; a < n; a++) {
      for (let c = 0; c < e.mul; c++) {
        let s = 0;
        for (let b = 0; b < n; b++)
          s += (d[a * n + b] as number) * (row[start + b * e.mul + c] as number);
        out[start + a * e.mul + c] = sign * s;
      }
    }
  });
}

function transformRows(
  irreps: Irreps,
  g: Matrix3,
  values: ArrayLike<number>,
  rows: number,
): Float64Array {
  const out = new Float64Array(rows * irreps.dim);
  const tmp = new Float64Array(irreps.dim);
  for (let r = 0; r < rows; r++) {
    const row = Array.prototype.slice.call(
      values,
      r * irreps.dim,
      (r + 1) * irreps.dim,
    ) as number[];
    applyRepresentation(irreps, g, row, tmp);
    out.set(tmp, r * irreps.dim);
  }
  return out;
}

/** Runs `f` in a scope and reads its result back; every tensor it made is released. */
function evaluate(engine: Engine, f: () => Tensor): Float64Array {
  let values = new Float64Array(0);
  engine.scope(() => {
    values = Float64Array.from(f().dataSync());
  });
  return values;
}

/**
 * Checks that `fn` is equivariant: for each group element `g`, `fn(D(g) x1, D(g) x2, ...)`
 * equals `D(g) fn(x1, x2, ...)` with the real Wigner matrices of the input and output irreps
 * (times the parity for O(3) irreps under inversion). Inputs are seeded standard normal
 * `[samples, dim]` tensors of `dtype`.
 *
 * The error of an output part is `max |f(D x) - D f(x)|` over its entries divided by
 * `max |D f(x)|` over the same entries (or over the whole output when the part is zero).
 *
 * @example
 * ```ts
 * const plan = compileCGPlan("2x1o", "1o");
 * expectEquivariant((a, b) => cgProduct(a!, b!, plan), {
 *   engine, inputIrreps: ["2x1o", "1o"], outputIrreps: plan.irrepsOut,
 * });
 * ```
 * @returns the report when every part is within the tolerance.
 * @throws {Error} listing the worst relative error of each output part, the element count and
 *   the tolerance, when a part exceeds the tolerance or an output has the wrong shape.
 */
export function expectEquivariant(
  fn: (...inputs: Tensor[]) => Tensor,
  options: EquivarianceOptions,
): EquivarianceReport {
  const { engine } = options;
  const dtype = options.dtype ?? "float64";
  const tolerance = options.tolerance ?? (dtype === "float32" ? 1e-5 : 1e-12);
  const samples = options.samples ?? 3;
  const random = new Random(options.seed ?? 1);
  const inputs = (
    Array.isArray(options.inputIrreps) ? options.inputIrreps : [options.inputIrreps]
  ).map((i) => Irreps.from(i as Irreps | string));
  const output = Irreps.from(options.outputIrreps);
  const o3 = [...inputs, output].some((i) => i.dim > 0 && !i.isSO3);

  let elements: Matrix3[];
  if (options.group !== undefined) {
    elements = options.group.testingElements();
    for (let k = 0; k < (options.randomElements ?? 4); k++)
      elements.push(options.group.random(random));
  } else {
    elements = defaultRotations();
    for (let k = 0; k < (options.randomElements ?? 4); k++) elements.push(haarRotation(random));
    if (options.parity ?? o3) elements = [...elements, ...elements.map((g) => g.map((v) => -v))];
  }

  const values = inputs.map((ir) =>
    Float64Array.from({ length: samples * ir.dim }, () => random.normal()),
  );
  const make = (v: Float64Array, ir: Irreps) => engine.makeTensor(v, [samples, ir.dim], dtype);
  const reference = evaluate(engine, () =>
    fn(...values.map((v, i) => make(v, inputs[i] as Irreps))),
  );
  if (reference.length !== samples * output.dim) {
    throw new Error(
      `expectEquivariant: fn returned ${reference.length} values, expected [${samples}, ${output.dim}] for ${output}`,
    );
  }
  const errors = output.entries.map(() => 0);
  for (const g of elements) {
    const rotated = evaluate(engine, () =>
      fn(
        ...values.map((v, i) =>
          make(transformRows(inputs[i] as Irreps, g, v, samples), inputs[i] as Irreps),
        ),
      ),
    );
    const expected = transformRows(output, g, reference, samples);
    let overall = 0;
    for (const v of expected) overall = Math.max(overall, Math.abs(v));
    output.entries.forEach((e, i) => {
      const start = output.offsets[i] as number;
      const size = (2 * e.l + 1) * e.mul;
      let diff = 0;
      let scale = 0;
      for (let r = 0; r < samples; r++) {
        for (let k = start; k < start + size; k++) {
          const idx = r * output.dim + k;
          diff = Math.max(diff, Math.abs((rotated[idx] as number) - (expected[idx] as number)));
          scale = Math.max(scale, Math.abs(expected[idx] as number));
        }
      }
      const denominator = scale > 0 ? scale : overall > 0 ? overall : 1;
      errors[i] = Math.max(errors[i] as number, diff / denominator);
    });
  }
  const parts = output.entries.map((e, i) => ({
    irrep: `${e.mul}x${e.l}${e.p === 1 ? "e" : e.p === -1 ? "o" : ""}`,
    error: errors[i] as number,
  }));
  const worst = Math.max(0, ...errors);
  if (!(worst <= tolerance)) {
    const lines = parts.map((p) => `  ${p.irrep}: ${p.error.toExponential(2)}`).join("\n");
    throw new Error(
      `not equivariant: worst relative error ${worst.toExponential(2)} exceeds tolerance ${tolerance} (${dtype}, ${elements.length} group elements)\n${lines}`,
    );
  }
  return { tolerance, worst, parts, elements: elements.length };
}
