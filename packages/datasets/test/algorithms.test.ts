import { Random } from "@covnet/core";
import { describe, expect, it } from "vitest";
import {
  batches,
  convertEnergy,
  datasetStatistics,
  energyConversionFactor,
  HARTREE_IN_KCAL_PER_MOL,
  KCAL_PER_MOL_IN_EV,
  loadDataset,
  makeBatch,
  neighborList,
  splitDataset,
} from "../src/index.js";

function randomCloud(n: number, box: number, seed: number): Float64Array {
  const rng = new Random(seed);
  return Float64Array.from({ length: 3 * n }, () => rng.uniform() * box);
}

function pairs(list: { src: Int32Array; dst: Int32Array }): string[] {
  return Array.from(list.src, (s, k) => `${s}-${list.dst[k]}`);
}

describe("units", () => {
  it("uses the CODATA 2018 factors", () => {
    expect(KCAL_PER_MOL_IN_EV).toBeCloseTo(0.04336410424, 10);
    expect(HARTREE_IN_KCAL_PER_MOL).toBeCloseTo(627.509474, 5);
    expect(convertEnergy(1, "hartree", "eV")).toBe(27.211386245988);
    expect(convertEnergy(1, "eV", "meV")).toBeCloseTo(1000, 12);
  });

  it("round-trips every pair of units", () => {
    const units = ["kcal/mol", "eV", "meV", "hartree"] as const;
    for (const a of units) {
      for (const b of units) {
        expect(energyConversionFactor(a, b) * energyConversionFactor(b, a)).toBeCloseTo(1, 14);
      }
    }
  });

  it("converts dataset energies and forces", async () => {
    const kcal = await loadDataset("rmd17/ethanol");
    const ev = await loadDataset("rmd17/ethanol", { energyUnit: "eV" });
    expect(ev.units.force).toBe("eV/angstrom");
    expect(ev.molecule(3).energy).toBeCloseTo(
      (kcal.molecule(3).energy ?? 0) * KCAL_PER_MOL_IN_EV,
      8,
    );
    expect(ev.molecule(3).forces?.[4]).toBeCloseTo(
      (kcal.molecule(3).forces?.[4] ?? 0) * KCAL_PER_MOL_IN_EV,
      12,
    );
  });
});

describe("splitDataset", () => {
  it("is reproducible and disjoint on rMD17", async () => {
    const ds = await loadDataset("rmd17/uracil");
    const a = splitDataset(ds, { train: 950, valid: 50, seed: 7 });
    const b = splitDataset(ds, { train: 950, valid: 50, seed: 7 });
    const c = splitDataset(ds, { train: 950, valid: 50, seed: 8 });
    expect(Array.from(a.train)).toEqual(Array.from(b.train));
    expect(Array.from(a.train)).not.toEqual(Array.from(c.train));
    expect(a.test.length).toBe(1000);
    const all = new Set([...a.train, ...a.valid, ...a.test]);
    expect(all.size).toBe(2000);
    expect(Math.max(...a.train, ...a.valid)).toBeLessThan(1000);
    expect(Math.min(...a.test)).toBeGreaterThanOrEqual(1000);
  });

  it("accepts fractions without a predefined split", async () => {
    const ds = await loadDataset("md17/ethanol");
    const s = splitDataset(ds, { train: 0.8, valid: 0.1, test: 0.1, seed: 1 });
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([1600, 200, 200]);
    expect(new Set([...s.train, ...s.valid, ...s.test]).size).toBe(2000);
  });

  it("rejects sizes beyond the pool", async () => {
    const ds = await loadDataset("rmd17/uracil");
    expect(() => splitDataset(ds, { train: 990, valid: 20, seed: 1 })).toThrow(
      /exceed the 1000 frames/,
    );
  });
});

describe("neighborList", () => {
  it.each([
    [40, 6, 2.0],
    [300, 12, 2.5],
    [1000, 40, 3.0],
  ])("cell list equals brute force (%i atoms)", (n, box, cutoff) => {
    const p = randomCloud(n, box, n);
    const brute = neighborList(p, cutoff, "brute-force");
    const cells = neighborList(p, cutoff, "cell-list");
    const auto = neighborList(p, cutoff);
    expect(pairs(cells)).toEqual(pairs(brute));
    expect(pairs(auto)).toEqual(pairs(brute));
    expect(brute.src.length).toBeGreaterThan(0);
  });

  it("is symmetric without self pairs", () => {
    const list = neighborList(randomCloud(50, 5, 3), 1.5);
    const set = new Set(pairs(list));
    for (let k = 0; k < list.src.length; k++) {
      expect(list.src[k]).not.toBe(list.dst[k]);
      expect(set.has(`${list.dst[k]}-${list.src[k]}`)).toBe(true);
    }
  });

  it("handles a sparse cloud in a large box", () => {
    const p = randomCloud(200, 1000, 9);
    expect(pairs(neighborList(p, 30, "cell-list"))).toEqual(
      pairs(neighborList(p, 30, "brute-force")),
    );
  });

  it("rejects a bad cutoff", () => {
    expect(() => neighborList(new Float64Array(6), 0)).toThrow(/cutoff 0/);
  });
});

describe("batching", () => {
  it("assigns segment ids and keeps edges inside molecules", async () => {
    const ds = await loadDataset("qm9");
    const batch = makeBatch(ds, [0, 5, 9], { cutoff: 3 });
    expect(batch.numMolecules).toBe(3);
    const sizes = [0, 5, 9].map((i) => ds.molecule(i).charges.length);
    expect(Array.from(batch.atomsPerMolecule)).toEqual(sizes);
    expect(batch.numAtoms).toBe(sizes.reduce((a, b) => a + b, 0));
    for (let a = 1; a < batch.numAtoms; a++) {
      expect(batch.moleculeIndex[a]).toBeGreaterThanOrEqual(batch.moleculeIndex[a - 1] as number);
    }
    expect(batch.moleculeIndex[batch.numAtoms - 1]).toBe(2);
    for (let k = 0; k < batch.edgeSrc.length; k++) {
      expect(batch.moleculeIndex[batch.edgeSrc[k] as number]).toBe(
        batch.moleculeIndex[batch.edgeDst[k] as number],
      );
    }
    expect(batch.targets?.length).toBe(3 * ds.targetNames.length);
    expect(batch.energies?.[1]).toBe(ds.molecule(5).energy);
  });

  it("covers every index once per pass, reproducibly", async () => {
    const ds = await loadDataset("rmd17/benzene");
    const indices = Array.from({ length: 50 }, (_, i) => i);
    const pass = () => [
      ...batches(ds, indices, { batchSize: 16, cutoff: 5, shuffle: true, seed: 3 }),
    ];
    const first = pass();
    expect(first.map((b) => b.numMolecules)).toEqual([16, 16, 16, 2]);
    const seen = first.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b);
    expect(seen).toEqual(indices);
    expect(first.map((b) => Array.from(b.indices))).toEqual(
      pass().map((b) => Array.from(b.indices)),
    );
    const forceSum = [0, 0, 0];
    const b = first[0];
    for (let a = 0; a < 12; a++)
      for (let d = 0; d < 3; d++)
        forceSum[d] = (forceSum[d] as number) + (b?.forces?.[3 * a + d] ?? 0);
    for (const s of forceSum) expect(Math.abs(s)).toBeLessThan(1e-4);
  });
});

describe("datasetStatistics", () => {
  it("fits per-element offsets on qm9", async () => {
    const ds = await loadDataset("qm9", { target: "U0" });
    const idx = Array.from({ length: 500 }, (_, i) => i);
    const stats = datasetStatistics(ds, idx);
    expect(stats.elements).toEqual([1, 6, 7, 8]);
    // Atomisation energies are roughly additive: the fit leaves a small residual.
    expect(stats.residualStd).toBeLessThan(0.2 * stats.energyStd);
    expect(stats.energyPerAtom[6]).toBeLessThan(0);
  });

  it("spreads a fixed composition over the mean", async () => {
    const ds = await loadDataset("rmd17/ethanol");
    const train = ds.predefinedSplit?.train ?? new Int32Array(0);
    const stats = datasetStatistics(ds, train);
    const m = ds.molecule(0);
    let fit = 0;
    for (const z of m.charges) fit += stats.energyPerAtom[z] ?? 0;
    expect(fit).toBeCloseTo(stats.energyMean, 6);
    expect(stats.forceRms).toBeGreaterThan(1);
    expect(stats.energyMean).toBeLessThan(-97000);
  });
});
