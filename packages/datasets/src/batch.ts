/**
 * Batching of molecules into one disjoint graph with segment ids and neighbour edges.
 *
 * @module
 */
import { ArgumentError, Random } from "@covnet/core";
import { neighborList } from "./neighbors.js";
import type { AtomsDataset } from "./types.js";

/**
 * Several molecules packed as one graph. Atoms of molecule b occupy a contiguous range and
 * carry segment id b; edges use global atom indices and never cross molecules.
 */
export interface GraphBatch {
  readonly numMolecules: number;
  readonly numAtoms: number;
  /** Atomic numbers, `[numAtoms]`. */
  readonly charges: Int32Array;
  /** Angstrom, `[numAtoms, 3]` flattened. */
  readonly positions: Float64Array;
  /** Molecule (segment) of each atom, `[numAtoms]`, values 0..numMolecules-1 in order. */
  readonly moleculeIndex: Int32Array;
  /** Directed edges within the cutoff, `[numEdges]` each, both directions, no self pairs. */
  readonly edgeSrc: Int32Array;
  readonly edgeDst: Int32Array;
  /** `[numMolecules]`, in the dataset's energy unit; present when every molecule has one. */
  readonly energies?: Float64Array;
  /** `[numAtoms, 3]`; present when every molecule has forces. */
  readonly forces?: Float64Array;
  /** `[numMolecules, targetNames.length]` in `ds.targetNames` order. */
  readonly targets?: Float64Array;
  /** `[numMolecules]`. */
  readonly atomsPerMolecule: Int32Array;
  /** Dataset indices of the molecules, `[numMolecules]`. */
  readonly indices: Int32Array;
}

/** Options of {@link makeBatch}. */
export interface BatchOptions {
  /** Neighbour cutoff radius in Angstrom. */
  readonly cutoff: number;
}

/**
 * Packs the molecules at `indices` into one {@link GraphBatch}.
 *
 * @throws ArgumentError when `indices` is empty or the cutoff is invalid.
 * @throws RangeError when an index is outside the dataset.
 */
export function makeBatch(
  ds: AtomsDataset,
  indices: ArrayLike<number>,
  options: BatchOptions,
): GraphBatch {
  if (indices.length === 0) throw new ArgumentError("makeBatch needs at least one molecule index");
  const molecules = Array.from(indices, (i) => ds.molecule(i));
  const atomsPerMolecule = Int32Array.from(molecules, (m) => m.charges.length);
  const numAtoms = atomsPerMolecule.reduce((a, b) => a + b, 0);
  const charges = new Int32Array(numAtoms);
  const positions = new Float64Array(3 * numAtoms);
  const moleculeIndex = new Int32Array(numAtoms);
  const hasEnergy = molecules.every((m) => m.energy !== undefined);
  const hasForces = molecules.every((m) => m.forces !== undefined);
  const k = ds.targetNames.length;
  const energies = hasEnergy ? new Float64Array(molecules.length) : undefined;
  const forces = hasForces ? new Float64Array(3 * numAtoms) : undefined;
  const targets = k > 0 ? new Float64Array(molecules.length * k) : undefined;
  const src: Int32Array[] = [];
  const dst: Int32Array[] = [];
  let offset = 0;
  molecules.forEach((m, b) => {
    const n = m.charges.length;
    charges.set(m.charges, offset);
    positions.set(m.positions, 3 * offset);
    moleculeIndex.fill(b, offset, offset + n);
    if (energies) energies[b] = m.energy as number;
    if (forces && m.forces) forces.set(m.forces, 3 * offset);
    if (targets) {
      ds.targetNames.forEach((name, j) => {
        targets[b * k + j] = m.targets?.[name] ?? Number.NaN;
      });
    }
    const edges = neighborList(m.positions, options.cutoff);
    src.push(edges.src.map((i) => i + offset));
    dst.push(edges.dst.map((i) => i + offset));
    offset += n;
  });
  const concat = (parts: Int32Array[]) => {
    const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  return {
    numMolecules: molecules.length,
    numAtoms,
    charges,
    positions,
    moleculeIndex,
    edgeSrc: concat(src),
    edgeDst: concat(dst),
    ...(energies ? { energies } : {}),
    ...(forces ? { forces } : {}),
    ...(targets ? { targets } : {}),
    atomsPerMolecule,
    indices: Int32Array.from(indices),
  };
}

/** Options of {@link batches}. */
export interface BatchesOptions extends BatchOptions {
  readonly batchSize: number;
  /** Shuffle the indices before batching (needs `seed` or `rng`). Default false. */
  readonly shuffle?: boolean;
  readonly seed?: number;
  /** Generator used for shuffling; advanced once per pass. Takes precedence over `seed`. */
  readonly rng?: Random;
  /** Drop a last batch smaller than `batchSize`. Default false. */
  readonly dropLast?: boolean;
}

/**
 * Iterates over `indices` in batches of `batchSize` molecules. Each iteration of the returned
 * iterable is one pass (epoch); with `shuffle`, every pass draws a new order from the generator.
 *
 * @throws ArgumentError when `batchSize` is not a positive integer, or `shuffle` is set without
 *   `seed` or `rng`.
 */
export function batches(
  ds: AtomsDataset,
  indices: ArrayLike<number>,
  options: BatchesOptions,
): Iterable<GraphBatch> {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ArgumentError(`batchSize ${batchSize} must be a positive integer`);
  }
  if (options.shuffle && options.rng === undefined && options.seed === undefined) {
    throw new ArgumentError("shuffle needs a seed or an rng, so that the order is reproducible");
  }
  const rng = options.rng ?? (options.seed !== undefined ? new Random(options.seed) : undefined);
  const items = Array.from(indices);
  return {
    *[Symbol.iterator]() {
      const order = options.shuffle && rng ? rng.shuffle(items.slice()) : items;
      for (let start = 0; start < order.length; start += batchSize) {
        const chunk = order.slice(start, start + batchSize);
        if (options.dropLast && chunk.length < batchSize) return;
        yield makeBatch(ds, chunk, options);
      }
    },
  };
}
