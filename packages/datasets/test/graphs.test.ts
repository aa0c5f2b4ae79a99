import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DatasetError, loadGraphDataset, parseHcepCsv, smilesToGraph } from "../src/index.js";

const fixture = new URL("./fixtures/hcep_sample.csv", import.meta.url);
const text = readFileSync(fixture, "utf8");

describe("HCEP parsing", () => {
  it("parses real rows into heavy-atom graphs", () => {
    const graphs = parseHcepCsv(text, "hcep_sample.csv");
    expect(graphs.length).toBe(20);
    const first = graphs[0];
    // c1cc2c3cocc3c3c4[SiH2]C(=Cc4ncc3c2[se]1)c1scc2C=CCc12
    expect(first?.smiles).toBe("c1cc2c3cocc3c3c4[SiH2]C(=Cc4ncc3c2[se]1)c1scc2C=CCc12");
    expect(first?.target).toBeCloseTo(3.596639, 6);
    const atoms = Array.from(first?.atoms ?? []);
    expect(atoms.filter((z) => z === 34).length).toBe(1);
    expect(atoms.filter((z) => z === 14).length).toBe(1);
    expect(atoms.filter((z) => z === 16).length).toBe(1);
    const si = atoms.indexOf(14);
    expect(first?.hydrogens[si]).toBe(2);
  });

  it("counts benzene's aromatic ring", () => {
    const g = smilesToGraph("c1ccccc1", 0, { file: "x", record: "line 1" });
    expect(g.atoms.length).toBe(6);
    expect(g.bondTypes.length).toBe(6);
    expect(Array.from(g.bondTypes).every((t) => t === 4)).toBe(true);
    expect(Array.from(g.hydrogens)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("names the row of an invalid SMILES", () => {
    const bad = `${text.trim()}\nC1CC(,1.5\n`;
    let error: unknown;
    try {
      parseHcepCsv(bad, "bad.csv");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).message).toMatch(
      /bad\.csv, line 22, field "smiles": invalid SMILES "C1CC\("/,
    );
  });

  it("skips invalid rows only when asked", () => {
    const bad = `${text.trim()}\nXx,1.5\nCCO,abc\n`;
    const skipped: string[] = [];
    const graphs = parseHcepCsv(bad, "bad.csv", {
      skipInvalid: true,
      onSkip: (m) => skipped.push(m),
    });
    expect(graphs.length).toBe(20);
    expect(skipped.length).toBe(2);
    expect(skipped[0]).toMatch(/line 22/);
    expect(skipped[1]).toMatch(/line 23, field "PCE"/);
  });
});

describe("embedded graph datasets", () => {
  it("loads hcep with all molecules", async () => {
    const ds = await loadGraphDataset("hcep");
    expect(ds.size).toBe(29978);
    expect(ds.unit).toBe("percent");
    const parsed = parseHcepCsv(text, "hcep_sample.csv");
    for (let i = 0; i < parsed.length; i++) {
      const a = ds.graph(i);
      const b = parsed[i];
      expect(a.smiles).toBe(b?.smiles);
      expect(a.target).toBe(b?.target);
      expect(Array.from(a.atoms)).toEqual(Array.from(b?.atoms ?? []));
      expect(Array.from(a.bonds)).toEqual(Array.from(b?.bonds ?? []));
    }
  });

  it("loads qm9 graphs aligned with the qm9 targets", async () => {
    const ds = await loadGraphDataset("qm9", { target: "gap" });
    expect(ds.size).toBe(14170);
    const g = ds.graph(0);
    const reparsed = smilesToGraph(g.smiles, 0, { file: "x", record: "0" });
    expect(Array.from(g.atoms)).toEqual(Array.from(reparsed.atoms));
    expect(Number.isFinite(g.target)).toBe(true);
  });

  it("rejects an unknown id and a wrong HCEP target", async () => {
    await expect(loadGraphDataset("zinc")).rejects.toThrow(/unknown graph dataset id/);
    await expect(loadGraphDataset("hcep", { target: "gap" })).rejects.toThrow(/only "PCE"/);
  });
});
