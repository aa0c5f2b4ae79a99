/**
 * A small reader for comma-separated files with a header row (MoleculeNet tables). Fields may
 * be double-quoted; a quoted field may contain commas but not newlines.
 *
 * @module
 */
import { datasetError } from "../errors.js";
import { textLines } from "./xyz.js";

/** A parsed CSV table: the header and the rows, each with one string per header column. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out;
}

/**
 * Parses CSV text with a header row; blank lines are skipped.
 *
 * @throws DatasetError when the file is empty or a row's column count differs from the header's.
 */
export function parseCsv(text: string, file: string): CsvTable {
  let header: string[] | undefined;
  const rows: string[][] = [];
  let lineNumber = 0;
  for (const line of textLines(text)) {
    lineNumber++;
    if (line.trim().length === 0) continue;
    const fields = splitCsvLine(line);
    if (header === undefined) {
      header = fields.map((f) => f.trim());
      continue;
    }
    if (fields.length !== header.length) {
      throw datasetError(
        file,
        `row has ${fields.length} columns, the header has ${header.length} (truncated or malformed row)`,
        { record: `line ${lineNumber}` },
      );
    }
    rows.push(fields);
  }
  if (header === undefined) throw datasetError(file, "empty CSV file, no header row");
  return { header, rows };
}

/**
 * Returns the index of column `name` in `table.header`.
 *
 * @throws DatasetError naming the missing column and the columns present.
 */
export function csvColumn(table: CsvTable, name: string, file: string): number {
  const index = table.header.indexOf(name);
  if (index < 0) {
    throw datasetError(file, `missing column "${name}" (columns: ${table.header.join(", ")})`, {
      field: name,
    });
  }
  return index;
}
