/**
 * The in-memory dataset type behind every loader: molecules packed into flat typed arrays.
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";
import type { AtomsDataset, Molecule } from "./types.js";
import type { DatasetUnits } from "./units.js";

/**
 * The flat arrays of a packed dataset. Molecule `i` owns atoms `atomOffsets[i]` to
 * `atomOffsets[i + 1]` (exclusive).
 */
export interface PackedAtomsData {
  readonly id: string;
  readonly units: DatasetUnits;
  readonly provenance: string;
  /** `[size + 1]`, starting at 0 and non-decreasing. */
  readonly atomOffsets: Int32Array;
  /** Atomic numbers, `[totalAtoms]`. */
  readonly charges: Int32Array;
  /** Angstrom, `[totalAtoms, 3]`. */
  readonly positions: Float64Array;
  /** `[size]`. */
  readonly energies?: Float64Array;
  /** `[totalAtoms, 3]`. */
  readonly forces?: Float64Array;
  readonly targetNames?: readonly string[];
  /** `[size, targetNames.length]`. */
  readonly targets?: Float64Array;
  readonly smiles?: readonly string[];
  readonly names?: readonly string[];
  readonly predefinedSplit?: { readonly train: Int32Array; readonly test: Int32Array };
}

/** An {@link AtomsDataset} over {@link PackedAtomsData}; `molecule(i)` returns array views. */
export class PackedAtomsDataset implements AtomsDataset {
  readonly id: string;
  readonly units: DatasetUnits;
  readonly provenance: string;
  readonly size: number;
  readonly targetNames: readonly string[];
  readonly predefinedSplit?: { readonly train: Int32Array; readonly test: Int32Array };
  /** The packed arrays, for fast batching. */
  readonly data: PackedAtomsData;

  /**
   * Wraps packed arrays after checking that their lengths agree.
   *
   * @throws ArgumentError naming the array whose length does not match `atomOffsets`.
   */
  constructor(data: PackedAtomsData) {
    const size = data.atomOffsets.length - 1;
    const atoms = data.atomOffsets[size] ?? 0;
    const targetNames = data.targetNames ?? [];
    const check = (name: string, actual: number | undefined, expected: number) => {
      if (actual !== undefined && actual !== expected) {
        throw new ArgumentError(`${data.id}: ${name} has length ${actual}, expected ${expected}`);
      }
    };
    if (size < 0 || data.atomOffsets[0] !== 0) {
      throw new ArgumentError(`${data.id}: atomOffsets must start with 0`);
    }
    check("charges", data.charges.length, atoms);
    check("positions", data.positions.length, 3 * atoms);
    check("energies", data.energies?.length, size);
    check("forces", data.forces?.length, 3 * atoms);
    check("targets", data.targets?.length, size * targetNames.length);
    check("smiles", data.smiles?.length, size);
    check("names", data.names?.length, size);
    this.id = data.id;
    this.units = data.units;
    this.provenance = data.provenance;
    this.size = size;
    this.targetNames = targetNames;
    if (data.predefinedSplit) this.predefinedSplit = data.predefinedSplit;
    this.data = data;
  }

  /** Number of atoms of molecule `i`. */
  atomCount(i: number): number {
    return (this.data.atomOffsets[i + 1] as number) - (this.data.atomOffsets[i] as number);
  }

  molecule(i: number): Molecule {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) {
      throw new RangeError(`${this.id}: molecule index ${i} is outside [0, ${this.size})`);
    }
    const d = this.data;
    const start = d.atomOffsets[i] as number;
    const end = d.atomOffsets[i + 1] as number;
    const m: {
      -readonly [K in keyof Molecule]: Molecule[K];
    } = {
      charges: d.charges.subarray(start, end),
      positions: d.positions.subarray(3 * start, 3 * end),
    };
    if (d.energies) m.energy = d.energies[i] as number;
    if (d.forces) m.forces = d.forces.subarray(3 * start, 3 * end);
    if (d.targets && this.targetNames.length > 0) {
      const t: Record<string, number> = {};
      const k = this.targetNames.length;
      this.targetNames.forEach((name, j) => {
        t[name] = d.targets?.[i * k + j] as number;
      });
      m.targets = t;
    }
    const smiles = d.smiles?.[i];
    if (smiles !== undefined && smiles.length > 0) m.smiles = smiles;
    const name = d.names?.[i];
    if (name !== undefined) m.name = name;
    return m;
  }
}

/** Returns `[0, n, 2n, ...]` offsets for `frames` molecules of `n` atoms each. */
export function uniformOffsets(frames: number, n: number): Int32Array {
  const offsets = new Int32Array(frames + 1);
  for (let i = 0; i <= frames; i++) offsets[i] = i * n;
  return offsets;
}
