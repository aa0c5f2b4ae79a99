/**
 * Many receptive fields of different sizes in one padded batch, so that covariant layers run
 * as a few large core operations and autodiff sees ordinary gathers and sums.
 *
 * @module
 */
import {
  ArgumentError,
  type DType,
  type Engine,
  gather,
  pad,
  reshape,
  type Tensor,
} from "@covnet/core";
import { checkField, type ReceptiveField } from "./action.js";

/**
 * The receptive fields of a batch, padded to a common size `size`. Position `i < fields[b].length`
 * of entry `b` is vertex `fields[b][i]`; later positions are padding and hold zeros.
 */
export class FieldBatch {
  readonly fields: readonly ReceptiveField[];
  /** Padded field size, at least the largest field. */
  readonly size: number;

  /** @throws {ArgumentError} when a field is unsorted or larger than `size`. */
  constructor(fields: readonly ReceptiveField[], size?: number) {
    for (const f of fields) checkField(f);
    const largest = fields.reduce((m, f) => Math.max(m, f.length), 1);
    this.size = size ?? largest;
    if (this.size < largest) {
      throw new ArgumentError(
        `FieldBatch: size ${this.size} is smaller than the largest field (${largest})`,
      );
    }
    this.fields = fields;
  }

  /** Number of fields. */
  get length(): number {
    return this.fields.length;
  }

  /** Real size of each field. */
  sizes(): number[] {
    return this.fields.map((f) => f.length);
  }

  /** The 0/1 mask `[batch, size^order, 1]` of real (not padded) entries of order `order`. */
  mask(engine: Engine, order: number, dtype?: DType): Tensor {
    const k = this.size;
    const per = k ** order;
    const values = new Float64Array(this.length * per);
    this.fields.forEach((f, b) => {
      for (let c = 0; c < per; c++) {
        let rest = c;
        let inside = true;
        for (let a = 0; a < order; a++) {
          if (rest % k >= f.length) inside = false;
          rest = Math.floor(rest / k);
        }
        if (inside) values[b * per + c] = 1;
      }
    });
    const shape = [this.length, ...new Array<number>(order).fill(k), 1];
    return engine.makeTensor(values, shape, dtype ?? engine.defaultFloat);
  }

  /**
   * A matrix restricted to every field: `[batch, size, size]` with entry `(i, j)` equal to
   * `value(fields[b][i], fields[b][j])`, zero on padding.
   */
  restrictedMatrix(engine: Engine, value: (u: number, v: number) => number, dtype?: DType): Tensor {
    const k = this.size;
    const values = new Float64Array(this.length * k * k);
    this.fields.forEach((f, b) => {
      f.forEach((u, i) => {
        f.forEach((v, j) => {
          values[(b * k + i) * k + j] = value(u, v);
        });
      });
    });
    return engine.makeTensor(values, [this.length, k, k], dtype ?? engine.defaultFloat);
  }
}

/** A child of a batch entry: the child's entry in the child batch and its stacking position. */
export interface ChildRef {
  /** Index of the child in the child batch. */
  readonly child: number;
  /** Position of the new (stacking) index in the parent's field. */
  readonly position: number;
}

/**
 * Builds the gather index of {@link promoteAndStack}: for each parent entry, stacking
 * position and parent multi-index, the flat source row in the child batch, or the zero row.
 *
 * @throws {ArgumentError} when a child's field is not inside its parent's field.
 */
export function promotionIndex(
  childFields: FieldBatch,
  parentFields: FieldBatch,
  children: readonly (readonly ChildRef[])[],
  order: number,
): Int32Array {
  const kc = childFields.size;
  const kp = parentFields.size;
  const perChild = kc ** order;
  const perParent = kp ** order;
  const zeroRow = childFields.length * perChild;
  const out = new Int32Array(parentFields.length * kp * perParent).fill(zeroRow);
  if (children.length !== parentFields.length) {
    throw new ArgumentError(
      `promotionIndex: ${children.length} child lists for ${parentFields.length} parent fields`,
    );
  }
  children.forEach((refs, b) => {
    const parent = parentFields.fields[b] as ReceptiveField;
    for (const { child, position } of refs) {
      const field = childFields.fields[child];
      if (field === undefined || position < 0 || position >= parent.length) {
        throw new ArgumentError(
          `promotionIndex: invalid child ${child} at position ${position} of entry ${b}`,
        );
      }
      const where = new Map(field.map((v, j) => [v, j]));
      const map = parent.map((v) => where.get(v) ?? -1);
      if (map.filter((j) => j >= 0).length !== field.length) {
        throw new ArgumentError(
          `promotionIndex: child field [${field.join(", ")}] is not inside parent field [${parent.join(", ")}]`,
        );
      }
      const base = (b * kp + position) * perParent;
      for (let c = 0; c < perParent; c++) {
        let rest = c;
        let src = 0;
        let scale = 1;
        let valid = true;
        for (let a = 0; a < order; a++) {
          const i = rest % kp;
          rest = Math.floor(rest / kp);
          const j = i < parent.length ? (map[i] as number) : -1;
          if (j < 0) {
            valid = false;
            break;
          }
          src += j * scale;
          scale *= kc;
        }
        if (valid) out[base + c] = child * perChild + src;
      }
    }
  });
  return out;
}

/**
 * Promotes every child's tensor into its parent's field and stacks the children of each parent
 * along a new leading field index at their `position`: `x [childBatch, kc^order, C]` gives
 * `[parentBatch, kp, kp^order, C]`, a covariant tensor of order `order + 1` when each child sits
 * at its own vertex's position. Entries with no child are zero. One gather, so the backward pass
 * is the adjoint (a segment sum).
 *
 * @param index From {@link promotionIndex}; pass it to reuse it across calls.
 */
export function promoteAndStack(
  x: Tensor,
  order: number,
  childFields: FieldBatch,
  parentFields: FieldBatch,
  children: readonly (readonly ChildRef[])[],
  index?: Int32Array,
): Tensor {
  const channels = x.shape[x.rank - 1] as number;
  const rows = childFields.length * childFields.size ** order;
  const flat = pad(reshape(x, [rows, channels]), [
    [0, 1],
    [0, 0],
  ]);
  const table = index ?? promotionIndex(childFields, parentFields, children, order);
  const y = gather(flat, x.engine.makeTensor(table, [table.length], "int32"), 0);
  const kp = parentFields.size;
  return reshape(y, [parentFields.length, kp, ...new Array<number>(order).fill(kp), channels]);
}
