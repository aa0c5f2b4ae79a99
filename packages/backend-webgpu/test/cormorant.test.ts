import { add, type Engine, mean, Random, square, type Tensor, valueAndGrads } from "@covnet/core";
import { loadDataset, makeBatch } from "@covnet/datasets";
import { Cormorant, type MoleculeBatch, toAtomsInput } from "@covnet/models-cormorant";
import { describe, expect, it } from "vitest";
import { cpuEngine, webgpuRequired, webgpuSetup } from "./helpers.js";

// Cormorant on WebGPU in float32. The energy is invariant and the forces covariant under
// rotations and a reflection. Energies, forces and the training gradient agree with the same
// weights on the CPU in float64. Errors measured on llvmpipe are below 1e-6 relative. The bounds
// are looser because GPUs may compute sin and cos less accurately.
const ENERGY_RTOL = 1e-5;
const FORCE_RTOL = 1e-4;

const gpu = await webgpuSetup();

/** Returns a rotation matrix (row-major 3x3) from a random unit quaternion, uniform on SO(3). */
function randomRotation(rng: Random): number[] {
  const q = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  const n = Math.hypot(...q);
  const [w, x, y, z] = q.map((v) => v / n) as [number, number, number, number];
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
  ].flat();
}

/** Applies the 3x3 matrix `r` to every row of `vectors [n * 3]`. */
function transform(vectors: ArrayLike<number>, r: readonly number[]): Float64Array {
  const out = new Float64Array(vectors.length);
  for (let i = 0; i < vectors.length / 3; i++) {
    for (let a = 0; a < 3; a++) {
      let s = 0;
      for (let b = 0; b < 3; b++) s += (r[3 * a + b] as number) * (vectors[3 * i + b] as number);
      out[3 * i + a] = s;
    }
  }
  return out;
}

/** Returns the largest `|actual - expected|` divided by `scale`. */
function relativeError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  scale: number,
): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  }
  return worst / scale;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i] as number));
  return m;
}

describe("Cormorant on WebGPU", () => {
  if (!gpu.ok) {
    if (webgpuRequired()) {
      it("has a WebGPU adapter (required because CI is set)", () => {
        throw new Error(`no WebGPU adapter, so Cormorant cannot run on WebGPU: ${gpu.reason}`);
      });
    } else {
      // Printed so that a skipped GPU suite is visible in the test log.
      console.warn(`Cormorant on WebGPU skipped: ${gpu.reason}`);
      it.skip(`Cormorant on WebGPU (skipped: ${gpu.reason})`, () => {});
    }
    return;
  }
  const { engine, backend } = gpu;
  const config = { maxl: 2, levels: 2, channels: 4 };

  it("energy invariant, forces covariant in float32", async () => {
    const ds = await loadDataset("rmd17/ethanol");
    const batch = makeBatch(ds, [0, 1, 2, 3], { cutoff: 5 });
    const model = new Cormorant(engine, config, new Random(1), "float32");
    const options = {
      species: model.config.species,
      chargePower: model.config.chargePower,
      dtype: "float32" as const,
    };
    const predict = async (b: MoleculeBatch) => {
      const out = engine.scope(() => model.energiesAndForces(toAtomsInput(engine, b, options)));
      const [energies, forces] = await Promise.all([out.energies.data(), out.forces.data()]);
      out.energies.dispose();
      out.forces.dispose();
      return { energies, forces };
    };

    const buffersBefore = backend.bufferStats().liveBuffers;
    const base = await predict(batch);
    expect(backend.bufferStats().liveBuffers).toBe(buffersBefore);

    // The same weights in float64 on the CPU.
    const cpu = await cpuEngine();
    const reference = new Cormorant(cpu, config, new Random(2), "float64");
    reference.loadStateDict(await model.stateDictAsync());
    const expected = reference.energiesAndForces(
      toAtomsInput(cpu, batch, { ...options, dtype: "float64" }),
    );
    const energyScale = maxAbs(expected.energies.dataSync());
    const forceScale = maxAbs(expected.forces.dataSync());
    expect(energyScale).toBeGreaterThan(0);
    expect(forceScale).toBeGreaterThan(0);
    expect(relativeError(base.energies, expected.energies.dataSync(), energyScale)).toBeLessThan(
      ENERGY_RTOL,
    );
    expect(relativeError(base.forces, expected.forces.dataSync(), forceScale)).toBeLessThan(
      FORCE_RTOL,
    );

    const rng = new Random(7);
    for (const reflect of [false, false, true]) {
      const r = randomRotation(rng);
      if (reflect) for (let k = 0; k < 9; k++) r[k] = -(r[k] as number);
      const moved = await predict({ ...batch, positions: transform(batch.positions, r) });
      const energyError = relativeError(moved.energies, base.energies, energyScale);
      const forceError = relativeError(moved.forces, transform(base.forces, r), forceScale);
      expect(energyError, `energy, reflection ${reflect}`).toBeLessThan(ENERGY_RTOL);
      expect(forceError, `forces, reflection ${reflect}`).toBeLessThan(FORCE_RTOL);
    }
    model.dispose();
  });

  it("training gradient matches the CPU", async () => {
    // A loss on energies and forces differentiated with respect to every parameter runs the
    // double backward of every kernel on the force path, as each training step does.
    const ds = await loadDataset("rmd17/ethanol");
    const batch = makeBatch(ds, [5, 6], { cutoff: 5 });
    const model = new Cormorant(engine, config, new Random(3), "float32");
    const cpu = await cpuEngine();
    const reference = new Cormorant(cpu, config, new Random(4), "float64");
    reference.loadStateDict(await model.stateDictAsync());
    const gradients = async (on: Engine, m: Cormorant): Promise<Float64Array[]> => {
      const dtype = m.dtype;
      const options = { species: m.config.species, chargePower: m.config.chargePower, dtype };
      const parameters = [...m.parameters().values()].map((p) => p.value);
      const grads = on.scope(() => {
        const input = toAtomsInput(on, batch, options);
        return valueAndGrads(() => {
          const { energies, forces } = m.energiesAndForces(input);
          return add(mean(square(energies)), mean(square(forces)));
        }, parameters).grads;
      });
      const values = await Promise.all(grads.map((g: Tensor) => g.data()));
      for (const g of grads) g.dispose();
      return values.map((v) => Float64Array.from(v));
    };

    const buffersBefore = backend.bufferStats().liveBuffers;
    const actual = await gradients(engine, model);
    expect(backend.bufferStats().liveBuffers).toBe(buffersBefore);
    const expected = await gradients(cpu, reference);
    const names = [...model.parameters().keys()];
    const scale = Math.max(...expected.map(maxAbs));
    expect(scale).toBeGreaterThan(0);
    expected.forEach((e, k) => {
      const error = relativeError(actual[k] as Float64Array, e, scale);
      expect(error, `gradient of ${names[k]}`).toBeLessThan(FORCE_RTOL);
    });
    model.dispose();
  });
});
