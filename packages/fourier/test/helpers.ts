import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, initEngine, Random, type Tensor } from "@covnet/core";

/** A fresh float64 engine on the CPU backend in its own container. */
export async function cpuEngine(): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat: "float64" });
}

/** Seeded standard normal values. */
export function normals(n: number, seed: number): Float64Array {
  const random = new Random(seed);
  return Float64Array.from({ length: n }, () => random.normal());
}

/** A seeded standard normal float64 tensor. */
export function randomTensor(engine: Engine, shape: readonly number[], seed: number): Tensor {
  return engine.makeTensor(
    normals(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
    "float64",
  );
}

/** Largest absolute difference divided by the largest absolute entry of `expected`. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`length mismatch: ${actual.length} against ${expected.length}`);
  }
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return diff / (scale > 0 ? scale : 1);
}
