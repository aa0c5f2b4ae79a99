/**
 * Irreps notation for SO(3) and O(3): `16x0e + 8x1o + 4x2e`.
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";

/**
 * Parity of an irrep label: `1` for even (`e`), `-1` for odd (`o`), and `0` for an SO(3) label,
 * which carries no parity and prints as the bare degree (`1`, `2`).
 */
export type Parity = 1 | -1 | 0;

/** One irrep label: degree `l >= 0` (dimension `2l+1`) and parity `p`. */
export interface Irrep {
  readonly l: number;
  readonly p: Parity;
}

/** One part of an {@link Irreps}: `mul` copies (channels) of the irrep `(l, p)`. */
export interface MulIrrep extends Irrep {
  readonly mul: number;
}

const TOKEN = /^(?:(\d+)x)?(\d+)([eo]?)$/;

/** Formats one irrep label: `1o`, `2e`, or `1` for an SO(3) label. */
export function formatIrrep(irrep: Irrep): string {
  const suffix = irrep.p === 1 ? "e" : irrep.p === -1 ? "o" : "";
  return `${irrep.l}${suffix}`;
}

function checkEntry(entry: MulIrrep): void {
  if (!Number.isSafeInteger(entry.mul) || entry.mul < 0) {
    throw new ArgumentError(`invalid irreps multiplicity ${entry.mul}: expected an integer >= 0`);
  }
  if (!Number.isSafeInteger(entry.l) || entry.l < 0) {
    throw new ArgumentError(`invalid irrep degree l = ${entry.l}: expected an integer >= 0`);
  }
  if (entry.p !== 1 && entry.p !== -1 && entry.p !== 0) {
    throw new ArgumentError(`invalid irrep parity ${String(entry.p)}: expected 1, -1 or 0`);
  }
}

/**
 * A direct sum of SO(3) or O(3) irreps with multiplicities, such as `16x0e + 8x1o + 4x2e`.
 *
 * Layout of a vector with these irreps (one batch row): the parts follow one another in the
 * order given, and part `i` occupies `dim(i) = (2l+1) * mul` entries starting at
 * `offsets[i]`, laid out `[2l+1, mul]` with channels fastest. Entry `(m, c)` of part `i`, with
 * `m` in `-l..l`, is therefore at `offsets[i] + (m + l) * mul + c`.
 *
 * An `Irreps` is either all SO(3) labels (parity 0, printed `1`, `2`) or all O(3) labels
 * (parity +-1, printed `1e`, `1o`); mixing the two is rejected. Instances are immutable.
 */
export class Irreps {
  /** The parts in layout order. */
  readonly entries: readonly MulIrrep[];
  /** Start of each part in a vector with these irreps; `offsets[i]` for part `i`. */
  readonly offsets: readonly number[];
  /** Total dimension `sum (2l+1) mul`. */
  readonly dim: number;

  /**
   * Creates irreps from parts in layout order.
   *
   * @throws {ArgumentError} when a multiplicity or degree is not a non-negative integer, a
   *   parity is not 1, -1 or 0, or SO(3) and O(3) labels are mixed.
   */
  constructor(entries: readonly MulIrrep[]) {
    const copy: MulIrrep[] = [];
    const offsets: number[] = [];
    let dim = 0;
    for (const e of entries) {
      checkEntry(e);
      copy.push(Object.freeze({ mul: e.mul, l: e.l, p: e.p }));
      offsets.push(dim);
      dim += (2 * e.l + 1) * e.mul;
    }
    const kinds = new Set(copy.map((e) => (e.p === 0 ? "SO(3)" : "O(3)")));
    if (kinds.size > 1) {
      throw new ArgumentError(
        `invalid irreps ${formatEntries(copy)}: SO(3) labels (no parity) and O(3) labels ` +
          "(e or o) cannot be mixed",
      );
    }
    this.entries = Object.freeze(copy);
    this.offsets = Object.freeze(offsets);
    this.dim = dim;
  }

  /**
   * Parses irreps notation: parts `MULxL`, `MULxLe` or `MULxLo` joined by `+`, with optional
   * spaces; `MULx` may be omitted for one copy. The empty string (or only spaces) is the empty
   * irreps.
   *
   * @example
   * ```ts
   * Irreps.parse("16x0e + 8x1o").toString(); // "16x0e + 8x1o"
   * ```
   * @throws {ArgumentError} naming the first invalid token: for `"16x0e + 3y1"` the message is
   *   `invalid irreps token "3y1" in "16x0e + 3y1": expected MULxL, MULxLe or MULxLo, ...`.
   */
  static parse(text: string): Irreps {
    if (text.trim() === "") return new Irreps([]);
    const entries: MulIrrep[] = [];
    for (const raw of text.split("+")) {
      const token = raw.trim();
      const match = TOKEN.exec(token);
      if (match === null) {
        throw new ArgumentError(
          `invalid irreps token "${token}" in "${text}": expected MULxL, MULxLe or MULxLo, ` +
            "such as 8x1o",
        );
      }
      const mul = match[1] === undefined ? 1 : Number(match[1]);
      const l = Number(match[2]);
      const p: Parity = match[3] === "e" ? 1 : match[3] === "o" ? -1 : 0;
      entries.push({ mul, l, p });
    }
    return new Irreps(entries);
  }

  /** Accepts an `Irreps`, a notation string, or a list of parts. */
  static from(value: Irreps | string | readonly MulIrrep[]): Irreps {
    if (value instanceof Irreps) return value;
    if (typeof value === "string") return Irreps.parse(value);
    return new Irreps(value);
  }

  /**
   * The irreps of the real spherical harmonics of degrees `0..lmax`, one copy each: with
   * `parity = -1` (O(3), the default) degree l has parity `(-1)^l` (`1x0e + 1x1o + 1x2e`);
   * with `parity = 0` the labels are SO(3) labels.
   *
   * @throws {ArgumentError} when `lmax` is not a non-negative integer.
   */
  static sphericalHarmonics(lmax: number, parity: -1 | 0 = -1): Irreps {
    if (!Number.isSafeInteger(lmax) || lmax < 0) {
      throw new ArgumentError(`invalid lmax ${lmax}: expected an integer >= 0`);
    }
    const entries: MulIrrep[] = [];
    for (let l = 0; l <= lmax; l++) {
      entries.push({ mul: 1, l, p: parity === 0 ? 0 : l % 2 === 0 ? 1 : -1 });
    }
    return new Irreps(entries);
  }

  /** Number of parts (entries), including parts with multiplicity 0. */
  get length(): number {
    return this.entries.length;
  }

  /** Number of irreps counted with multiplicity, `sum mul`. */
  get numIrreps(): number {
    return this.entries.reduce((s, e) => s + e.mul, 0);
  }

  /** Largest degree among parts with `mul > 0`, or -1 when there are none. */
  get lmax(): number {
    return this.entries.reduce((m, e) => (e.mul > 0 && e.l > m ? e.l : m), -1);
  }

  /** Whether the labels are SO(3) labels (no parity). The empty irreps counts as SO(3). */
  get isSO3(): boolean {
    return this.entries.every((e) => e.p === 0);
  }

  /**
   * Total multiplicity of degree `l`, summed over parts; with `p` given, only parts of that
   * parity count.
   */
  multiplicity(l: number, p?: Parity): number {
    let total = 0;
    for (const e of this.entries) if (e.l === l && (p === undefined || e.p === p)) total += e.mul;
    return total;
  }

  /** Dimension `(2l+1) mul` of part `i`. */
  partDim(i: number): number {
    const e = this.entry(i);
    return (2 * e.l + 1) * e.mul;
  }

  /** Part `i`. @throws {ArgumentError} when `i` is out of range. */
  entry(i: number): MulIrrep {
    const e = this.entries[i];
    if (e === undefined) {
      throw new ArgumentError(
        `part index ${i} is out of range for ${this.toString()} (${this.length} parts)`,
      );
    }
    return e;
  }

  /** Start and end (exclusive) of each part in a vector with these irreps. */
  slices(): Array<{ readonly start: number; readonly end: number }> {
    return this.entries.map((e, i) => {
      const start = this.offsets[i] ?? 0;
      return { start, end: start + (2 * e.l + 1) * e.mul };
    });
  }

  /** Merges neighbouring parts with the same label and drops parts with multiplicity 0. */
  simplify(): Irreps {
    const out: MulIrrep[] = [];
    for (const e of this.entries) {
      if (e.mul === 0) continue;
      const last = out[out.length - 1];
      if (last !== undefined && last.l === e.l && last.p === e.p) {
        out[out.length - 1] = { mul: last.mul + e.mul, l: e.l, p: e.p };
      } else {
        out.push(e);
      }
    }
    return new Irreps(out);
  }

  /**
   * Sorts the parts by degree l, then even before odd parity; the sort is stable. Returns the
   * sorted irreps and `permutation`, where `permutation[i]` is the old index of new part `i`,
   * and `inverse`, where `inverse[j]` is the new index of old part `j`.
   */
  sort(): { irreps: Irreps; permutation: number[]; inverse: number[] } {
    const order = this.entries.map((e, i) => ({ e, i }));
    order.sort((a, b) => a.e.l - b.e.l || b.e.p - a.e.p || a.i - b.i);
    const permutation = order.map((x) => x.i);
    const inverse = new Array<number>(permutation.length).fill(0);
    permutation.forEach((old, i) => {
      inverse[old] = i;
    });
    return { irreps: new Irreps(order.map((x) => x.e)), permutation, inverse };
  }

  /** Concatenates parts: `this` first, then `other`. @throws {ArgumentError} on mixed labels. */
  concat(other: Irreps | string): Irreps {
    return new Irreps([...this.entries, ...Irreps.from(other).entries]);
  }

  /** Whether both have the same parts in the same order (no simplification is applied). */
  equals(other: Irreps | string): boolean {
    const o = Irreps.from(other);
    if (o.length !== this.length) return false;
    return this.entries.every((e, i) => {
      const f = o.entries[i];
      return f !== undefined && f.mul === e.mul && f.l === e.l && f.p === e.p;
    });
  }

  /** The notation, parts joined by ` + `, each as `MULxL[e|o]`; the empty irreps prints `""`. */
  toString(): string {
    return formatEntries(this.entries);
  }
}

function formatEntries(entries: readonly MulIrrep[]): string {
  return entries.map((e) => `${e.mul}x${formatIrrep(e)}`).join(" + ");
}

/**
 * Throws unless `actual` equals `expected`, with a message that prints both.
 *
 * @throws {ArgumentError} `irreps mismatch: <what> is <actual>, expected <expected>`.
 */
export function assertIrrepsEqual(actual: Irreps, expected: Irreps, what = "input"): void {
  if (!actual.equals(expected)) {
    throw new ArgumentError(
      `irreps mismatch: ${what} is ${actual.toString()}, expected ${expected.toString()}`,
    );
  }
}
