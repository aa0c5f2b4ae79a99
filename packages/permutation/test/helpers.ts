import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, initEngine, Random, type Tensor } from "@covnet/core";

/** A fresh float64 engine on the CPU backend. */
export async function cpuEngine(): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat: "float64" });
}

/** Seeded standard-normal float64 tensor. */
export function randomTensor(engine: Engine, shape: readonly number[], seed: number): Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return engine.makeTensor(
    Float64Array.from({ length: n }, () => rng.normal()),
    shape,
    "float64",
  );
}

/** A seeded random permutation of 1..n in one-line notation. */
export function randomPermutation(n: number, seed: number): number[] {
  return new Random(seed).shuffle(Array.from({ length: n }, (_, i) => i + 1));
}

/** Largest absolute difference of two tensors' values. */
export function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  if (x.length !== y.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)));
  return m;
}
