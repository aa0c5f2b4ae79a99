/**
 * Physical units of the datasets and the constants that convert between them. Values are the
 * CODATA 2018 recommended values (NIST, https://physics.nist.gov/cuu/Constants/).
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";

/** Energy units that datasets are stored or converted in. */
export type EnergyUnit = "kcal/mol" | "eV" | "meV" | "hartree";

/** Hartree energy in eV (CODATA 2018). */
export const HARTREE_IN_EV = 27.211386245988;
/** Avogadro constant in 1/mol (exact since the 2019 SI). */
export const AVOGADRO = 6.02214076e23;
/** Elementary charge in C (exact since the 2019 SI). */
export const ELEMENTARY_CHARGE = 1.602176634e-19;
/** Thermochemical calorie in J (exact by definition). */
export const CALORIE_IN_J = 4.184;
/** 1 kcal/mol in eV: 4184 J / (N_A e) = 0.04336410424... */
export const KCAL_PER_MOL_IN_EV = (1000 * CALORIE_IN_J) / (AVOGADRO * ELEMENTARY_CHARGE);
/** 1 Hartree in kcal/mol (627.5094740...). */
export const HARTREE_IN_KCAL_PER_MOL = HARTREE_IN_EV / KCAL_PER_MOL_IN_EV;
/** Bohr radius in Angstrom (CODATA 2018). */
export const BOHR_IN_ANGSTROM = 0.529177210903;

const ENERGY_IN_EV: Readonly<Record<EnergyUnit, number>> = {
  "kcal/mol": KCAL_PER_MOL_IN_EV,
  eV: 1,
  meV: 1e-3,
  hartree: HARTREE_IN_EV,
};

/** Returns true when `unit` names a known {@link EnergyUnit}. */
export function isEnergyUnit(unit: string): unit is EnergyUnit {
  return Object.hasOwn(ENERGY_IN_EV, unit);
}

/**
 * Returns the factor that converts an energy in `from` to `to` (multiply by it). Forces in
 * energy/Angstrom convert by the same factor.
 *
 * @throws ArgumentError when either unit is not an {@link EnergyUnit}.
 */
export function energyConversionFactor(from: EnergyUnit, to: EnergyUnit): number {
  const a = ENERGY_IN_EV[from];
  const b = ENERGY_IN_EV[to];
  if (a === undefined || b === undefined) {
    throw new ArgumentError(
      `unknown energy unit: "${from}" -> "${to}" (known: ${Object.keys(ENERGY_IN_EV).join(", ")})`,
    );
  }
  return from === to ? 1 : a / b;
}

/** Converts one energy value from `from` to `to`. */
export function convertEnergy(value: number, from: EnergyUnit, to: EnergyUnit): number {
  return value * energyConversionFactor(from, to);
}

/**
 * Units of one dataset. Positions are always in Angstrom. `energy` is the unit of
 * `Molecule.energy`, `force` the unit of `Molecule.forces`, and `targets` maps each entry of
 * `Molecule.targets` to its unit.
 */
export interface DatasetUnits {
  readonly length: "angstrom";
  readonly energy?: string;
  readonly force?: string;
  readonly targets: Readonly<Record<string, string>>;
}

/**
 * Free-atom reference energies (Hartree) at the QM9 level of theory, B3LYP/6-31G(2df,p), for
 * U0 (0 K), U (298.15 K), H (298.15 K) and G (298.15 K). Source: `atomref` table of the QM9
 * dataset (Ramakrishnan et al., Sci. Data 1, 140022, 2014, figshare collection 978904).
 * Subtracting them per atom gives the atomisation energy.
 */
export const QM9_ATOM_REFERENCE_HARTREE: Readonly<
  Record<"U0" | "U" | "H" | "G", Readonly<Record<number, number>>>
> = {
  U0: { 1: -0.500273, 6: -37.846772, 7: -54.583861, 8: -75.064579, 9: -99.71873 },
  U: { 1: -0.498857, 6: -37.845355, 7: -54.582445, 8: -75.063163, 9: -99.717314 },
  H: { 1: -0.497912, 6: -37.844411, 7: -54.581501, 8: -75.062219, 9: -99.71637 },
  G: { 1: -0.510927, 6: -37.861317, 7: -54.598897, 8: -75.079532, 9: -99.733544 },
};
