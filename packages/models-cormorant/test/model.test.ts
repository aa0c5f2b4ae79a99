import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Random, sum, type Tensor } from "@covnet/core";
import { checkGradients } from "@covnet/core/testing";
import { loadDataset, makeBatch, splitDataset } from "@covnet/datasets";
import { describe, expect, it } from "vitest";
import { Cormorant, type MoleculeBatch, toAtomsInput, trainCormorant } from "../src/index.js";
import { cpuEngine } from "./helpers.js";

const tinyConfig = {
  maxl: 1,
  levels: 1,
  channels: 2,
  numRadial: 3,
  radialHidden: 4,
  readoutHidden: [4],
};

function permuteBatch(batch: MoleculeBatch, perm: number[]): MoleculeBatch {
  // perm[new] = old: atom `new` of the permuted batch is atom perm[new] of the original.
  const inverse = new Array<number>(perm.length);
  perm.forEach((old, i) => {
    inverse[old] = i;
  });
  const positions = new Float64Array(batch.positions.length);
  perm.forEach((old, i) => positions.set(batch.positions.subarray(3 * old, 3 * old + 3), 3 * i));
  return {
    ...batch,
    charges: Int32Array.from(perm, (old) => batch.charges[old] as number),
    positions,
    moleculeIndex: Int32Array.from(perm, (old) => batch.moleculeIndex[old] as number),
    edgeSrc: batch.edgeSrc.map((a) => inverse[a] as number),
    edgeDst: batch.edgeDst.map((a) => inverse[a] as number),
  };
}

describe("Cormorant model", () => {
  it("energy invariant under atom relabelling", async () => {
    const engine = await cpuEngine("float64");
    const ds = await loadDataset("rmd17/ethanol");
    const batch = makeBatch(ds, [3, 4], { cutoff: 5 });
    const model = new Cormorant(
      engine,
      { maxl: 2, levels: 2, channels: 3 },
      new Random(2),
      "float64",
    );
    const opts = {
      species: model.config.species,
      chargePower: model.config.chargePower,
      dtype: "float64" as const,
    };
    const base = model.energiesAndForces(toAtomsInput(engine, batch, opts));
    const rng = new Random(5);
    const perm = rng.shuffle(Array.from({ length: batch.numAtoms }, (_, i) => i));
    const out = model.energiesAndForces(toAtomsInput(engine, permuteBatch(batch, perm), opts));
    const e0 = base.energies.toArray();
    out.energies
      .toArray()
      .forEach((e, i) => expect(Math.abs(e - (e0[i] as number))).toBeLessThan(1e-10 * Math.abs(e)));
    const f0 = base.forces.toArray();
    const f = out.forces.toArray();
    perm.forEach((old, i) => {
      for (let k = 0; k < 3; k++)
        expect(Math.abs((f[3 * i + k] as number) - (f0[3 * old + k] as number))).toBeLessThan(
          1e-10,
        );
    });
  });

  it("gradients match finite differences", async () => {
    const engine = await cpuEngine("float64");
    const ds = await loadDataset("rmd17/ethanol");
    const batch = makeBatch(ds, [0], { cutoff: 5 });
    const model = new Cormorant(engine, tinyConfig, new Random(3), "float64");
    const opts = {
      species: model.config.species,
      chargePower: model.config.chargePower,
      dtype: "float64" as const,
    };
    const input = toAtomsInput(engine, batch, opts);
    const params = [...model.parameters().values()].slice(0, 3);
    const originals = params.map((p) => p.value);
    const energy = (positions: Tensor, ...weights: Tensor[]) => {
      params.forEach((p, i) => p.swap(weights[i] as Tensor));
      try {
        return sum(model.energies(input, positions));
      } finally {
        params.forEach((p, i) => p.swap(originals[i] as Tensor));
      }
    };
    // Throws with the worst element on a mismatch; order 2 also checks Hessian-vector products,
    // that is the derivatives of the forces with respect to positions and weights.
    const report = checkGradients(energy, [input.positions, ...originals], {
      order: 2,
      rtol: 1e-5,
      atol: 1e-7,
    });
    expect(report.first).toHaveLength(4);
    expect(report.second).toHaveLength(4);
  });

  it("short training run lowers the loss", async () => {
    const engine = await cpuEngine("float64");
    const ds = await loadDataset("rmd17/ethanol");
    const split = splitDataset(ds, { train: 24, valid: 8, test: 16, seed: 3 });
    const outDir = mkdtempSync(join(tmpdir(), "covnet-cormorant-"));
    await trainCormorant({
      engine,
      dataset: ds,
      trainIndices: split.train,
      validIndices: split.valid,
      config: { ...tinyConfig, channels: 4 },
      dtype: "float64",
      epochs: 8,
      batchSize: 4,
      lr: 1e-2,
      forceWeight: 1,
      seed: 1,
      outDir,
      progress: "none",
    });
    const epochs = readFileSync(join(outDir, "train.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; train_loss?: number; val_loss?: number })
      .filter((e) => e.type === "epoch");
    expect(epochs).toHaveLength(8);
    const first = epochs[0]!;
    const last = epochs[epochs.length - 1]!;
    expect(last.train_loss!).toBeLessThan(0.8 * first.train_loss!);
    expect(last.val_loss!).toBeLessThan(first.val_loss!);
  });
});
