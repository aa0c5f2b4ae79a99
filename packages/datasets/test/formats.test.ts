import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  encodeNpy,
  loadDataset,
  parseCsv,
  parseNpy,
  parseQm9Xyz,
  parseSdf,
  parseXyz,
  readNpz,
  readQm9Archive,
} from "../src/index.js";
import { FIXTURES, fixture, fixtureText, tempDir } from "./helpers.js";

describe("npz reader", () => {
  it("reads every rMD17 key with dtype and shape", () => {
    const arrays = readNpz(fixture("rmd17_ethanol_train_01.npz"), "train.npz");
    expect([...arrays.keys()].sort()).toEqual(
      [
        "coords",
        "energies",
        "forces",
        "nuclear_charges",
        "old_energies",
        "old_forces",
        "old_indices",
      ].sort(),
    );
    const z = arrays.get("nuclear_charges");
    expect(z?.dtype).toBe("|u1");
    expect(Array.from(z?.data ?? [])).toEqual([6, 6, 8, 1, 1, 1, 1, 1, 1]);
    const coords = arrays.get("coords");
    expect(coords?.dtype).toBe("<f8");
    expect(coords?.shape).toEqual([4, 9, 3]);
    expect(coords?.data[0]).toBe(-0.17406277);
    expect(arrays.get("energies")?.data[0]).toBeCloseTo(-97079.92222179, 6);
    expect(arrays.get("old_indices")?.dtype).toBe("<i8");
    expect(arrays.get("old_indices")?.data[0]).toBe(124158);
  });

  it("reads deflated members (sGDML layout)", () => {
    const arrays = readNpz(fixture("md17_ethanol_sgdml.npz"), "sgdml.npz", ["z", "R", "E", "F"]);
    expect(arrays.get("E")?.shape).toEqual([4, 1]);
    expect(arrays.get("R")?.data[0]).toBe(-0.17406277);
  });

  it("round-trips encodeNpy for each dtype", () => {
    const cases = [
      new Float64Array([1.5, -2, 3e300]),
      new Float32Array([1.5, -2, 3]),
      new Int32Array([1, -2, 2147483647]),
      new Uint8Array([0, 7, 255]),
      new Uint16Array([0, 7, 65535]),
    ];
    for (const data of cases) {
      const parsed = parseNpy(encodeNpy(data, [3]), "x.npy");
      expect(parsed.shape).toEqual([3]);
      expect(Array.from(parsed.data)).toEqual(Array.from(data));
    }
    const big = parseNpy(encodeNpy(new BigInt64Array([-5n, 2n ** 52n]), [2]), "x.npy");
    expect(Array.from(big.data)).toEqual([-5, 2 ** 52]);
  });
});

describe("extended XYZ reader", () => {
  it("reads MD17 ethanol frames with energy and forces", () => {
    const frames = parseXyz(fixtureText("ethanol_md17_5frames.xyz"), "ethanol.xyz");
    expect(frames).toHaveLength(5);
    const f = frames[0];
    expect(Array.from(f?.charges ?? [])).toEqual([6, 6, 8, 1, 1, 1, 1, 1, 1]);
    expect(f?.info.energy).toBe(-97195.01189948035);
    expect(f?.info.pbc).toBe("F F F");
    expect(f?.positions[0]).toBe(0.3252893);
    expect(f?.forces?.[0]).toBe(26.23068692);
    expect(f?.forces?.[5]).toBe(22.87512927);
  });

  it("reads QM9 properties from metatrain frames", async () => {
    const ds = await loadDataset("qm9", { dataPath: join(FIXTURES, "qm9_reduced_5.xyz") });
    expect(ds.size).toBe(5);
    const m = ds.molecule(0);
    expect(Array.from(m.charges)).toEqual([6, 1, 1, 1, 1]);
    expect(m.targets?.mu).toBe(0);
    expect(m.targets?.alpha).toBe(13.21);
    expect(m.targets?.homo).toBeCloseTo(-0.3877 * 27.211386245988, 12);
  });

  it("reads plain XYZ without Properties", () => {
    const frames = parseXyz("2\nwater fragment\nO 0 0 0\nH 0 0 0.96\n", "plain.xyz");
    expect(frames).toHaveLength(1);
    expect(Array.from(frames[0]?.charges ?? [])).toEqual([8, 1]);
    expect(frames[0]?.forces).toBeUndefined();
    expect(frames[0]?.comment).toBe("water fragment");
  });
});

describe("QM9 readers", () => {
  it("reads a dsgdb9nsd file without property line", () => {
    const r = parseQm9Xyz(fixtureText("dsgdb9nsd_000007.xyz"), "dsgdb9nsd_000007.xyz");
    expect(r.index).toBe(7);
    expect(r.charges.length).toBe(8);
    expect(r.positions[0]).toBe(-0.0187040036);
    expect(r.properties).toBeUndefined();
  });

  it("reads the property line and *^ exponents", () => {
    const text = fixtureText("original/dsgdb9nsd_000007.xyz");
    const r = parseQm9Xyz(text, "dsgdb9nsd_000007.xyz");
    expect(r.index).toBe(7);
    expect(r.properties?.[0]).toBe(80.46225);
    expect(r.properties?.[10]).toBe(-79.764152);
    expect(r.properties?.[14]).toBe(10.098);
    expect(r.smiles).toBe("CC");
  });

  it("streams the tar.bz2 archive", async () => {
    const records = await readQm9Archive(join(FIXTURES, "qm9_subset.tar.bz2"));
    expect(records).toHaveLength(12);
    expect(records[0]?.index).toBe(7);
    expect(records[0]?.charges.length).toBe(8);
  });

  it("joins the archive with the CSV", async () => {
    const ds = await loadDataset("qm9", {
      dataPath: join(FIXTURES, "qm9_subset.tar.bz2"),
      csvPath: join(FIXTURES, "qm9_subset.csv"),
    });
    expect(ds.size).toBe(12);
    const m = ds.molecule(0);
    expect(m.name).toBe("gdb_7");
    expect(m.smiles).toBe("CC");
    expect(m.targets?.Cv).toBe(10.098);
  });

  it("atomisation energies match MoleculeNet", async () => {
    const ds = await loadDataset("qm9", {
      dataPath: join(FIXTURES, "qm9_subset.tar.bz2"),
      csvPath: join(FIXTURES, "qm9_subset.csv"),
      energyUnit: "kcal/mol",
    });
    const table = parseCsv(fixtureText("qm9_subset.csv"), "qm9_subset.csv");
    const col = (name: string) => table.header.indexOf(name);
    const pairs = [
      ["U0", "u0_atom"],
      ["U", "u298_atom"],
      ["H", "h298_atom"],
      ["G", "g298_atom"],
    ] as const;
    for (let i = 0; i < ds.size; i++) {
      const m = ds.molecule(i);
      const row = table.rows.find((r) => r[col("mol_id")] === m.name);
      for (const [target, column] of pairs) {
        // MoleculeNet's own Hartree-to-kcal/mol factor differs from CODATA 2018 by ~1e-6.
        expect(m.targets?.[target]).toBeCloseTo(Number(row?.[col(column)]), 2);
      }
    }
  });

  it("reads the MoleculeNet SDF with its CSV", async () => {
    const mols = parseSdf(fixtureText("qm9_mini.sdf"), "qm9_mini.sdf");
    expect(mols).toHaveLength(21);
    expect(mols[0]?.name).toBe("gdb_1");
    expect(Array.from(mols[0]?.charges ?? [])).toEqual([6, 1, 1, 1, 1]);
    expect(mols[0]?.positions[1]).toBe(1.0858);
    const dir = tempDir();
    const text = fixtureText("qm9_mini.sdf");
    const firstFive = text.split("$$$$\n").slice(0, 5).join("$$$$\n");
    writeFileSync(join(dir, "five.sdf"), `${firstFive}$$$$\n`);
    const csvPath = join(FIXTURES, "qm9_mini.sdf.csv");
    const ds = await loadDataset("qm9", {
      dataPath: join(dir, "five.sdf"),
      csvPath,
      target: "gap",
    });
    expect(ds.size).toBe(5);
    expect(ds.molecule(0).energy).toBeCloseTo(0.5048 * 27.211386245988, 12);
    expect(ds.units.energy).toBe("eV");
  });

  it("reads a folder of loose dsgdb9nsd files with property lines", async () => {
    const ds = await loadDataset("qm9", { dataPath: join(FIXTURES, "original") });
    expect(ds.size).toBe(1);
    expect(ds.molecule(0).targets?.A).toBe(80.46225);
  });
});

describe("MD loaders from upstream files", () => {
  it("reads an rMD17 train/test folder with the predefined split", async () => {
    const ds = await loadDataset("rmd17/ethanol", { dataPath: FIXTURES });
    expect(ds.size).toBe(8);
    expect(Array.from(ds.predefinedSplit?.train ?? [])).toEqual([0, 1, 2, 3]);
    expect(Array.from(ds.predefinedSplit?.test ?? [])).toEqual([4, 5, 6, 7]);
    expect(ds.molecule(0).energy).toBeCloseTo(-97079.92222179, 6);
    const md17 = await loadDataset("rmd17/ethanol", { dataPath: FIXTURES, labels: "md17" });
    expect(md17.molecule(0).energy).toBeCloseTo(-97198.78429048, 6);
  });

  it("reads sGDML npz and extended XYZ for md17", async () => {
    const npz = await loadDataset("md17/ethanol", {
      dataPath: join(FIXTURES, "md17_ethanol_sgdml.npz"),
    });
    expect(npz.size).toBe(4);
    expect(npz.molecule(0).energy).toBeCloseTo(-97198.78429048, 6);
    const xyz = await loadDataset("md17/ethanol", {
      dataPath: join(FIXTURES, "ethanol_md17_5frames.xyz"),
    });
    expect(xyz.size).toBe(5);
    expect(xyz.units.force).toBe("kcal/mol/angstrom");
  });
});
