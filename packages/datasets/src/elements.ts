/**
 * Chemical element symbols and atomic numbers.
 *
 * @module
 */

// biome-ignore format: one period per line
const SYMBOLS = [
  "H", "He",
  "Li", "Be", "B", "C", "N", "O", "F", "Ne",
  "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar",
  "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr",
  "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe",
  "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu",
  "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn",
  "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr",
  "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og",
] as const;

const NUMBER_BY_SYMBOL: ReadonlyMap<string, number> = new Map(
  SYMBOLS.map((symbol, i) => [symbol.toLowerCase(), i + 1]),
);

/** Highest atomic number with a symbol (118, oganesson). */
export const MAX_ATOMIC_NUMBER = SYMBOLS.length;

/**
 * Returns the atomic number of an element symbol (case-insensitive, so `C`, `c` and `CL` are
 * read as in XYZ files written by different codes), or undefined when the symbol is unknown.
 */
export function atomicNumber(symbol: string): number | undefined {
  return NUMBER_BY_SYMBOL.get(symbol.toLowerCase());
}

/** Returns the symbol of atomic number `z`, or undefined outside 1..118. */
export function elementSymbol(z: number): string | undefined {
  return SYMBOLS[z - 1];
}
