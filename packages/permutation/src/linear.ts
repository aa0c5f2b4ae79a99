/**
 * Equivariant linear maps between tensor orders for the symmetric group.
 *
 * @module
 */
import {
  ArgumentError,
  concat,
  type Engine,
  type FloatDType,
  formatShape,
  matmul,
  mul,
  type Random,
  randomNormal,
  reshape,
  ShapeError,
  type Tensor,
} from "@covnet/core";
import { fieldShape, partitionMap } from "./ops.js";
import { type SetPartition, setPartitions } from "./partitions.js";

/**
 * The basis of the S_n-equivariant linear maps from order `inOrder` to order `outOrder`: one
 * element per set partition of the `inOrder + outOrder` indices (inputs first), `B(inOrder +
 * outOrder)` in all for `n >= inOrder + outOrder`. For smaller `n` the elements are still
 * equivariant but no longer independent.
 */
export function equivariantBasis(inOrder: number, outOrder: number): SetPartition[] {
  return setPartitions(inOrder + outOrder);
}

/**
 * Applies basis element `partition` (of {@link equivariantBasis}): input indices in one block
 * are identified, output indices in one block are equal, blocks without outputs are summed and
 * blocks without inputs broadcast. `[...lead, n^inOrder, C] -> [...lead, n^outOrder, C]`.
 */
export function applyBasisElement(
  x: Tensor,
  inOrder: number,
  outOrder: number,
  partition: SetPartition,
  n: number,
): Tensor {
  const labels = new Array<number>(inOrder + outOrder).fill(0);
  partition.forEach((block, b) => {
    for (const i of block) labels[i] = b;
  });
  return partitionMap(x, { inputs: labels.slice(0, inOrder), outputs: labels.slice(inOrder) }, n);
}

/**
 * An S_n-equivariant linear map from order `inOrder` to order `outOrder` with channel mixing:
 * `y = sum_b basis_b(x) W_b` with `W [B(inOrder + outOrder), inChannels, outChannels]`. Shapes
 * `[...lead, n^inOrder, inChannels] -> [...lead, n^outOrder, outChannels]`. With padded fields,
 * pass the output mask so that broadcast elements leave padding at zero.
 *
 * The weights are a plain tensor: wrap the map in a module to train it (as `@covnet/models-ccn`
 * does).
 */
export class EquivariantLinearMap {
  readonly inOrder: number;
  readonly outOrder: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly basis: readonly SetPartition[];

  /** @throws {ArgumentError} when an order is outside 0..3 or a channel count is not positive. */
  constructor(inOrder: number, outOrder: number, inChannels: number, outChannels: number) {
    for (const [what, k] of [
      ["inOrder", inOrder],
      ["outOrder", outOrder],
    ] as const) {
      if (!Number.isInteger(k) || k < 0 || k > 3) {
        throw new ArgumentError(`EquivariantLinearMap: ${what} must be in 0..3, got ${k}`);
      }
    }
    for (const [what, c] of [
      ["inChannels", inChannels],
      ["outChannels", outChannels],
    ] as const) {
      if (!Number.isInteger(c) || c < 1) {
        throw new ArgumentError(
          `EquivariantLinearMap: ${what} must be a positive integer, got ${c}`,
        );
      }
    }
    this.inOrder = inOrder;
    this.outOrder = outOrder;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.basis = equivariantBasis(inOrder, outOrder);
  }

  /** Shape of the weight tensor: `[basis size, inChannels, outChannels]`. */
  get weightShape(): number[] {
    return [this.basis.length, this.inChannels, this.outChannels];
  }

  /** Draws weights with variance `1 / (basis size * inChannels)`. */
  initWeights(engine: Engine, rng: Random, dtype?: FloatDType): Tensor {
    const fanIn = this.basis.length * this.inChannels;
    return randomNormal(engine, this.weightShape, {
      seed: rng,
      std: 1 / Math.sqrt(fanIn),
      ...(dtype === undefined ? {} : { dtype }),
    });
  }

  /**
   * Applies the map.
   *
   * @param n Field size (needed when `inOrder` is 0).
   * @param mask Optional `[...lead, n^outOrder, 1]` mask of real output entries.
   * @throws {ShapeError} when `x` or `weight` has the wrong shape.
   */
  apply(x: Tensor, weight: Tensor, n: number, mask?: Tensor): Tensor {
    const { lead } = fieldShape("EquivariantLinearMap", x, this.inOrder);
    const expected = this.weightShape;
    if (weight.rank !== 3 || weight.shape.some((d, i) => d !== expected[i])) {
      throw new ShapeError(
        `EquivariantLinearMap: weight has shape ${formatShape(weight.shape)}, expected ${formatShape(expected)}`,
      );
    }
    if (x.shape[x.rank - 1] !== this.inChannels) {
      throw new ShapeError(
        `EquivariantLinearMap: input ${formatShape(x.shape)} must have ${this.inChannels} channels`,
      );
    }
    const parts = this.basis.map((p) => applyBasisElement(x, this.inOrder, this.outOrder, p, n));
    const stacked = concat(parts, lead + this.outOrder);
    const y = matmul(stacked, weightMatrix(weight));
    return mask === undefined ? y : mul(y, mask);
  }
}

function weightMatrix(weight: Tensor): Tensor {
  const [b, cin, cout] = weight.shape as [number, number, number];
  return reshape(weight, [b * cin, cout]);
}
