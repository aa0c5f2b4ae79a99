/**
 * Reader for the compact copies shipped in the package's `data/` folder. Each file is an `.npz`
 * with deflated members plus a `meta.json` member, and `data/manifest.json` lists its SHA-256,
 * which is verified on every load.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import { datasetError } from "../errors.js";
import { type NpyArray, parseNpy } from "../formats/npy.js";
import { type CompactMeta, decodeFixedPoint } from "./compact.js";

/** The folder of the embedded files (`packages/datasets/data`). */
export const EMBEDDED_DATA_DIR = fileURLToPath(new URL("../../data/", import.meta.url));

/** One entry of `data/manifest.json`. */
export interface ManifestEntry {
  readonly sha256: string;
  readonly bytes: number;
  /** Largest absolute change made by the compact encoding, per member. */
  readonly maxAbsError: Readonly<Record<string, number>>;
}

/** Layout of `data/manifest.json`. */
export interface Manifest {
  readonly format: 1;
  readonly files: Readonly<Record<string, ManifestEntry>>;
  /** SHA-256 of each upstream file the compact files were built from. */
  readonly sources: Readonly<Record<string, string>>;
}

/** The decoded members of one embedded file. */
export interface EmbeddedFile {
  readonly arrays: ReadonlyMap<string, NpyArray>;
  readonly meta: CompactMeta;
  readonly json: ReadonlyMap<string, unknown>;
}

/** Returns the SHA-256 of `bytes` as lower-case hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Reads and parses `manifest.json` from `dir`.
 *
 * @throws DatasetError when it is missing or not valid JSON.
 */
export function readManifest(dir = EMBEDDED_DATA_DIR): Manifest {
  const path = `${dir}/manifest.json`;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Manifest;
  } catch (e) {
    throw datasetError(path, `cannot read the embedded data manifest: ${(e as Error).message}`);
  }
}

/**
 * Decodes an embedded file after checking its SHA-256 against `expected`. Fixed-point members
 * named in `meta.json` are converted back to float64.
 *
 * @throws DatasetError on a checksum mismatch or an invalid archive.
 */
export function decodeEmbedded(
  bytes: Uint8Array,
  file: string,
  expected: ManifestEntry,
): EmbeddedFile {
  const actual = sha256Hex(bytes);
  if (actual !== expected.sha256) {
    throw datasetError(
      file,
      `SHA-256 mismatch: manifest lists ${expected.sha256}, file has ${actual} (corrupt or replaced file; rebuild with the build-embedded script)`,
      { field: "sha256" },
    );
  }
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (e) {
    throw datasetError(file, `invalid embedded archive: ${(e as Error).message}`);
  }
  const metaBytes = members["meta.json"];
  if (metaBytes === undefined)
    throw datasetError(file, "missing member meta.json", { field: "meta.json" });
  const meta = JSON.parse(new TextDecoder().decode(metaBytes)) as CompactMeta;
  const arrays = new Map<string, NpyArray>();
  const json = new Map<string, unknown>();
  for (const [name, member] of Object.entries(members)) {
    if (name.endsWith(".npy")) {
      const key = name.slice(0, -4);
      const array = parseNpy(member, `${file}:${name}`);
      const decimals = meta.fixedPoint[key];
      arrays.set(
        key,
        decimals === undefined
          ? array
          : {
              dtype: "<f8",
              shape: array.shape,
              data: decodeFixedPoint(array, decimals, `${file}:${name}`),
            },
      );
    } else if (name.endsWith(".json") && name !== "meta.json") {
      json.set(name.slice(0, -5), JSON.parse(new TextDecoder().decode(member)));
    }
  }
  return { arrays, meta, json };
}

/**
 * Reads, verifies and decodes the embedded file `name`.
 *
 * @throws DatasetError when the file is not in the manifest, cannot be read, or fails
 *   {@link decodeEmbedded}.
 */
export function loadEmbedded(name: string, dir = EMBEDDED_DATA_DIR): EmbeddedFile {
  const manifest = readManifest(dir);
  const entry = manifest.files[name];
  const path = `${dir}/${name}`;
  if (entry === undefined) throw datasetError(path, "not listed in the embedded data manifest");
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw datasetError(path, `cannot read embedded file: ${(e as Error).message}`);
  }
  return decodeEmbedded(bytes, path, entry);
}

/** Returns member `key`, or throws a DatasetError naming the file. */
export function member(file: EmbeddedFile, key: string, path: string): NpyArray {
  const a = file.arrays.get(key);
  if (a === undefined) throw datasetError(path, `missing member "${key}"`, { field: key });
  return a;
}
