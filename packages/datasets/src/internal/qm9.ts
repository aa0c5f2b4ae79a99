/**
 * Assembly of the QM9 dataset from `dsgdb9nsd` records, a MoleculeNet CSV, an SDF or an
 * extended XYZ file, and the conversion of the raw QM9 properties to the standard targets.
 */
import { datasetError } from "../errors.js";
import { type CsvTable, csvColumn } from "../formats/csv.js";
import { QM9_PROPERTY_NAMES } from "../formats/qm9.js";
import type { XyzFrame } from "../formats/xyz.js";
import { PackedAtomsDataset } from "../packed.js";
import { type EnergyUnit, energyConversionFactor, QM9_ATOM_REFERENCE_HARTREE } from "../units.js";
import { parseReal } from "./numbers.js";

/** One QM9 molecule with its 15 raw properties (property-line order and original units). */
export interface Qm9Raw {
  readonly name: string;
  readonly charges: Int32Array;
  readonly positions: Float64Array;
  readonly properties: Float64Array;
  readonly smiles?: string;
}

/** MoleculeNet CSV column of each raw property, in {@link QM9_PROPERTY_NAMES} order. */
export const QM9_CSV_COLUMNS = [
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
  "u0",
  "u298",
  "h298",
  "g298",
  "cv",
] as const;

/** Extended-XYZ comment keys of each raw property (the metatrain / schnetpack convention). */
const QM9_XYZ_KEYS = [
  "A",
  "B",
  "C",
  "mu",
  "alpha",
  "epsHOMO",
  "epsLUMO",
  "epsgap",
  "<R2>",
  "zpve",
  "U0",
  "U",
  "H",
  "G",
  "Cv",
] as const;

/** The QM9 targets in output order. Energies are converted to the requested energy unit. */
export const QM9_TARGET_NAMES = [
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
  "A",
  "B",
  "C",
] as const;

const ENERGY_TARGETS = new Set(["homo", "lumo", "gap", "zpve", "U0", "U", "H", "G"]);
const ATOMISATION_TARGETS = new Set(["U0", "U", "H", "G"]);

/** Returns the unit of each QM9 target when energies are in `energyUnit`. */
export function qm9TargetUnits(energyUnit: EnergyUnit): Record<string, string> {
  const units: Record<string, string> = {
    mu: "debye",
    alpha: "bohr^3",
    r2: "bohr^2",
    Cv: "cal/(mol K)",
    A: "GHz",
    B: "GHz",
    C: "GHz",
  };
  for (const name of ENERGY_TARGETS) units[name] = energyUnit;
  return units;
}

/** Reads the targets of a MoleculeNet QM9 CSV, keyed by `mol_id` (first row of a duplicate wins). */
export function qm9CsvRows(
  table: CsvTable,
  file: string,
): Map<string, { properties: Float64Array; smiles?: string }> {
  const id = csvColumn(table, "mol_id", file);
  const smilesColumn = table.header.indexOf("smiles");
  const columns = QM9_CSV_COLUMNS.map((c) => csvColumn(table, c, file));
  const out = new Map<string, { properties: Float64Array; smiles?: string }>();
  table.rows.forEach((row, r) => {
    const molId = (row[id] as string).trim();
    if (out.has(molId)) return;
    const properties = new Float64Array(15);
    columns.forEach((c, k) => {
      properties[k] = parseReal(
        row[c]?.trim(),
        file,
        `row ${r + 1} (${molId})`,
        QM9_CSV_COLUMNS[k] as string,
      );
    });
    const smiles = smilesColumn >= 0 ? row[smilesColumn]?.trim() : undefined;
    out.set(molId, smiles ? { properties, smiles } : { properties });
  });
  return out;
}

/** Reads the raw properties of an extended-XYZ QM9 frame (keys A B C mu ... Cv). */
export function qm9FromXyzFrame(frame: XyzFrame, index: number, file: string): Qm9Raw {
  const properties = new Float64Array(15);
  QM9_XYZ_KEYS.forEach((key, k) => {
    const v = frame.info[key];
    if (typeof v !== "number") {
      throw datasetError(file, `missing numeric "${key}" in the comment line`, {
        record: `frame ${index}`,
        field: key,
      });
    }
    properties[k] = v;
  });
  return { name: `frame_${index}`, charges: frame.charges, positions: frame.positions, properties };
}

/** Options for {@link qm9Dataset}. */
export interface Qm9DatasetOptions {
  readonly id: string;
  readonly provenance: string;
  readonly energyUnit: EnergyUnit;
  /** Target copied to `Molecule.energy`. */
  readonly target: string;
}

/**
 * Packs QM9 molecules and converts their raw properties to {@link QM9_TARGET_NAMES}: orbital
 * energies and ZPVE from Hartree to `energyUnit`, and U0, U, H, G to atomisation energies
 * (total energy minus the free-atom references of {@link QM9_ATOM_REFERENCE_HARTREE}).
 *
 * @throws DatasetError for an unknown target or an element without a reference energy.
 */
export function qm9Dataset(
  molecules: readonly Qm9Raw[],
  options: Qm9DatasetOptions,
): PackedAtomsDataset {
  const targetIndex = (QM9_TARGET_NAMES as readonly string[]).indexOf(options.target);
  if (targetIndex < 0) {
    throw datasetError(
      options.id,
      `unknown target "${options.target}" (QM9 targets: ${QM9_TARGET_NAMES.join(", ")})`,
      {
        field: "target",
      },
    );
  }
  const k = QM9_TARGET_NAMES.length;
  const atomOffsets = new Int32Array(molecules.length + 1);
  molecules.forEach((m, i) => {
    atomOffsets[i + 1] = (atomOffsets[i] as number) + m.charges.length;
  });
  const total = atomOffsets[molecules.length] as number;
  const charges = new Int32Array(total);
  const positions = new Float64Array(3 * total);
  const targets = new Float64Array(molecules.length * k);
  const energies = new Float64Array(molecules.length);
  const hartree = energyConversionFactor("hartree", options.energyUnit);
  molecules.forEach((m, i) => {
    const start = atomOffsets[i] as number;
    charges.set(m.charges, start);
    positions.set(m.positions, 3 * start);
    QM9_TARGET_NAMES.forEach((name, j) => {
      let value = m.properties[(QM9_PROPERTY_NAMES as readonly string[]).indexOf(name)] as number;
      if (ATOMISATION_TARGETS.has(name)) {
        const refs = QM9_ATOM_REFERENCE_HARTREE[name as "U0" | "U" | "H" | "G"];
        for (const z of m.charges) {
          const ref = refs[z];
          if (ref === undefined) {
            throw datasetError(
              options.id,
              `no QM9 free-atom reference energy for atomic number ${z} (only H C N O F)`,
              {
                record: m.name,
                field: name,
              },
            );
          }
          value -= ref;
        }
      }
      if (ENERGY_TARGETS.has(name)) value *= hartree;
      targets[i * k + j] = value;
    });
    energies[i] = targets[i * k + targetIndex] as number;
  });
  const smiles = molecules.map((m) => m.smiles ?? "");
  return new PackedAtomsDataset({
    id: options.id,
    units: {
      length: "angstrom",
      energy: qm9TargetUnits(options.energyUnit)[options.target] as string,
      targets: qm9TargetUnits(options.energyUnit),
    },
    provenance: options.provenance,
    atomOffsets,
    charges,
    positions,
    energies,
    targetNames: QM9_TARGET_NAMES,
    targets,
    names: molecules.map((m) => m.name),
    ...(smiles.some((s) => s.length > 0) ? { smiles } : {}),
  });
}
