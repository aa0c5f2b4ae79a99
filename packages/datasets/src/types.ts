/**
 * The dataset interfaces shared by every loader.
 *
 * @module
 */
import type { DatasetUnits } from "./units.js";

/**
 * One molecule or one frame of a trajectory. Arrays may be views into the dataset's storage:
 * treat them as read-only.
 */
export interface Molecule {
  /** Atomic numbers, `[n]`. */
  readonly charges: Int32Array;
  /** Cartesian positions in Angstrom, `[n, 3]` flattened row-major. */
  readonly positions: Float64Array;
  /** Energy (or the selected scalar target) in `AtomsDataset.units.energy`. */
  readonly energy?: number;
  /** Forces `-dE/dx` in `AtomsDataset.units.force`, `[n, 3]` flattened. */
  readonly forces?: Float64Array;
  /** Scalar targets by name, each in `AtomsDataset.units.targets[name]`. */
  readonly targets?: Readonly<Record<string, number>>;
  /** SMILES string, where the source has one. */
  readonly smiles?: string;
  /** Identifier in the source (for example `gdb_133`). */
  readonly name?: string;
}

/** A random-access collection of molecules with units and provenance. */
export interface AtomsDataset {
  /** Dataset id, for example `rmd17/ethanol` or `qm9`. */
  readonly id: string;
  readonly units: DatasetUnits;
  /** Number of molecules or frames. */
  readonly size: number;
  /**
   * Returns molecule `i` (0 <= i < size).
   *
   * @throws RangeError when `i` is out of range.
   */
  molecule(i: number): Molecule;
  /** Names of the entries of `Molecule.targets`, in a fixed order. */
  readonly targetNames: readonly string[];
  /** The split the source defines (rMD17 train and test files), as indices into this dataset. */
  readonly predefinedSplit?: { readonly train: Int32Array; readonly test: Int32Array };
  /** Where the data came from, with licence. */
  readonly provenance: string;
}

/** A dataset id offered by {@link listDatasets}. */
export interface DatasetInfo {
  readonly id: string;
  readonly description: string;
  /** Number of molecules or frames in the embedded copy. */
  readonly size: number;
  /** True when a compact copy ships inside the package. */
  readonly embedded: boolean;
  /** The upstream formats accepted through `dataPath`. */
  readonly formats: readonly string[];
  readonly units: DatasetUnits;
  readonly provenance: string;
}
