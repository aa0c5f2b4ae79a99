/**
 * Preparation of molecular graphs for CCN: atom and bond features, receptive fields per level
 * and the promotion tables, as plain arrays (tensors are made in the forward pass).
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";
import type { MolecularGraph } from "@covnet/datasets";
import { type ChildRef, FieldBatch, promotionIndex } from "@covnet/permutation";

/** Elements with their own one-hot slot; others share the last slot. */
export const ATOM_ELEMENTS = [5, 6, 7, 8, 9, 14, 15, 16, 17, 34, 35, 53] as const;

/** Number of atom features: element, aromatic, hydrogens 0..3+, degree 0..4+, formal charge. */
export const ATOM_FEATURES = ATOM_ELEMENTS.length + 1 + 1 + 4 + 5 + 1;

/** Number of bond channels: single, double, triple, aromatic. */
export const BOND_FEATURES = 4;

/** One level of receptive fields of a batch. */
export interface LevelFields {
  readonly fields: FieldBatch;
  /** Children of each vertex (itself and its neighbours) with their positions in its field. */
  readonly children: readonly (readonly ChildRef[])[];
  /** Gather table of `promoteAndStack` from the previous level, per order (1 and 2). */
  readonly promotion: ReadonlyMap<number, Int32Array>;
}

/** A batch of molecular graphs in the form the CCN forward pass reads. */
export interface CcnBatch {
  /** Total number of heavy atoms. */
  readonly numVertices: number;
  readonly numGraphs: number;
  /** Atom features `[numVertices, ATOM_FEATURES]`, row-major. */
  readonly atomFeatures: Float64Array;
  /** Molecule of each vertex. */
  readonly graphOf: Int32Array;
  /** Neighbours of each vertex (global ids). */
  readonly neighbours: readonly (readonly number[])[];
  /** Bond type code (1..4) between two global vertex ids, 0 when not bonded. */
  readonly bondType: (u: number, v: number) => number;
  /** Fields of levels 0..levels. */
  readonly levels: readonly LevelFields[];
  /** Targets of the graphs. */
  readonly targets: Float64Array;
}

/**
 * Builds a batch: atom features, neighbour lists and receptive fields that grow by one hop per
 * level (`R_v^0 = {v}`, `R_v^l = union of R_w^(l-1)` over `w` in `v` and its neighbours).
 *
 * @param orders Orders (1, 2) whose promotion tables to precompute.
 * @throws {ArgumentError} when `levels` is not a positive integer or a graph is empty.
 */
export function prepareBatch(
  graphs: readonly MolecularGraph[],
  levels: number,
  orders: readonly number[],
): CcnBatch {
  if (!Number.isInteger(levels) || levels < 1) {
    throw new ArgumentError(`prepareBatch: levels must be a positive integer, got ${levels}`);
  }
  const numVertices = graphs.reduce((s, g) => s + g.atoms.length, 0);
  const atomFeatures = new Float64Array(numVertices * ATOM_FEATURES);
  const graphOf = new Int32Array(numVertices);
  const neighbours: number[][] = Array.from({ length: numVertices }, () => []);
  const bonds = new Map<number, number>();
  const key = (u: number, v: number) => (u < v ? u * numVertices + v : v * numVertices + u);
  let offset = 0;
  graphs.forEach((g, gi) => {
    const n = g.atoms.length;
    if (n === 0) throw new ArgumentError(`prepareBatch: graph ${gi} (${g.smiles}) has no atoms`);
    for (let b = 0; b < g.bondTypes.length; b++) {
      const u = offset + (g.bonds[2 * b] as number);
      const v = offset + (g.bonds[2 * b + 1] as number);
      neighbours[u]?.push(v);
      neighbours[v]?.push(u);
      bonds.set(key(u, v), g.bondTypes[b] as number);
    }
    for (let i = 0; i < n; i++) {
      const v = offset + i;
      graphOf[v] = gi;
      writeAtomFeatures(atomFeatures, v, g, i, neighbours[v]?.length ?? 0);
    }
    offset += n;
  });
  const fieldsByLevel: number[][][] = [Array.from({ length: numVertices }, (_, v) => [v])];
  for (let l = 1; l <= levels; l++) {
    const previous = fieldsByLevel[l - 1] as number[][];
    fieldsByLevel.push(
      previous.map((own, v) => {
        const union = new Set(own);
        for (const w of neighbours[v] ?? []) for (const u of previous[w] ?? []) union.add(u);
        return [...union].sort((a, b) => a - b);
      }),
    );
  }
  const levelFields: LevelFields[] = [];
  fieldsByLevel.forEach((fields, l) => {
    const batch = new FieldBatch(fields);
    const children = fields.map((field, v) =>
      l === 0
        ? []
        : [v, ...(neighbours[v] ?? [])].map((w) => ({ child: w, position: field.indexOf(w) })),
    );
    const promotion = new Map<number, Int32Array>();
    const prev = levelFields[l - 1];
    if (prev !== undefined) {
      for (const order of orders) {
        promotion.set(order, promotionIndex(prev.fields, batch, children, order));
      }
    }
    levelFields.push({ fields: batch, children, promotion });
  });
  return {
    numVertices,
    numGraphs: graphs.length,
    atomFeatures,
    graphOf,
    neighbours,
    bondType: (u, v) => bonds.get(key(u, v)) ?? 0,
    levels: levelFields,
    targets: Float64Array.from(graphs, (g) => g.target),
  };
}

function writeAtomFeatures(
  out: Float64Array,
  v: number,
  g: MolecularGraph,
  i: number,
  degree: number,
): void {
  const base = v * ATOM_FEATURES;
  const element = (ATOM_ELEMENTS as readonly number[]).indexOf(g.atoms[i] as number);
  out[base + (element >= 0 ? element : ATOM_ELEMENTS.length)] = 1;
  let at = ATOM_ELEMENTS.length + 1;
  out[base + at] = g.aromatic[i] as number;
  at += 1;
  out[base + at + Math.min(g.hydrogens[i] as number, 3)] = 1;
  at += 4;
  out[base + at + Math.min(degree, 4)] = 1;
  at += 5;
  out[base + at] = g.formalCharges[i] as number;
}
