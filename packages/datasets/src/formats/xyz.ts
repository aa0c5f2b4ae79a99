/**
 * Reader for plain and extended XYZ files (the ASE / extxyz convention): a count line, a comment
 * line with `key=value` pairs including `Properties=name:type:columns:...`, then one line per
 * atom. Frames follow each other without separators. The reader is fed one line at a time, so
 * files of any size stream through it.
 *
 * @module
 */

import { atomicNumber } from "../elements.js";
import { datasetError } from "../errors.js";
import { parseCount, parseReal } from "../internal/numbers.js";

/** One frame of an XYZ file. */
export interface XyzFrame {
  /** Atomic numbers, `[n]`. */
  readonly charges: Int32Array;
  /** Positions in the file's length unit (Angstrom by convention), `[n, 3]` flattened. */
  readonly positions: Float64Array;
  /** Per-atom `forces` (or `force`) property when declared, `[n, 3]` flattened. */
  readonly forces?: Float64Array;
  /** Key-value pairs of the comment line; numeric values are parsed to numbers. */
  readonly info: Readonly<Record<string, string | number>>;
  /** The raw comment line. */
  readonly comment: string;
}

interface Column {
  readonly name: string;
  readonly type: "S" | "R" | "I" | "L";
  readonly count: number;
}

/** Splits an extxyz comment line into key-value pairs, honouring double quotes. */
export function parseXyzComment(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    if (m[1] !== undefined) out.set(m[1], m[2] ?? m[3] ?? m[4] ?? "");
    else if (m[5] !== undefined) out.set(m[5], "T");
  }
  return out;
}

function parseProperties(spec: string, file: string, record: string): Column[] {
  const parts = spec.split(":");
  if (parts.length % 3 !== 0) {
    throw datasetError(file, `invalid Properties "${spec}" (expected name:type:columns triples)`, {
      record,
      field: "Properties",
    });
  }
  const columns: Column[] = [];
  for (let i = 0; i < parts.length; i += 3) {
    const name = parts[i] as string;
    const type = (parts[i + 1] as string).toUpperCase();
    const count = Number(parts[i + 2]);
    if (!(type === "S" || type === "R" || type === "I" || type === "L")) {
      throw datasetError(file, `invalid type "${type}" for property "${name}" (expected S R I L)`, {
        record,
        field: "Properties",
      });
    }
    if (!Number.isInteger(count) || count < 1) {
      throw datasetError(file, `invalid column count "${parts[i + 2]}" for property "${name}"`, {
        record,
        field: "Properties",
      });
    }
    columns.push({ name, type, count });
  }
  return columns;
}

const PLAIN_COLUMNS: readonly Column[] = [
  { name: "species", type: "S", count: 1 },
  { name: "pos", type: "R", count: 3 },
];

/**
 * A line-fed XYZ parser: call {@link XyzParser.push} with each line (without the newline) and
 * collect the frames it returns, then {@link XyzParser.end}. Plain XYZ atom lines may carry extra
 * columns after x y z (QM9 writes Mulliken charges there); they are ignored.
 */
export class XyzParser {
  readonly #file: string;
  #lineNumber = 0;
  #frameIndex = 0;
  #expected = -1;
  #comment = "";
  #columns: readonly Column[] = PLAIN_COLUMNS;
  #extended = false;
  #atom = 0;
  #charges = new Int32Array(0);
  #positions = new Float64Array(0);
  #forces: Float64Array | undefined;
  #frameStart = 0;

  constructor(file: string) {
    this.#file = file;
  }

  /**
   * Consumes one line; returns the frame that this line completes, if any.
   *
   * @throws DatasetError for a bad count line, an invalid Properties spec, an unknown element,
   *   a non-finite number or an atom line with the wrong number of columns.
   */
  push(line: string): XyzFrame | undefined {
    this.#lineNumber++;
    const record = `frame ${this.#frameIndex} (line ${this.#lineNumber})`;
    if (this.#expected < 0) {
      if (line.trim().length === 0) return undefined;
      this.#expected = parseCount(line, this.#file, record, "atom count");
      this.#frameStart = this.#lineNumber;
      return undefined;
    }
    if (this.#lineNumber === this.#frameStart + 1) {
      this.#startFrame(line, record);
      return this.#expected === 0 ? this.#finishFrame() : undefined;
    }
    this.#parseAtom(line, record);
    this.#atom++;
    return this.#atom === this.#expected ? this.#finishFrame() : undefined;
  }

  /**
   * Checks that the input did not stop inside a frame.
   *
   * @throws DatasetError when the last frame is truncated.
   */
  end(): void {
    if (this.#expected >= 0) {
      throw datasetError(
        this.#file,
        `file ends inside the frame that starts at line ${this.#frameStart}: expected ${this.#expected} atom lines, found ${this.#atom} (truncated file or wrong atom count)`,
        { record: `frame ${this.#frameIndex}`, field: "atoms" },
      );
    }
  }

  #startFrame(comment: string, record: string): void {
    const n = this.#expected;
    this.#comment = comment;
    const info = parseXyzComment(comment);
    const spec = info.get("Properties");
    this.#extended = spec !== undefined;
    this.#columns = spec === undefined ? PLAIN_COLUMNS : parseProperties(spec, this.#file, record);
    const names = this.#columns.map((c) => c.name);
    if (!names.includes("species") && !names.includes("Z")) {
      throw datasetError(this.#file, "Properties declares neither species nor Z", {
        record,
        field: "Properties",
      });
    }
    if (!names.includes("pos")) {
      throw datasetError(this.#file, "Properties declares no pos column", {
        record,
        field: "Properties",
      });
    }
    this.#atom = 0;
    this.#charges = new Int32Array(n);
    this.#positions = new Float64Array(3 * n);
    this.#forces =
      names.includes("forces") || names.includes("force") ? new Float64Array(3 * n) : undefined;
  }

  #parseAtom(line: string, record: string): void {
    const fields = line.trim().split(/\s+/);
    const needed = this.#columns.reduce((a, c) => a + c.count, 0);
    if (fields.length < needed || (this.#extended && fields.length !== needed)) {
      throw datasetError(
        this.#file,
        `atom line has ${fields.length} columns, expected ${needed} (${this.#columns.map((c) => `${c.name}:${c.count}`).join(" ")}); wrong atom count or truncated line?`,
        { record: `${record}, atom ${this.#atom}`, field: "atoms" },
      );
    }
    const i = this.#atom;
    let k = 0;
    for (const column of this.#columns) {
      const where = `${record}, atom ${i}`;
      if (column.name === "species" || column.name === "Z") {
        const text = fields[k] as string;
        const z = column.name === "Z" ? Number(text) : atomicNumber(text);
        if (z === undefined || !Number.isInteger(z) || z < 1 || z > 118) {
          throw datasetError(this.#file, `unknown element "${text}"`, {
            record: where,
            field: column.name,
          });
        }
        this.#charges[i] = z;
      } else if (column.name === "pos") {
        for (let d = 0; d < 3; d++) {
          this.#positions[3 * i + d] = parseReal(fields[k + d], this.#file, where, "pos");
        }
      } else if ((column.name === "forces" || column.name === "force") && this.#forces) {
        if (column.count !== 3) {
          throw datasetError(this.#file, `forces must have 3 columns, found ${column.count}`, {
            record,
            field: "Properties",
          });
        }
        for (let d = 0; d < 3; d++) {
          this.#forces[3 * i + d] = parseReal(fields[k + d], this.#file, where, column.name);
        }
      }
      k += column.count;
    }
  }

  #finishFrame(): XyzFrame {
    const info: Record<string, string | number> = {};
    if (this.#extended) {
      for (const [key, value] of parseXyzComment(this.#comment)) {
        if (key === "Properties") continue;
        const asNumber = Number(value.replace("*^", "e"));
        info[key] = value.trim().length > 0 && Number.isFinite(asNumber) ? asNumber : value;
      }
    }
    const frame: XyzFrame = {
      charges: this.#charges,
      positions: this.#positions,
      ...(this.#forces ? { forces: this.#forces } : {}),
      info,
      comment: this.#comment,
    };
    this.#expected = -1;
    this.#frameIndex++;
    return frame;
  }
}

/** Splits text into lines (LF or CRLF) lazily. */
export function* textLines(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    yield line.endsWith("\r") ? line.slice(0, -1) : line;
    start = end + 1;
  }
}

/**
 * Parses every frame of an XYZ text.
 *
 * @throws DatasetError as {@link XyzParser.push} and {@link XyzParser.end}.
 */
export function parseXyz(text: string, file: string): XyzFrame[] {
  const parser = new XyzParser(file);
  const frames: XyzFrame[] = [];
  for (const line of textLines(text)) {
    const frame = parser.push(line);
    if (frame) frames.push(frame);
  }
  parser.end();
  return frames;
}
