/**
 * Element data for the first 36 elements (H to Kr): symbols, standard atomic weights, covalent
 * radii and display colours.
 *
 * @module
 */

/** Element symbols, indexed by atomic number (index 0 is unused). */
export const SYMBOLS: readonly string[] = [
  "",
  ...["H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S"],
  ...["Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga"],
  ...["Ge", "As", "Se", "Br", "Kr"],
];

/**
 * Standard atomic weights in g/mol (IUPAC 2021 abridged values), indexed by atomic number. These
 * are the masses the molecular dynamics uses.
 */
const MASSES: readonly number[] = [
  0, 1.008, 4.0026, 6.94, 9.0122, 10.81, 12.011, 14.007, 15.999, 18.998, 20.18, 22.99, 24.305,
  26.982, 28.085, 30.974, 32.06, 35.45, 39.95, 39.098, 40.078, 44.956, 47.867, 50.942, 51.996,
  54.938, 55.845, 58.933, 58.693, 63.546, 65.38, 69.723, 72.63, 74.922, 78.971, 79.904, 83.798,
];

/** Single-bond covalent radii in Angstrom (Cordero et al. 2008), indexed by atomic number. */
const COVALENT_RADII: readonly number[] = [
  0, 0.31, 0.28, 1.28, 0.96, 0.84, 0.76, 0.71, 0.66, 0.57, 0.58, 1.66, 1.41, 1.21, 1.11, 1.07, 1.05,
  1.02, 1.06, 2.03, 1.76, 1.7, 1.6, 1.53, 1.39, 1.39, 1.32, 1.26, 1.24, 1.32, 1.22, 1.22, 1.2, 1.19,
  1.2, 1.2, 1.16,
];

/** Display colours (the common CPK-like scheme of molecular viewers). */
const COLORS: Readonly<Record<number, string>> = {
  1: "#f2f2f2",
  6: "#505050",
  7: "#3050f8",
  8: "#ff0d0d",
  9: "#90e050",
  15: "#ff8000",
  16: "#e6c619",
  17: "#1ff01f",
  35: "#a62929",
};

/** Largest atomic number with element data. */
export const MAX_ATOMIC_NUMBER = SYMBOLS.length - 1;

function checkAtomicNumber(z: number): void {
  if (!Number.isInteger(z) || z < 1 || z > MAX_ATOMIC_NUMBER) {
    throw new RangeError(`atomic number ${z} is outside 1..${MAX_ATOMIC_NUMBER}`);
  }
}

/**
 * Returns the atomic number of an element symbol, case-insensitive.
 *
 * @throws {RangeError} for an unknown symbol.
 */
export function atomicNumber(symbol: string): number {
  const normalized = symbol.charAt(0).toUpperCase() + symbol.slice(1).toLowerCase();
  const z = SYMBOLS.indexOf(normalized);
  if (z < 1) throw new RangeError(`unknown element symbol "${symbol}"`);
  return z;
}

/**
 * Returns the standard atomic weight of element `z` in g/mol (the same number in atomic mass
 * units).
 *
 * @throws {RangeError} when `z` has no element data.
 */
export function atomicMass(z: number): number {
  checkAtomicNumber(z);
  return MASSES[z] as number;
}

/**
 * Returns the covalent radius of element `z` in Angstrom.
 *
 * @throws {RangeError} when `z` has no element data.
 */
export function covalentRadius(z: number): number {
  checkAtomicNumber(z);
  return COVALENT_RADII[z] as number;
}

/** Returns the display colour of element `z`; elements without their own colour are pink. */
export function elementColor(z: number): string {
  return COLORS[z] ?? "#ff1493";
}
