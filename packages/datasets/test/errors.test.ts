import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  DatasetError,
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

function npyWithHeader(header: string, data: Uint8Array): Uint8Array {
  const padded = `${header}${" ".repeat(63 - ((10 + header.length) % 64))}\n`;
  const out = new Uint8Array(10 + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, padded.length, true);
  for (let i = 0; i < padded.length; i++) out[10 + i] = padded.charCodeAt(i);
  out.set(data, 10 + padded.length);
  return out;
}

function expectDatasetError(fn: () => unknown, pattern: RegExp, field?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).message).toMatch(pattern);
    if (field !== undefined) expect((e as DatasetError).field).toBe(field);
    return;
  }
  throw new Error(`expected a DatasetError matching ${pattern}`);
}

describe("npy errors", () => {
  it("rejects a bad magic string", () => {
    expectDatasetError(
      () => parseNpy(new TextEncoder().encode("not numpy at all"), "a.npy"),
      /magic/,
      "header",
    );
  });

  it("rejects a truncated data section", () => {
    const bytes = encodeNpy(new Float64Array([1, 2, 3]), [3]);
    expectDatasetError(
      () => parseNpy(bytes.subarray(0, bytes.length - 4), "a.npy"),
      /truncated/,
      "data",
    );
  });

  it("rejects Fortran order", () => {
    const bytes = npyWithHeader(
      "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }",
      new Uint8Array(32),
    );
    expectDatasetError(() => parseNpy(bytes, "a.npy"), /Fortran/, "fortran_order");
  });

  it("rejects pickled object arrays", () => {
    const bytes = npyWithHeader(
      "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }",
      new Uint8Array(16),
    );
    expectDatasetError(() => parseNpy(bytes, "a.npy"), /pickled/, "descr");
  });

  it("rejects an unsupported dtype", () => {
    const bytes = npyWithHeader(
      "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
      new Uint8Array(16),
    );
    expectDatasetError(() => parseNpy(bytes, "a.npy"), /unsupported dtype "<c16"/, "descr");
  });

  it("rejects a header without shape", () => {
    const bytes = npyWithHeader("{'descr': '<f8', 'fortran_order': False, }", new Uint8Array(8));
    expectDatasetError(() => parseNpy(bytes, "a.npy"), /no 'shape'/, "shape");
  });

  it("names a missing npz key and the keys present", () => {
    expectDatasetError(
      () => readNpz(fixture("md17_ethanol_sgdml.npz"), "sgdml.npz", ["coords"]),
      /missing key "coords" \(the archive has: z, R, E, F\)/,
      "coords",
    );
  });

  it("rejects a truncated npz", () => {
    const bytes = fixture("rmd17_ethanol_train_01.npz");
    expectDatasetError(() => readNpz(bytes.subarray(0, 3000), "cut.npz"), /not a valid .npz/);
  });
});

function writeNpz(dir: string, name: string, members: Record<string, Uint8Array>): string {
  const path = join(dir, name);
  const zip: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(members)) zip[`${k}.npy`] = v;
  writeFileSync(path, zipSync(zip, { level: 0 }));
  return path;
}

describe("MD npz errors", () => {
  const z = encodeNpy(new Uint8Array([8, 1, 1]), [3]);
  const r = encodeNpy(new Float64Array(2 * 3 * 3), [2, 3, 3]);
  const e = encodeNpy(new Float64Array([1, 2]), [2]);

  it("rejects mismatched atom counts", async () => {
    const path = writeNpz(tempDir(), "a.npz", {
      z,
      R: encodeNpy(new Float64Array(2 * 4 * 3), [2, 4, 3]),
      E: e,
      F: r,
    });
    await expect(loadDataset("md17/water", { dataPath: path })).rejects.toThrow(
      /mismatched atom counts/,
    );
  });

  it("rejects NaN values with the record", async () => {
    const bad = new Float64Array(18);
    bad[10] = Number.NaN;
    const path = writeNpz(tempDir(), "a.npz", { z, R: r, E: e, F: encodeNpy(bad, [2, 3, 3]) });
    const error = await loadDataset("md17/water", { dataPath: path }).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).field).toBe("F");
    expect((error as DatasetError).record).toBe("record 1");
  });

  it("rejects a wrong dtype", async () => {
    const path = writeNpz(tempDir(), "a.npz", {
      z,
      R: encodeNpy(new Int32Array(18), [2, 3, 3]),
      E: e,
      F: r,
    });
    await expect(loadDataset("md17/water", { dataPath: path })).rejects.toThrow(
      /expected a float64 or float32 array, found dtype <i4/,
    );
  });

  it("rejects energies of the wrong length", async () => {
    const path = writeNpz(tempDir(), "a.npz", {
      z,
      R: r,
      E: encodeNpy(new Float64Array(3), [3]),
      F: r,
    });
    await expect(loadDataset("md17/water", { dataPath: path })).rejects.toThrow(
      /to match the 2 frames/,
    );
  });

  it("rejects rMD17 labels on an sGDML file", async () => {
    const path = join(FIXTURES, "md17_ethanol_sgdml.npz");
    await expect(loadDataset("rmd17/ethanol", { dataPath: path })).rejects.toThrow(/labels "md17"/);
  });
});

describe("text format errors", () => {
  const xyz = fixtureText("ethanol_md17_5frames.xyz");

  it("rejects a truncated XYZ file", () => {
    const cut = xyz.split("\n").slice(0, 30).join("\n");
    expectDatasetError(
      () => parseXyz(cut, "cut.xyz"),
      /truncated file or wrong atom count/,
      "atoms",
    );
  });

  it("rejects an unknown element", () => {
    expectDatasetError(
      () => parseXyz(xyz.replace("\nO ", "\nQq "), "x.xyz"),
      /unknown element "Qq"/,
      "species",
    );
  });

  it("rejects NaN coordinates", () => {
    expectDatasetError(
      () => parseXyz("1\n\nH nan 0 0\n", "x.xyz"),
      /"nan" is not a finite number/,
      "pos",
    );
  });

  it("rejects a bad count line", () => {
    expectDatasetError(
      () => parseXyz("nine\n\nH 0 0 0\n", "x.xyz"),
      /non-negative integer/,
      "atom count",
    );
  });

  it("rejects an atom line with missing columns", () => {
    const broken = xyz.replace(/\nC( +\S+){6}/, "\nC 0.1 0.2 0.3");
    expectDatasetError(() => parseXyz(broken, "x.xyz"), /columns, expected 7/, "atoms");
  });

  it("rejects a bad Properties header", () => {
    expectDatasetError(
      () => parseXyz("1\nProperties=species:S:1:pos:X:3\nH 0 0 0\n", "x.xyz"),
      /invalid type "X"/,
      "Properties",
    );
  });

  it("rejects a bad QM9 property line", () => {
    const text = fixtureText("original/dsgdb9nsd_000007.xyz").replace("gdb 7", "gdb 7 1.0");
    expectDatasetError(
      () => parseQm9Xyz(text, "dsgdb9nsd_000007.xyz"),
      /invalid property line/,
      "properties",
    );
  });

  it("rejects a truncated QM9 file", () => {
    const text = fixtureText("dsgdb9nsd_000007.xyz").split("\n").slice(0, 6).join("\n");
    expectDatasetError(
      () => parseQm9Xyz(text, "dsgdb9nsd_000007.xyz"),
      /expected 8 atom lines/,
      "atoms",
    );
  });

  it("rejects a CSV row with the wrong column count", () => {
    expectDatasetError(() => parseCsv("a,b\n1,2\n3\n", "t.csv"), /row has 1 columns/);
  });

  it("rejects an SDF with an unknown element", () => {
    const sdf = fixtureText("qm9_mini.sdf").replace(" C   0", " Xx  0");
    expectDatasetError(() => parseSdf(sdf, "m.sdf"), /unknown element "Xx"/, "symbol");
  });

  it("names the molecule without a reference energy", async () => {
    await expect(loadDataset("qm9", { dataPath: join(FIXTURES, "qm9_mini.sdf") })).rejects.toThrow(
      /gdb_20_invalid.*no QM9 free-atom reference energy for atomic number 94/,
    );
  });

  it("rejects a missing CSV column", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "t.csv"), "mol_id,A\ngdb_7,1\n");
    await expect(
      loadDataset("qm9", {
        dataPath: join(FIXTURES, "qm9_subset.tar.bz2"),
        csvPath: join(dir, "t.csv"),
      }),
    ).rejects.toThrow(/missing column "B"/);
  });
});

describe("archive and id errors", () => {
  it("rejects a truncated tar.bz2", async () => {
    const dir = tempDir();
    const bytes = fixture("qm9_subset.tar.bz2");
    const path = join(dir, "cut.tar.bz2");
    writeFileSync(path, bytes.subarray(0, 1200));
    const error = await readQm9Archive(path).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(DatasetError);
  });

  it("rejects an unknown dataset id", async () => {
    await expect(loadDataset("qm10")).rejects.toThrow(/unknown dataset id/);
  });

  it("rejects an unknown target", async () => {
    await expect(loadDataset("qm9", { target: "energy_of_nothing" })).rejects.toThrow(
      /unknown target/,
    );
  });

  it("rejects a missing file", async () => {
    await expect(loadDataset("md17/ethanol", { dataPath: "/nonexistent/x.xyz" })).rejects.toThrow(
      /cannot read file/,
    );
  });
});
