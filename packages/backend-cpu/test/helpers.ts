import {
  createContainer,
  type DType,
  type Engine,
  initEngine,
  Random,
  type Tensor,
} from "@covnet/core";
import { cpuBackendModule } from "../src/index.js";

/** A fresh engine on the CPU backend in its own container. */
export async function cpuEngine(defaultFloat: "float32" | "float64" = "float64"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat });
}

/** How {@link randomTensor} draws values. */
export type Draw = "normal" | "positive" | "nonzero";

/**
 * A seeded random tensor. `positive` draws from [0.5, 2), `nonzero` keeps |x| >= 0.2 so that
 * finite differences never cross the kink of abs, relu or sign.
 */
export function randomTensor(
  engine: Engine,
  shape: readonly number[],
  seed: number,
  draw: Draw = "normal",
  dtype: DType = "float64",
): Tensor {
  const rng = new Random(seed);
  let n = 1;
  for (const d of shape) n *= d;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (draw === "positive") values[i] = 0.5 + 1.5 * rng.uniform();
    else if (draw === "nonzero")
      values[i] = (rng.uniform() < 0.5 ? -1 : 1) * (0.2 + Math.abs(rng.normal()));
    else values[i] = rng.normal();
  }
  return engine.makeTensor(values, shape, dtype);
}

/** Seeded random values as a plain array. */
export function randomValues(n: number, seed: number): number[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => rng.normal());
}
