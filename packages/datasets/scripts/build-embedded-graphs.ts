/**
 * Builds the embedded graph files `hcep.npz` and `qm9_graphs.npz` and adds them to
 * `data/manifest.json` (other entries are kept).
 *
 *   npm run build-embedded-graphs -w packages/datasets -- <folder of upstream files>
 *
 * The folder must hold `hcep/cep-processed.csv`. QM9 graphs come from the SMILES stored in the
 * embedded `qm9.npz`, in its molecule order, so build that first. SMILES are parsed with
 * OpenChemLib; any invalid SMILES stops the build with its row.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Zippable, zipSync } from "fflate";
import { encodeNpy } from "../src/formats/npy.js";
import { encodeGraphs, type MolecularGraph, parseHcepCsv, smilesToGraph } from "../src/graphs.js";
import { loadEmbedded } from "../src/internal/embedded.js";

const root = process.argv[2];
if (root === undefined) {
  process.stderr.write("usage: build-embedded-graphs <folder of upstream files>\n");
  process.exit(2);
}
const outDir = fileURLToPath(new URL("../data/", import.meta.url));
const manifestPath = join(outDir, "manifest.json");
const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
  files: Record<string, unknown>;
  sources: Record<string, string>;
};
const MTIME = new Date("2000-01-01T00:00:00Z");
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function writeGraphs(
  name: string,
  graphs: readonly MolecularGraph[],
  extra: Record<string, { data: Float64Array; shape: number[] }>,
  meta: Record<string, unknown>,
): void {
  const zip: Zippable = {};
  const maxAbsError: Record<string, number> = {};
  for (const [key, data] of Object.entries(encodeGraphs(graphs))) {
    zip[`${key}.npy`] = [encodeNpy(data, [data.length]), { level: 9, mtime: MTIME }];
    maxAbsError[key] = 0;
  }
  for (const [key, m] of Object.entries(extra)) {
    zip[`${key}.npy`] = [encodeNpy(m.data, m.shape), { level: 9, mtime: MTIME }];
    maxAbsError[key] = 0;
  }
  const text = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  zip["meta.json"] = [text({ ...meta, fixedPoint: {} }), { level: 9, mtime: MTIME }];
  zip["smiles.json"] = [text(graphs.map((g) => g.smiles)), { level: 9, mtime: MTIME }];
  const bytes = zipSync(zip);
  writeFileSync(join(outDir, name), bytes);
  manifest.files[name] = { sha256: sha256(bytes), bytes: bytes.length, maxAbsError };
  process.stdout.write(`${name}: ${graphs.length} graphs, ${(bytes.length / 1e6).toFixed(2)} MB\n`);
}

{
  const rel = "hcep/cep-processed.csv";
  const bytes = readFileSync(join(root, rel));
  manifest.sources[rel] = sha256(bytes);
  const graphs = parseHcepCsv(new TextDecoder().decode(bytes), rel);
  writeGraphs(
    "hcep.npz",
    graphs,
    { pce: { data: Float64Array.from(graphs, (g) => g.target), shape: [graphs.length] } },
    { source: "cep-processed.csv", target: "PCE", unit: "percent" },
  );
}

{
  const smiles = loadEmbedded("qm9.npz").json.get("smiles") as string[];
  const graphs = smiles.map((s, i) =>
    smilesToGraph(s, Number.NaN, { file: "qm9.npz:smiles.json", record: `molecule ${i}` }),
  );
  writeGraphs(
    "qm9_graphs.npz",
    graphs,
    {},
    {
      source: "SMILES of qm9.npz (MoleculeNet CSV), in its molecule order",
    },
  );
}

writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
