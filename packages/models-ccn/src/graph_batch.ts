/**
 * Preparation of molecular graphs for CCN: atom and bond features, receptive fields per level
 * and the promotion tables, as plain arrays (tensors are made in the forward pass).
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";
import type { MolecularGraph } from "@covnet/datasets";
import { type ChildRef, FieldBatch } from "@covnet/permutation";

/** Elements with their own one-hot slot; others share the last slot. */
export const ATOM_ELEMENTS = [5, 6, 7, 8, 9, 14, 15, 16, 17, 34, 35, 53] as const;

/** Number of atom features: element, aromatic, hydrogens 0..3+, degree 0..4+, formal charge. */
export const ATOM_FEATURES = ATOM_ELEMENTS.length + 1 + 1 + 4 + 5 + 1;

/** Number of bond channels: single, double, triple, aromatic. */
export const BOND_FEATURES = 4;

/**
 * The vertices of one level whose receptive fields have one size, so that their tensors need no
 * padding.
 */
export interface FieldBucket {
  /** Global ids of the vertices, ascending. */
  readonly vertices: Int32Array;
  /** Their fields, all of size `fields.size`. */
  readonly fields: FieldBatch;
  /**
   * Gather table per order (1 and 2) of the promoted and stacked children: for each vertex,
   * stacking position and multi-index over its field (row-major), the row of the previous
   * level's packed activations (see {@link LevelFields.rowOffset}), or the zero row after them.
   */
  readonly promotion: ReadonlyMap<number, Int32Array>;
}

/** One level of receptive fields of a batch. */
export interface LevelFields {
  /** Every vertex's field, padded to the largest one. */
  readonly fields: FieldBatch;
  /** Children of each vertex (itself and its neighbours) with their positions in its field. */
  readonly children: readonly (readonly ChildRef[])[];
  /** The vertices grouped by field size, ascending. */
  readonly buckets: readonly FieldBucket[];
  /**
   * Per order, the first row of each vertex's activation in the packed activations of this
   * level: the buckets' `[count * size^order, C]` tensors concatenated in bucket order.
   */
  readonly rowOffset: ReadonlyMap<number, Int32Array>;
  /** Number of rows of the packed activations per order. */
  readonly rows: ReadonlyMap<number, number>;
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
 * @param orders Orders (1, 2) whose packed layouts and promotion tables to precompute.
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
    const children = fields.map((field, v) =>
      l === 0
        ? []
        : [v, ...(neighbours[v] ?? [])].map((w) => ({ child: w, position: field.indexOf(w) })),
    );
    const prev = levelFields[l - 1];
    const bySize = new Map<number, number[]>();
    fields.forEach((field, v) => {
      const list = bySize.get(field.length) ?? [];
      list.push(v);
      bySize.set(field.length, list);
    });
    const sizes = [...bySize.keys()].sort((a, b) => a - b);
    const rowOffset = new Map<number, Int32Array>();
    const rows = new Map<number, number>();
    for (const order of orders) {
      const offsets = new Int32Array(numVertices);
      let next = 0;
      for (const size of sizes) {
        for (const v of bySize.get(size) ?? []) {
          offsets[v] = next;
          next += size ** order;
        }
      }
      rowOffset.set(order, offsets);
      rows.set(order, next);
    }
    const buckets = sizes.map((size) => {
      const vertices = Int32Array.from(bySize.get(size) ?? []);
      const bucketFields = new FieldBatch(Array.from(vertices, (v) => fields[v] as number[]));
      const promotion = new Map<number, Int32Array>();
      if (prev !== undefined) {
        for (const order of orders) {
          promotion.set(
            order,
            packedPromotionIndex(
              prev,
              bucketFields,
              vertices,
              children,
              fieldsByLevel[l - 1] as number[][],
              order,
            ),
          );
        }
      }
      return { vertices, fields: bucketFields, promotion };
    });
    levelFields.push({ fields: new FieldBatch(fields), children, buckets, rowOffset, rows });
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

/**
 * The promotion table of one bucket: for each vertex of the bucket, stacking position `a` and
 * multi-index over its field, the packed row of child `a`'s activation at the restricted
 * multi-index, or the zero row (`previous.rows`) where there is no child or an index lies
 * outside the child's field.
 */
function packedPromotionIndex(
  previous: LevelFields,
  bucket: FieldBatch,
  vertices: Int32Array,
  children: readonly (readonly ChildRef[])[],
  childFields: readonly (readonly number[])[],
  order: number,
): Int32Array {
  const k = bucket.size;
  const perParent = k ** order;
  const zeroRow = previous.rows.get(order) as number;
  const offsets = previous.rowOffset.get(order) as Int32Array;
  const out = new Int32Array(vertices.length * k * perParent).fill(zeroRow);
  vertices.forEach((v, b) => {
    const parent = bucket.fields[b] as readonly number[];
    for (const { child, position } of children[v] ?? []) {
      const field = childFields[child] as readonly number[];
      const kc = field.length;
      const where = new Map(field.map((u, j) => [u, j]));
      const map = parent.map((u) => where.get(u) ?? -1);
      const base = (b * k + position) * perParent;
      for (let c = 0; c < perParent; c++) {
        let rest = c;
        let src = 0;
        let scale = 1;
        let valid = true;
        for (let a = 0; a < order; a++) {
          const j = map[rest % k] as number;
          rest = Math.floor(rest / k);
          if (j < 0) {
            valid = false;
            break;
          }
          src += j * scale;
          scale *= kc;
        }
        if (valid) out[base + c] = (offsets[child] as number) + src;
      }
    }
  });
  return out;
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
