/**
 * Reader for XYZ and extended XYZ files: an atom count line, a comment line, then one line per
 * atom with an element symbol (or atomic number) and x, y, z in Angstrom. Further columns, such
 * as the forces of extended XYZ, are ignored.
 *
 * @module
 */
import { atomicNumber } from "./elements.js";

/** One molecule read from an XYZ file. */
export interface XyzMolecule {
  /** Atomic numbers `[atoms]`. */
  readonly charges: Int32Array;
  /** Positions `[atoms * 3]`, Angstrom. */
  readonly positions: Float64Array;
  /** The comment line. */
  readonly comment: string;
}

/** A malformed XYZ file, with the file name and the 1-based line number. */
export class XyzParseError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    message: string,
  ) {
    super(`${source}:${line}: ${message}`);
    this.name = "XyzParseError";
  }
}

/**
 * Parses every frame of an XYZ or extended XYZ text. Blank lines between frames are allowed.
 *
 * @param source File name used in error messages.
 * @throws {XyzParseError} on a missing or invalid atom count, a truncated frame, an unknown
 *   element or a coordinate that is not a finite number.
 */
export function parseXyzFrames(text: string, source = "input"): XyzMolecule[] {
  // Trailing blank lines would otherwise read as atom lines of a truncated last frame.
  const lines = text.trimEnd().split(/\r?\n/);
  const frames: XyzMolecule[] = [];
  let i = 0;
  while (i < lines.length) {
    const countLine = (lines[i] as string).trim();
    if (countLine === "") {
      i++;
      continue;
    }
    if (!/^\d+$/.test(countLine)) {
      throw new XyzParseError(source, i + 1, `expected the atom count, found "${countLine}"`);
    }
    const n = Number(countLine);
    if (n === 0) throw new XyzParseError(source, i + 1, "the atom count is 0");
    if (i + n + 2 > lines.length) {
      throw new XyzParseError(
        source,
        i + 1,
        `the frame declares ${n} atoms but the file ends first`,
      );
    }
    const comment = lines[i + 1] ?? "";
    const charges = new Int32Array(n);
    const positions = new Float64Array(3 * n);
    for (let a = 0; a < n; a++) {
      const lineNumber = i + 3 + a;
      const fields = (lines[i + 2 + a] ?? "").trim().split(/\s+/);
      if (fields.length < 4) {
        throw new XyzParseError(source, lineNumber, "expected an element and three coordinates");
      }
      const element = fields[0] as string;
      try {
        charges[a] = /^\d+$/.test(element) ? Number(element) : atomicNumber(element);
      } catch (error) {
        throw new XyzParseError(source, lineNumber, (error as Error).message);
      }
      for (let k = 0; k < 3; k++) {
        const value = Number(fields[k + 1]);
        if (!Number.isFinite(value)) {
          throw new XyzParseError(
            source,
            lineNumber,
            `coordinate "${fields[k + 1]}" is not a number`,
          );
        }
        positions[3 * a + k] = value;
      }
    }
    frames.push({ charges, positions, comment });
    i += n + 2;
  }
  if (frames.length === 0) throw new XyzParseError(source, 1, "the file contains no frame");
  return frames;
}
