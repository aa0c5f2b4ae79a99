import { readFileSync } from "node:fs";
import { cpuBackendModule } from "@covnet/backend-cpu";
import {
  createContainer,
  type DType,
  type Engine,
  initEngine,
  Random,
  type Tensor,
} from "@covnet/core";

/** A fresh float64 engine on the CPU backend in its own container. */
export async function cpuEngine(defaultFloat: "float32" | "float64" = "float64"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat });
}

/** Parses a committed fixture. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as T;
}

/** Seeded standard normal values. */
export function normals(n: number, seed: number): Float64Array {
  const rng = new Random(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** A seeded random tensor of standard normal values. */
export function randomTensor(
  engine: Engine,
  shape: readonly number[],
  seed: number,
  dtype: DType = "float64",
): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return engine.makeTensor(normals(n, seed), shape, dtype);
}

/**
 * Central finite-difference gradient of the scalar `f` at `x` (a float64 tensor), entry by entry.
 */
export function finiteDifferenceGradient(
  f: (x: Tensor) => number,
  x: Tensor,
  step = 1e-6,
): Float64Array {
  const base = x.dataSync() as Float64Array;
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const plus = base.slice();
    const minus = base.slice();
    plus[i] = (plus[i] as number) + step;
    minus[i] = (minus[i] as number) - step;
    const tp = x.engine.makeTensor(plus, x.shape, x.dtype);
    const tm = x.engine.makeTensor(minus, x.shape, x.dtype);
    out[i] = (f(tp) - f(tm)) / (2 * step);
    tp.dispose();
    tm.dispose();
  }
  return out;
}

/** Largest absolute difference divided by `max(1, largest |expected|)`. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  return diff / scale;
}
