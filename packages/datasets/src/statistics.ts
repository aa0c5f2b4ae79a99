/**
 * Summary statistics used to normalise energies and forces before training.
 *
 * @module
 */
import { ArgumentError, symmetricEigen } from "@covnet/core";
import type { AtomsDataset } from "./types.js";

/** Statistics of energies and forces over a subset of a dataset. */
export interface DatasetStatistics {
  /** Number of molecules used. */
  readonly count: number;
  /** Atomic numbers present, ascending. */
  readonly elements: readonly number[];
  /**
   * Per-element energy offsets from the least-squares fit E_i ~ sum_e N_ie c_e (minimum-norm
   * solution, so a fixed composition spreads the mean energy over elements by atom count).
   */
  readonly energyPerAtom: Readonly<Record<number, number>>;
  readonly energyMean: number;
  readonly energyStd: number;
  /** Standard deviation of the energies after subtracting the per-element fit. */
  readonly residualStd: number;
  /** Root mean square of all force components (0 without forces). */
  readonly forceRms: number;
  /** Mean number of atoms per molecule. */
  readonly atomsMean: number;
}

/**
 * Computes energy and force statistics over the molecules at `indices` (all molecules when
 * omitted).
 *
 * @throws ArgumentError when `indices` is empty or a molecule has no energy.
 */
export function datasetStatistics(
  ds: AtomsDataset,
  indices?: ArrayLike<number>,
): DatasetStatistics {
  const idx =
    indices === undefined ? Array.from({ length: ds.size }, (_, i) => i) : Array.from(indices);
  if (idx.length === 0) throw new ArgumentError("datasetStatistics needs at least one molecule");
  const molecules = idx.map((i) => ds.molecule(i));
  const elementSet = new Set<number>();
  for (const m of molecules) for (const z of m.charges) elementSet.add(z);
  const elements = [...elementSet].sort((a, b) => a - b);
  const k = elements.length;
  const column = new Map(elements.map((z, j) => [z, j]));
  const gram = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  const counts = new Float64Array(k);
  let sum = 0;
  let sumSq = 0;
  let forceSq = 0;
  let forceCount = 0;
  let atoms = 0;
  molecules.forEach((m, r) => {
    if (m.energy === undefined)
      throw new ArgumentError(`${ds.id}: molecule ${idx[r]} has no energy`);
    counts.fill(0);
    for (const z of m.charges)
      counts[column.get(z) as number] = (counts[column.get(z) as number] as number) + 1;
    for (let a = 0; a < k; a++) {
      rhs[a] = (rhs[a] as number) + (counts[a] as number) * m.energy;
      for (let b = 0; b < k; b++)
        gram[a * k + b] =
          (gram[a * k + b] as number) + (counts[a] as number) * (counts[b] as number);
    }
    sum += m.energy;
    sumSq += m.energy * m.energy;
    atoms += m.charges.length;
    if (m.forces) {
      for (const f of m.forces) forceSq += f * f;
      forceCount += m.forces.length;
    }
  });
  const { values, vectors } = symmetricEigen(gram, k);
  const maxValue = Math.max(...values);
  const coef = new Float64Array(k);
  for (let e = 0; e < k; e++) {
    const lambda = values[e] as number;
    if (lambda <= maxValue * 1e-12) continue;
    let proj = 0;
    for (let a = 0; a < k; a++) proj += (vectors[a * k + e] as number) * (rhs[a] as number);
    for (let a = 0; a < k; a++)
      coef[a] = (coef[a] as number) + ((vectors[a * k + e] as number) * proj) / lambda;
  }
  const n = molecules.length;
  const mean = sum / n;
  let residualSq = 0;
  let residualSum = 0;
  for (const m of molecules) {
    let fit = 0;
    for (const z of m.charges) fit += coef[column.get(z) as number] as number;
    const r = (m.energy as number) - fit;
    residualSum += r;
    residualSq += r * r;
  }
  const energyPerAtom: Record<number, number> = {};
  elements.forEach((z, j) => {
    energyPerAtom[z] = coef[j] as number;
  });
  return {
    count: n,
    elements,
    energyPerAtom,
    energyMean: mean,
    energyStd: Math.sqrt(Math.max(0, sumSq / n - mean * mean)),
    residualStd: Math.sqrt(Math.max(0, residualSq / n - (residualSum / n) ** 2)),
    forceRms: forceCount > 0 ? Math.sqrt(forceSq / forceCount) : 0,
    atomsMean: atoms / n,
  };
}
