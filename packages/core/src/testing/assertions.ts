/**
 * Numeric comparison with tolerances, and the assertion error of the testing helpers.
 *
 * @module
 */
import { CovnetError } from "../errors.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** A check of `@covnet/core/testing` failed; the message prints what was compared. */
export class AssertionError extends CovnetError {
  constructor(message: string) {
    super("assertion", message);
  }
}

/** Values accepted by {@link expectClose}: a tensor, a flat array of numbers or one number. */
export type Numeric = Tensor | ArrayLike<number> | number;

/** Tolerances of {@link expectClose}: `|actual - expected| <= atol + rtol * |expected|`. */
export interface Tolerance {
  /** Relative tolerance. Default: `1e-12` for float64 data, `1e-5` otherwise. */
  readonly rtol?: number;
  /** Absolute tolerance. Default: `1e-12` for float64 data, `1e-6` otherwise. */
  readonly atol?: number;
}

/** Options of {@link expectClose}. */
export interface ExpectCloseOptions extends Tolerance {
  /** What was computed, printed first in the message, for example `"gradient of input 0"`. */
  readonly label?: string;
  /** The input that produced `actual`, printed in the message. */
  readonly input?: Numeric | readonly Numeric[];
  /** Maximum number of values printed per array. Default 24. */
  readonly maxPrinted?: number;
}

interface Flat {
  readonly values: ArrayLike<number>;
  readonly shape: readonly number[] | null;
  readonly float64: boolean;
}

function flatten(x: Numeric): Flat {
  if (x instanceof Tensor) {
    return { values: x.dataSync(), shape: x.shape, float64: x.dtype === "float64" };
  }
  if (typeof x === "number") return { values: [x], shape: null, float64: true };
  return { values: x, shape: null, float64: !(x instanceof Float32Array) };
}

/** Formats up to `max` values of an array, with its shape when known. */
export function formatValues(x: Numeric, max = 24): string {
  const f = flatten(x);
  const n = f.values.length;
  const shown: string[] = [];
  for (let i = 0; i < Math.min(n, max); i++) shown.push(String(f.values[i]));
  const tail = n > max ? `, ... (${n - max} more)` : "";
  const shape = f.shape === null ? "" : `${formatShape(f.shape)} `;
  return `${shape}[${shown.join(", ")}${tail}]`;
}

function formatInput(input: Numeric | readonly Numeric[], max: number): string {
  if (Array.isArray(input) && input.some((v) => v instanceof Tensor)) {
    return (input as readonly Numeric[])
      .map((v, i) => `\n  ${i}: ${formatValues(v, max)}`)
      .join("");
  }
  return formatValues(input as Numeric, max);
}

function isClose(a: number, e: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(e)) return Number.isNaN(a) && Number.isNaN(e);
  if (!Number.isFinite(e) || !Number.isFinite(a)) return a === e;
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

/**
 * Asserts that two numeric values agree elementwise: `|actual - expected| <= atol + rtol *
 * |expected|` (NumPy's `isclose`). NaN matches NaN, and infinities match only themselves. When
 * both are tensors their shapes must be equal; otherwise only the element counts must agree.
 *
 * @throws {AssertionError} with a message that prints the label, the input, the actual and
 *   expected values, the tolerance, and the worst element.
 * @example
 * ```ts
 * expectClose(matmul(a, b), [19, 22, 43, 50], { rtol: 1e-12, atol: 0 });
 * ```
 */
export function expectClose(
  actual: Numeric,
  expected: Numeric,
  options: ExpectCloseOptions = {},
): void {
  const a = flatten(actual);
  const e = flatten(expected);
  const float64 = a.float64 && e.float64;
  const rtol = options.rtol ?? (float64 ? 1e-12 : 1e-5);
  const atol = options.atol ?? (float64 ? 1e-12 : 1e-6);
  const max = options.maxPrinted ?? 24;
  const header = options.label === undefined ? "values differ" : `${options.label}: values differ`;
  const details = (): string => {
    const lines = [
      options.input === undefined ? "" : `\ninput: ${formatInput(options.input, max)}`,
      `\nactual:   ${formatValues(actual, max)}`,
      `\nexpected: ${formatValues(expected, max)}`,
      `\ntolerance: rtol ${rtol}, atol ${atol}`,
    ];
    return lines.join("");
  };
  if (a.shape !== null && e.shape !== null && formatShape(a.shape) !== formatShape(e.shape)) {
    throw new AssertionError(
      `${header}: shape ${formatShape(a.shape)} is not the expected ${formatShape(e.shape)}${details()}`,
    );
  }
  if (a.values.length !== e.values.length) {
    throw new AssertionError(
      `${header}: ${a.values.length} values, expected ${e.values.length}${details()}`,
    );
  }
  let failures = 0;
  let worst = -1;
  let worstExcess = -1;
  for (let i = 0; i < a.values.length; i++) {
    const av = a.values[i] as number;
    const ev = e.values[i] as number;
    if (isClose(av, ev, rtol, atol)) continue;
    failures++;
    const excess = Number.isFinite(av - ev)
      ? Math.abs(av - ev) / (atol + rtol * Math.abs(ev))
      : Infinity;
    if (worst < 0 || excess > worstExcess) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (failures === 0) return;
  const av = a.values[worst] as number;
  const ev = e.values[worst] as number;
  const allowed = atol + rtol * Math.abs(ev);
  throw new AssertionError(
    `${header} beyond the tolerance in ${failures} of ${a.values.length} elements; worst at flat ` +
      `index ${worst}: actual ${av}, expected ${ev}, |difference| ${Math.abs(av - ev)} > ${allowed}` +
      details(),
  );
}
