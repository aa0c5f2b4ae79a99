/**
 * Reader for SDF files of V2000 MOL blocks (the MoleculeNet QM9 `gdb9.sdf` layout): a title
 * line, two header lines, a counts line, the atom block, the bond block and `M  END`, with
 * `$$$$` between records.
 *
 * @module
 */

import { atomicNumber } from "../elements.js";
import { datasetError } from "../errors.js";
import { parseCount, parseReal } from "../internal/numbers.js";
import { textLines } from "./xyz.js";

/** One molecule of an SDF file. */
export interface SdfMolecule {
  /** The title line (for QM9, `gdb_<index>`). */
  readonly name: string;
  readonly charges: Int32Array;
  /** Positions in Angstrom, `[n, 3]` flattened. */
  readonly positions: Float64Array;
}

/**
 * Parses every MOL block of an SDF text. Bonds and data items are skipped.
 *
 * @throws DatasetError for a V3000 block, a bad counts line, a truncated atom block, an unknown
 *   element or a non-finite coordinate.
 */
export function parseSdf(text: string, file: string): SdfMolecule[] {
  const lines = [...textLines(text)];
  const out: SdfMolecule[] = [];
  let i = 0;
  while (i < lines.length) {
    if ((lines[i] as string).trim().length === 0 && out.length > 0) {
      i++;
      continue;
    }
    const start = i;
    const name = (lines[i] as string).trim();
    const record = `molecule ${out.length} "${name}" (line ${start + 1})`;
    const counts = lines[i + 3];
    if (counts === undefined) {
      throw datasetError(file, "truncated MOL block: no counts line", { record, field: "counts" });
    }
    if (counts.includes("V3000")) {
      throw datasetError(file, "V3000 MOL blocks are not supported", { record, field: "counts" });
    }
    const n = parseCount(counts.slice(0, 3), file, record, "atom count");
    const charges = new Int32Array(n);
    const positions = new Float64Array(3 * n);
    for (let a = 0; a < n; a++) {
      const line = lines[i + 4 + a];
      const where = `${record}, atom ${a}`;
      if (line === undefined || line.startsWith("M  END") || line.startsWith("$$$$")) {
        throw datasetError(file, `atom block ends after ${a} of ${n} atoms`, {
          record: where,
          field: "atoms",
        });
      }
      const fields = line.trim().split(/\s+/);
      for (let d = 0; d < 3; d++) positions[3 * a + d] = parseReal(fields[d], file, where, "xyz");
      const symbol = fields[3] ?? "";
      const z = atomicNumber(symbol);
      if (z === undefined) {
        throw datasetError(file, `unknown element "${symbol}"`, { record: where, field: "symbol" });
      }
      charges[a] = z;
    }
    i += 4 + n;
    while (i < lines.length && !(lines[i] as string).startsWith("$$$$")) i++;
    i++;
    out.push({ name, charges, positions });
  }
  return out;
}
