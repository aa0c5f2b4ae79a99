/**
 * Readers for the QM9 `dsgdb9nsd_NNNNNN.xyz` files, loose or inside a `.tar.bz2` archive (the
 * layout of the figshare release). A file is: the atom count; the property line
 * `gdb N A B C mu alpha homo lumo gap r2 zpve U0 U H G Cv` (or an empty line in copies that
 * stripped it); one line per atom with symbol, x, y, z and the Mulliken charge; then the
 * harmonic frequencies, the SMILES pair and the InChI pair. Numbers may use Mathematica's `*^`
 * exponent notation (`1.2*^-6`).
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { extract } from "tar-stream";
import unbzip2 from "unbzip2-stream";
import { atomicNumber } from "../elements.js";
import { DatasetError, datasetError } from "../errors.js";
import { parseCount, parseReal } from "../internal/numbers.js";

/** Names of the 15 properties of the QM9 property line, in file order, original units. */
export const QM9_PROPERTY_NAMES = [
  "A",
  "B",
  "C",
  "mu",
  "alpha",
  "homo",
  "lumo",
  "gap",
  "r2",
  "zpve",
  "U0",
  "U",
  "H",
  "G",
  "Cv",
] as const;

/** One QM9 molecule as read from its `dsgdb9nsd` file. */
export interface Qm9Record {
  /** QM9 index (1..133885), from the property line or else the file name; 0 when neither has it. */
  readonly index: number;
  readonly charges: Int32Array;
  /** Positions in Angstrom, `[n, 3]` flattened. */
  readonly positions: Float64Array;
  /**
   * The 15 property-line values in {@link QM9_PROPERTY_NAMES} order and original units (GHz,
   * Debye, Bohr^3, Hartree, Bohr^2, Hartree, Hartree x4, cal/(mol K)); absent without the line.
   */
  readonly properties?: Float64Array;
  /** The relaxed-geometry SMILES (second of the pair), when present. */
  readonly smiles?: string;
}

/** Returns the QM9 index in a `dsgdb9nsd_000123.xyz` name, or 0. */
export function qm9IndexFromName(name: string): number {
  const m = /dsgdb9nsd_(\d+)\.xyz$/.exec(name);
  return m ? Number(m[1]) : 0;
}

/**
 * Parses one `dsgdb9nsd` file.
 *
 * @throws DatasetError for a bad count line, a property line without 15 values, a truncated
 *   atom block, an unknown element or a non-finite number.
 */
export function parseQm9Xyz(text: string, file: string): Qm9Record {
  const lines = text.split(/\r?\n/);
  const record = `molecule ${qm9IndexFromName(file) || file}`;
  const n = parseCount(lines[0], file, `${record} (line 1)`, "atom count");
  if (n === 0) throw datasetError(file, "atom count is 0", { record, field: "atom count" });
  const propertyLine = (lines[1] ?? "").trim();
  let index = qm9IndexFromName(file);
  let properties: Float64Array | undefined;
  if (propertyLine.length > 0) {
    const fields = propertyLine.split(/\s+/);
    if (fields[0] !== "gdb" || fields.length !== 17) {
      throw datasetError(
        file,
        `invalid property line "${propertyLine}" (expected "gdb <index>" and 15 numbers)`,
        { record: `${record} (line 2)`, field: "properties" },
      );
    }
    index = parseCount(fields[1], file, `${record} (line 2)`, "index");
    properties = new Float64Array(15);
    for (let k = 0; k < 15; k++) {
      const name = QM9_PROPERTY_NAMES[k] as string;
      properties[k] = parseReal(fields[k + 2], file, `${record} (line 2)`, name);
    }
  }
  const charges = new Int32Array(n);
  const positions = new Float64Array(3 * n);
  for (let a = 0; a < n; a++) {
    const line = lines[2 + a];
    const where = `${record}, atom ${a} (line ${3 + a})`;
    const fields = line?.trim().split(/\s+/) ?? [];
    if (line === undefined || fields.length < 4) {
      throw datasetError(
        file,
        `expected ${n} atom lines "symbol x y z", line ${3 + a} is "${line ?? "<end of file>"}"`,
        {
          record: where,
          field: "atoms",
        },
      );
    }
    const z = atomicNumber(fields[0] as string);
    if (z === undefined) {
      throw datasetError(file, `unknown element "${fields[0]}"`, {
        record: where,
        field: "symbol",
      });
    }
    charges[a] = z;
    for (let d = 0; d < 3; d++) positions[3 * a + d] = parseReal(fields[1 + d], file, where, "xyz");
    if (fields[4] !== undefined) parseReal(fields[4], file, where, "mulliken charge");
  }
  const smilesPair = lines[3 + n]?.trim().split(/\s+/);
  const smiles = smilesPair !== undefined && smilesPair.length === 2 ? smilesPair[1] : undefined;
  return {
    index,
    charges,
    positions,
    ...(properties ? { properties } : {}),
    ...(smiles ? { smiles } : {}),
  };
}

/**
 * Streams the `dsgdb9nsd_*.xyz` members of a `.tar.bz2` (or plain `.tar`) archive through bzip2
 * decompression and tar extraction, parsing each member as it arrives. Other members are skipped.
 *
 * @returns the records in archive order.
 * @throws DatasetError (as a rejected promise) when the file cannot be read, the bzip2 or tar
 *   stream is corrupt or truncated, or a member fails {@link parseQm9Xyz}.
 */
export function readQm9Archive(path: string): Promise<Qm9Record[]> {
  return new Promise((resolve, reject) => {
    const records: Qm9Record[] = [];
    let failed = false;
    const fail = (error: unknown, what: string) => {
      if (failed) return;
      failed = true;
      reject(
        error instanceof DatasetError
          ? error
          : datasetError(path, `${what}: ${(error as Error).message ?? String(error)}`, {
              field: "archive",
            }),
      );
      source.destroy();
      untar.destroy();
    };
    const source = createReadStream(path);
    const untar = extract();
    untar.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on("error", (e: Error) => fail(e, "tar member could not be read"));
      stream.on("end", () => {
        if (header.type === "file" && /dsgdb9nsd_\d+\.xyz$/.test(header.name)) {
          try {
            records.push(
              parseQm9Xyz(Buffer.concat(chunks).toString("utf8"), `${path}:${header.name}`),
            );
          } catch (e) {
            fail(e, "invalid member");
            return;
          }
        }
        next();
      });
    });
    untar.on("finish", () => {
      if (!failed) resolve(records);
    });
    untar.on("error", (e: Error) => fail(e, "invalid or truncated tar archive"));
    source.on("error", (e: Error) => fail(e, "cannot read file"));
    if (/\.(tar\.bz2|tbz2?)$/i.test(path)) {
      const bz = unbzip2();
      bz.on("error", (e: unknown) => fail(e, "invalid or truncated bzip2 data"));
      source.pipe(bz).pipe(untar);
    } else {
      source.pipe(untar);
    }
  });
}
