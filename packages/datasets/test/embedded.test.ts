import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DatasetError, loadDataset, RMD17_MOLECULES, readNpz } from "../src/index.js";
import { EMBEDDED_DATA_DIR, loadEmbedded, readManifest } from "../src/internal/embedded.js";
import { fixture, tempDir } from "./helpers.js";

describe("embedded rMD17", () => {
  it("loads ethanol fast with 1000 + 1000 frames", async () => {
    const start = performance.now();
    const ds = await loadDataset("rmd17/ethanol");
    const elapsed = performance.now() - start;
    expect(elapsed).toBeLessThan(1000);
    expect(ds.size).toBe(2000);
    expect(ds.predefinedSplit?.train.length).toBe(1000);
    expect(ds.predefinedSplit?.test.length).toBe(1000);
    expect(ds.units.energy).toBe("kcal/mol");
  });

  it("matches the upstream frames", async () => {
    const ds = await loadDataset("rmd17/ethanol");
    const md17 = await loadDataset("rmd17/ethanol", { labels: "md17" });
    for (const [part, offset] of [
      ["train", 0],
      ["test", 1000],
    ] as const) {
      const up = readNpz(fixture(`rmd17_ethanol_${part}_01.npz`), part);
      for (let f = 0; f < 4; f++) {
        const m = ds.molecule(offset + f);
        const old = md17.molecule(offset + f);
        expect(m.energy).toBe(up.get("energies")?.data[f]);
        expect(old.energy).toBe(up.get("old_energies")?.data[f]);
        for (let k = 0; k < 27; k++) {
          expect(m.positions[k]).toBe(up.get("coords")?.data[27 * f + k]);
          expect(
            Math.abs((m.forces?.[k] ?? 0) - (up.get("forces")?.data[27 * f + k] ?? 0)),
          ).toBeLessThanOrEqual(5.1e-9);
          expect(
            Math.abs((old.forces?.[k] ?? 0) - (up.get("old_forces")?.data[27 * f + k] ?? 0)),
          ).toBeLessThanOrEqual(5.1e-9);
        }
      }
    }
  });

  it.each(RMD17_MOLECULES)("loads rmd17/%s", async (name) => {
    const ds = await loadDataset(`rmd17/${name}`);
    expect(ds.size).toBe(2000);
    const m = ds.molecule(1999);
    expect(m.forces?.length).toBe(m.positions.length);
    expect(Number.isFinite(m.energy)).toBe(true);
    // Forces are -dE/dx of an isolated molecule, so they sum to zero per frame.
    for (let d = 0; d < 3; d++) {
      let sum = 0;
      for (let a = 0; a < m.charges.length; a++) sum += m.forces?.[3 * a + d] ?? 0;
      expect(Math.abs(sum)).toBeLessThan(1e-4);
    }
  });

  it("keeps the compact encoding error at or below 5e-9", () => {
    const manifest = readManifest();
    for (const entry of Object.values(manifest.files)) {
      for (const error of Object.values(entry.maxAbsError))
        expect(error).toBeLessThanOrEqual(5.0001e-9);
    }
  });
});

describe("embedded md17 and qm9", () => {
  it("loads md17/ethanol with 2000 frames", async () => {
    const ds = await loadDataset("md17/ethanol");
    expect(ds.size).toBe(2000);
    expect(ds.molecule(0).energy).toBe(-97195.01189948035);
    expect(ds.molecule(0).forces?.[0]).toBe(26.23068692);
  });

  it("loads 14,170 qm9 molecules with targets", async () => {
    const ds = await loadDataset("qm9");
    expect(ds.size).toBe(14170);
    const m = ds.molecule(0);
    expect(m.name).toBe("gdb_7");
    expect(m.smiles).toBe("CC");
    expect(m.positions[0]).toBe(-0.0187040036);
    expect(ds.targetNames).toContain("U0");
    expect(ds.units.targets.U0).toBe("eV");
    // gdb_7 U0 atomisation energy: MoleculeNet u0_atom -670.78829573 kcal/mol.
    expect(m.targets?.U0).toBeCloseTo(-670.78829573 * 0.0433641043, 4);
    expect(m.energy).toBe(m.targets?.U0);
  });
});

describe("embedded checksums", () => {
  it("rejects a file whose SHA-256 differs from the manifest", () => {
    const dir = tempDir();
    copyFileSync(join(EMBEDDED_DATA_DIR, "manifest.json"), join(dir, "manifest.json"));
    const bytes = readFileSync(join(EMBEDDED_DATA_DIR, "rmd17_ethanol.npz"));
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] as number) ^ 1;
    writeFileSync(join(dir, "rmd17_ethanol.npz"), bytes);
    expect(() => loadEmbedded("rmd17_ethanol.npz", dir)).toThrow(/SHA-256 mismatch/);
    expect(() => loadEmbedded("rmd17_ethanol.npz", dir)).toThrow(DatasetError);
  });

  it("accepts the shipped files", () => {
    const file = loadEmbedded("rmd17_benzene.npz");
    expect(file.arrays.get("coords")?.shape).toEqual([2000, 12, 3]);
  });
});
