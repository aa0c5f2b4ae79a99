/**
 * Builds the compact embedded copies under `data/` from the upstream files.
 *
 *   npm run build-embedded -w packages/datasets -- <folder of upstream files>
 *
 * The folder must hold `md17/rmd17-npz/rmd17_<molecule>_{train,test}_01.npz`,
 * `md17/schnetpack/ethanol_sampledata.xyz`, `qm9/dataset-qm9/dsgdb9nsd_subset.xyz.tar.bz2` and
 * `qm9/MolPropPred/qm9_small.csv`. Positions and forces are stored as int64 fixed point with 8
 * (MD) or 10 (QM9) decimals; the script records the largest change per member in the manifest.
 * Energies and QM9 properties stay float64.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Zippable, zipSync } from "fflate";
import { parseCsv } from "../src/formats/csv.js";
import { encodeNpy, readNpz } from "../src/formats/npy.js";
import { readQm9Archive } from "../src/formats/qm9.js";
import { parseXyz } from "../src/formats/xyz.js";
import { encodeFixedPoint, fixedPointError } from "../src/internal/compact.js";
import { framesFromXyz, RMD17_MOLECULES } from "../src/internal/md17.js";
import { qm9CsvRows } from "../src/internal/qm9.js";

const root = process.argv[2];
if (root === undefined) {
  process.stderr.write("usage: build-embedded <folder of upstream files>\n");
  process.exit(2);
}
const outDir = fileURLToPath(new URL("../data/", import.meta.url));
mkdirSync(outDir, { recursive: true });

const MTIME = new Date("2000-01-01T00:00:00Z");
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const manifest: {
  format: 1;
  files: Record<string, { sha256: string; bytes: number; maxAbsError: Record<string, number> }>;
  sources: Record<string, string>;
} = { format: 1, files: {}, sources: {} };

function source(relative: string): Uint8Array {
  const bytes = readFileSync(join(root as string, relative));
  manifest.sources[relative] = sha256(bytes);
  return bytes;
}

type Member = { data: Float64Array | Int32Array | Uint8Array; shape: number[]; decimals?: number };

function writeCompact(
  name: string,
  members: Record<string, Member>,
  meta: Record<string, unknown>,
  json: Record<string, unknown> = {},
): void {
  const zip: Zippable = {};
  const fixedPoint: Record<string, number> = {};
  const maxAbsError: Record<string, number> = {};
  for (const [key, m] of Object.entries(members)) {
    if (m.decimals !== undefined && m.data instanceof Float64Array) {
      fixedPoint[key] = m.decimals;
      maxAbsError[key] = fixedPointError(m.data, m.decimals);
      zip[`${key}.npy`] = [
        encodeNpy(encodeFixedPoint(m.data, m.decimals), m.shape),
        { level: 9, mtime: MTIME },
      ];
    } else {
      maxAbsError[key] = 0;
      zip[`${key}.npy`] = [encodeNpy(m.data, m.shape), { level: 9, mtime: MTIME }];
    }
  }
  zip["meta.json"] = [
    new TextEncoder().encode(JSON.stringify({ ...meta, fixedPoint })),
    { level: 9, mtime: MTIME },
  ];
  for (const [key, value] of Object.entries(json)) {
    zip[`${key}.json`] = [
      new TextEncoder().encode(JSON.stringify(value)),
      { level: 9, mtime: MTIME },
    ];
  }
  const bytes = zipSync(zip);
  writeFileSync(join(outDir, name), bytes);
  manifest.files[name] = { sha256: sha256(bytes), bytes: bytes.length, maxAbsError };
  process.stdout.write(
    `${name}: ${(bytes.length / 1e6).toFixed(2)} MB, max abs error ${JSON.stringify(maxAbsError)}\n`,
  );
}

const f64 = (d: ArrayLike<number>) => (d instanceof Float64Array ? d : Float64Array.from(d));

for (const molecule of RMD17_MOLECULES) {
  const parts = ["train", "test"].map((part) => {
    const rel = `md17/rmd17-npz/rmd17_${molecule}_${part}_01.npz`;
    return readNpz(source(rel), rel);
  });
  const [train, test] = parts as [ReturnType<typeof readNpz>, ReturnType<typeof readNpz>];
  const cat = (key: string) => {
    const a = train.get(key);
    const b = test.get(key);
    if (!a || !b) throw new Error(`${molecule}: missing ${key}`);
    const out = new Float64Array(a.data.length + b.data.length);
    out.set(f64(a.data));
    out.set(f64(b.data), a.data.length);
    return { data: out, shape: [(a.shape[0] ?? 0) + (b.shape[0] ?? 0), ...a.shape.slice(1)] };
  };
  const z = train.get("nuclear_charges");
  if (!z) throw new Error(`${molecule}: missing nuclear_charges`);
  const coords = cat("coords");
  const trainCount = train.get("energies")?.shape[0] ?? 0;
  writeCompact(
    `rmd17_${molecule}.npz`,
    {
      nuclear_charges: { data: Uint8Array.from(z.data), shape: [z.data.length] },
      coords: { ...coords, decimals: 8 },
      energies: cat("energies"),
      forces: { ...cat("forces"), decimals: 8 },
      old_indices: {
        data: Int32Array.from(cat("old_indices").data),
        shape: [coords.shape[0] as number],
      },
      old_energies: cat("old_energies"),
      old_forces: { ...cat("old_forces"), decimals: 8 },
    },
    { trainCount, source: `rmd17_${molecule}_{train,test}_01.npz` },
  );
}

{
  const rel = "md17/schnetpack/ethanol_sampledata.xyz";
  const frames = framesFromXyz(parseXyz(new TextDecoder().decode(source(rel)), rel), rel);
  const count = frames.energies.length;
  const n = frames.charges.length;
  writeCompact(
    "md17_ethanol.npz",
    {
      z: { data: Uint8Array.from(frames.charges), shape: [n] },
      R: { data: frames.positions, shape: [count, n, 3], decimals: 8 },
      E: { data: frames.energies, shape: [count] },
      F: { data: frames.forces, shape: [count, n, 3], decimals: 8 },
    },
    { source: basename(rel) },
  );
}

{
  const archive = "qm9/dataset-qm9/dsgdb9nsd_subset.xyz.tar.bz2";
  const csv = "qm9/MolPropPred/qm9_small.csv";
  source(archive);
  const rows = qm9CsvRows(parseCsv(new TextDecoder().decode(source(csv)), csv), csv);
  const records = await readQm9Archive(join(root, archive));
  const kept = records.filter((r) => rows.has(`gdb_${r.index}`));
  const atoms = kept.reduce((a, r) => a + r.charges.length, 0);
  const charges = new Uint8Array(atoms);
  const positions = new Float64Array(3 * atoms);
  const properties = new Float64Array(15 * kept.length);
  const smiles: string[] = [];
  let at = 0;
  kept.forEach((r, i) => {
    const row = rows.get(`gdb_${r.index}`);
    if (!row) throw new Error(`no CSV row for gdb_${r.index}`);
    charges.set(r.charges, at);
    positions.set(r.positions, 3 * at);
    properties.set(row.properties, 15 * i);
    smiles.push(row.smiles ?? "");
    at += r.charges.length;
  });
  writeCompact(
    "qm9.npz",
    {
      charges: { data: charges, shape: [atoms] },
      atom_counts: { data: Uint8Array.from(kept, (r) => r.charges.length), shape: [kept.length] },
      index: { data: Int32Array.from(kept, (r) => r.index), shape: [kept.length] },
      positions: { data: positions, shape: [atoms, 3], decimals: 10 },
      properties: { data: properties, shape: [kept.length, 15] },
    },
    {
      source: `${basename(archive)} joined with ${basename(csv)} on mol_id`,
      properties:
        "A B C mu alpha homo lumo gap r2 zpve U0 U H G Cv (QM9 property-line order and units)",
      archiveMolecules: records.length,
    },
    { smiles },
  );
}

writeFileSync(join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);

// The graph datasets (HCEP, QM9 bonds) add their files and manifest entries in their own script.
await import("./build-embedded-graphs.js");
