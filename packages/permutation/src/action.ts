/**
 * The action of the symmetric group on covariant tensors, and promotion between receptive
 * fields.
 *
 * @module
 */
import { ArgumentError, type DType, type Engine, gather, pad, type Tensor } from "@covnet/core";
import type { Permutation } from "@covnet/groups";
import { fieldShape } from "./ops.js";

/** A receptive field: the sorted, distinct vertex ids that a covariant tensor is indexed by. */
export type ReceptiveField = readonly number[];

/**
 * Checks that `field` is sorted and distinct.
 *
 * @throws {ArgumentError} naming the field.
 */
export function checkField(field: ReceptiveField): void {
  for (let i = 1; i < field.length; i++) {
    if ((field[i] as number) <= (field[i - 1] as number)) {
      throw new ArgumentError(
        `invalid receptive field [${field.join(", ")}]: ids must be strictly increasing`,
      );
    }
  }
}

/**
 * Acts with the permutation `sigma` (1-based one-line notation, as in `SymmetricGroup`) on every
 * field axis: `y[sigma(i_1), ..., sigma(i_k)] = x[i_1, ..., i_k]`, which is `P x` for order 1
 * and `P X P^T` for order 2 with `P e_j = e_sigma(j)`. Shapes are unchanged:
 * `[...lead, n^order, C]`.
 *
 * @throws {ArgumentError} when `sigma` is not a permutation of `1..n`.
 */
export function permuteTensor(x: Tensor, order: number, sigma: Permutation): Tensor {
  const { n, lead } = fieldShape("permuteTensor", x, order);
  if (order === 0) return x;
  const inverse = new Int32Array(n);
  const seen = new Set<number>();
  if (sigma.length !== n) {
    throw new ArgumentError(
      `permuteTensor: permutation [${sigma.join(", ")}] has ${sigma.length} entries, the field has ${n}`,
    );
  }
  sigma.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 1 || v > n || seen.has(v)) {
      throw new ArgumentError(
        `permuteTensor: [${sigma.join(", ")}] is not a permutation of 1..${n}`,
      );
    }
    seen.add(v);
    inverse[v - 1] = i;
  });
  const indices = x.engine.makeTensor(inverse, [n], "int32");
  let y = x;
  for (let a = 0; a < order; a++) y = gather(y, indices, lead + a);
  return y;
}

/**
 * The promotion matrix `chi [kParent, kChild]` from a child's field into its parent's:
 * `chi[i, j] = 1` when `parent[i] == child[j]`. Promotion is `chi X chi^T` (order 2), its
 * adjoint (restriction) `chi^T Y chi`.
 *
 * @throws {ArgumentError} when a field is unsorted or the child is not inside the parent.
 */
export function promotionMatrix(
  engine: Engine,
  child: ReceptiveField,
  parent: ReceptiveField,
  dtype?: DType,
): Tensor {
  const positions = childPositions(child, parent);
  const values = new Float64Array(parent.length * child.length);
  positions.forEach((i, j) => {
    values[i * child.length + j] = 1;
  });
  return engine.makeTensor(values, [parent.length, child.length], dtype ?? engine.defaultFloat);
}

/**
 * Promotes a tensor over `child` into the larger field `parent` on every field axis, with zeros
 * at the parent's other vertices: `[...lead, kChild^order, C] -> [...lead, kParent^order, C]`.
 *
 * @throws {ArgumentError} when the child is not inside the parent, or the sizes disagree.
 */
export function promote(
  x: Tensor,
  order: number,
  child: ReceptiveField,
  parent: ReceptiveField,
): Tensor {
  const { n, lead } = fieldShape("promote", x, order);
  if (order > 0 && n !== child.length) {
    throw new ArgumentError(
      `promote: tensor field size ${n} differs from the child field size ${child.length}`,
    );
  }
  const positions = childPositions(child, parent);
  const source = new Int32Array(parent.length).fill(child.length);
  positions.forEach((i, j) => {
    source[i] = j;
  });
  const indices = x.engine.makeTensor(source, [parent.length], "int32");
  let y = x;
  for (let a = 0; a < order; a++) {
    const axis = lead + a;
    const paddings = y.shape.map((_, i) => (i === axis ? ([0, 1] as const) : ([0, 0] as const)));
    y = gather(pad(y, paddings), indices, axis);
  }
  return y;
}

/**
 * The adjoint of {@link promote}: the entries of a parent-field tensor at the child's vertices,
 * `[...lead, kParent^order, C] -> [...lead, kChild^order, C]`.
 *
 * @throws {ArgumentError} when the child is not inside the parent.
 */
export function restrict(
  y: Tensor,
  order: number,
  child: ReceptiveField,
  parent: ReceptiveField,
): Tensor {
  const { lead } = fieldShape("restrict", y, order);
  const positions = childPositions(child, parent);
  const indices = y.engine.makeTensor(Int32Array.from(positions), [child.length], "int32");
  let x = y;
  for (let a = 0; a < order; a++) x = gather(x, indices, lead + a);
  return x;
}

/** Position in `parent` of each vertex of `child`. */
export function childPositions(child: ReceptiveField, parent: ReceptiveField): number[] {
  checkField(child);
  checkField(parent);
  const index = new Map(parent.map((v, i) => [v, i]));
  return child.map((v) => {
    const i = index.get(v);
    if (i === undefined) {
      throw new ArgumentError(
        `vertex ${v} of child field [${child.join(", ")}] is not in parent field [${parent.join(", ")}]`,
      );
    }
    return i;
  });
}
