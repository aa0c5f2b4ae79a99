import { Random } from "@covnet/core";
import { loadDataset, makeBatch } from "@covnet/datasets";
import { describe, expect, it } from "vitest";
import { Cormorant, type MoleculeBatch, toAtomsInput } from "../src/index.js";
import { cpuEngine } from "./helpers.js";

function randomRotation(rng: Random): number[] {
  // Rotation from a random unit quaternion (uniform on SO(3)).
  let q = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  const n = Math.hypot(...q);
  q = q.map((v) => v / n);
  const [w, x, y, z] = q as [number, number, number, number];
  return [
    1 - 2 * (y * y + z * z),
    2 * (x * y - z * w),
    2 * (x * z + y * w),
    2 * (x * y + z * w),
    1 - 2 * (x * x + z * z),
    2 * (y * z - x * w),
    2 * (x * z - y * w),
    2 * (y * z + x * w),
    1 - 2 * (x * x + y * y),
  ];
}

function transform(positions: Float64Array, r: number[]): Float64Array {
  const out = new Float64Array(positions.length);
  for (let i = 0; i < positions.length / 3; i++) {
    for (let a = 0; a < 3; a++) {
      let s = 0;
      for (let b = 0; b < 3; b++) s += (r[3 * a + b] as number) * (positions[3 * i + b] as number);
      out[3 * i + a] = s;
    }
  }
  return out;
}

describe("Cormorant", () => {
  it("energy invariant and forces covariant", async () => {
    const engine = await cpuEngine("float64");
    const ds = await loadDataset("rmd17/ethanol");
    const batch = makeBatch(ds, [0, 1], { cutoff: 5 });
    const model = new Cormorant(
      engine,
      { maxl: 2, levels: 2, channels: 4 },
      new Random(1),
      "float64",
    );
    const opts = {
      species: model.config.species,
      chargePower: model.config.chargePower,
      dtype: "float64" as const,
    };
    const base = model.energiesAndForces(toAtomsInput(engine, batch, opts));
    const e0 = base.energies.toArray();
    const f0 = base.forces.toArray();
    const rng = new Random(7);
    for (let trial = 0; trial < 3; trial++) {
      const r = randomRotation(rng);
      if (trial === 2) for (let k = 0; k < 9; k++) r[k] = -(r[k] as number); // rotation with reflection
      const rotated: MoleculeBatch = { ...batch, positions: transform(batch.positions, r) };
      const out = model.energiesAndForces(toAtomsInput(engine, rotated, opts));
      const e = out.energies.toArray();
      e.forEach((v, i) =>
        expect(Math.abs(v - (e0[i] as number))).toBeLessThan(1e-10 * Math.max(1, Math.abs(v))),
      );
      const expected = transform(Float64Array.from(f0), r);
      const f = out.forces.toArray();
      let worst = 0;
      f.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - (expected[i] as number)));
      });
      expect(worst).toBeLessThan(1e-10);
    }
  });
});
