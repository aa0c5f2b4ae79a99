/**
 * Tensors that carry their irreps, and the irreps-aware operations on them.
 *
 * @module
 */
import {
  ArgumentError,
  add,
  concat,
  formatShape,
  matmul,
  mul,
  reshape,
  ShapeError,
  slice,
  sqrt,
  square,
  sub,
  sum,
  type Tensor,
  zeros,
} from "@covnet/core";
import { formatIrrep, Irreps, type MulIrrep } from "@covnet/groups";

/**
 * A tensor `[batch, irreps.dim]` paired with its {@link Irreps}. Each row contains the parts in
 * the order of the irreps, with part `i` laid out `[2l+1, mul]` (channels fastest). Arithmetic
 * between two `IrrepsTensor`s requires equal irreps.
 */
export class IrrepsTensor {
  readonly tensor: Tensor;
  readonly irreps: Irreps;

  /**
   * @param tensor `[batch, irreps.dim]`.
   * @throws {ShapeError} when the tensor is not `[batch, irreps.dim]`.
   */
  constructor(tensor: Tensor, irreps: Irreps | string) {
    const ir = Irreps.from(irreps);
    if (tensor.rank !== 2 || tensor.shape[1] !== ir.dim) {
      throw new ShapeError(
        `IrrepsTensor: a tensor with irreps ${ir} must have shape [batch, ${ir.dim}], got ${formatShape(tensor.shape)}`,
      );
    }
    this.tensor = tensor;
    this.irreps = ir;
  }

  /** Number of rows. */
  get batch(): number {
    return this.tensor.shape[0] as number;
  }

  /** Elementwise sum. @throws {ArgumentError} on an irreps mismatch. */
  add(other: IrrepsTensor): IrrepsTensor {
    assertSameIrreps("add", this.irreps, other.irreps);
    return new IrrepsTensor(add(this.tensor, other.tensor), this.irreps);
  }

  /** Elementwise difference. @throws {ArgumentError} on an irreps mismatch. */
  sub(other: IrrepsTensor): IrrepsTensor {
    assertSameIrreps("sub", this.irreps, other.irreps);
    return new IrrepsTensor(sub(this.tensor, other.tensor), this.irreps);
  }

  /** Multiplication by a scalar, or by an invariant `[batch, 1]` tensor (row-wise). */
  scale(factor: number | Tensor): IrrepsTensor {
    return new IrrepsTensor(mul(this.tensor, factor), this.irreps);
  }

  /**
   * Part `i` as `[batch, 2l+1, mul]`.
   *
   * @throws {ArgumentError} when `i` is out of range.
   */
  part(i: number): Tensor {
    const e = this.irreps.entries[i];
    if (e === undefined) {
      throw new ArgumentError(`IrrepsTensor.part: index ${i} out of range for ${this.irreps}`);
    }
    const start = this.irreps.offsets[i] as number;
    const part = slice(this.tensor, [0, start], [this.batch, (2 * e.l + 1) * e.mul]);
    return reshape(part, [this.batch, 2 * e.l + 1, e.mul]);
  }

  /**
   * Squared norm of each channel of each part, `sum_m x[m, c]^2`: invariants, irreps
   * `mul_0 x 0e + mul_1 x 0e + ...` (one `0e` entry per part, `0` for SO(3) irreps), shape
   * `[batch, sum of mul]`.
   */
  squaredNorms(): IrrepsTensor {
    const parts = this.irreps.entries.map((_, i) => sum(square(this.part(i)), [1]));
    return new IrrepsTensor(concatOrEmpty(this, parts), this.#scalarIrreps());
  }

  /**
   * Norm of each channel of each part, `sqrt(sum_m x[m, c]^2 + epsilon)`; `epsilon` (default
   * 0) keeps the gradient finite at zero.
   */
  norms(epsilon = 0): IrrepsTensor {
    const squared = this.squaredNorms();
    return new IrrepsTensor(sqrt(add(squared.tensor, epsilon)), squared.irreps);
  }

  #scalarIrreps(): Irreps {
    const p = this.irreps.isSO3 ? 0 : 1;
    return new Irreps(this.irreps.entries.map((e) => ({ mul: e.mul, l: 0, p })));
  }
}

function concatOrEmpty(x: IrrepsTensor, parts: Tensor[]): Tensor {
  if (parts.length === 0) return zeros(x.tensor.engine, [x.batch, 0], x.tensor.dtype);
  return parts.length === 1 ? (parts[0] as Tensor) : concat(parts, 1);
}

/**
 * Throws unless two irreps are equal.
 *
 * @throws {ArgumentError} `irreps mismatch in OP: left is A, right is B`.
 */
export function assertSameIrreps(op: string, left: Irreps, right: Irreps): void {
  if (!left.equals(right)) {
    throw new ArgumentError(`irreps mismatch in ${op}: left is ${left}, right is ${right}`);
  }
}

/**
 * Concatenates `IrrepsTensor`s row-wise: the irreps are the concatenation of the inputs' irreps
 * (in order, not merged or sorted), shape `[batch, sum of dims]`.
 *
 * @throws {ArgumentError} when the list is empty or the batch sizes differ.
 */
export function concatIrreps(list: readonly IrrepsTensor[]): IrrepsTensor {
  const first = list[0];
  if (first === undefined) throw new ArgumentError("concatIrreps: nothing to concatenate");
  for (const x of list) {
    if (x.batch !== first.batch) {
      throw new ArgumentError(
        `concatIrreps: batch sizes differ: ${list.map((t) => t.batch).join(", ")}`,
      );
    }
  }
  let irreps = first.irreps;
  for (const x of list.slice(1)) irreps = irreps.concat(x.irreps);
  const tensor =
    list.length === 1
      ? first.tensor
      : concat(
          list.map((x) => x.tensor),
          1,
        );
  return new IrrepsTensor(tensor, irreps);
}

/** One weight matrix of {@link irrepsLinear}: input channels of an irrep to an output part. */
export interface LinearBlock {
  /** The irrep, such as `1o`. */
  readonly irrep: string;
  /** Index of the output part. */
  readonly outputPart: number;
  /** Input channels (sum over the input parts of that irrep) and output channels. */
  readonly tauIn: number;
  readonly tauOut: number;
  /** Offset of the `[tauIn, tauOut]` matrix in the flat weights. */
  readonly offset: number;
}

/**
 * The weight layout of {@link irrepsLinear}: one `[tauIn, tauOut]` block per output part whose
 * irrep occurs in the input, in output order, and the total weight count.
 */
export function irrepsLinearLayout(
  input: Irreps | string,
  output: Irreps | string,
): { readonly blocks: readonly LinearBlock[]; readonly weightCount: number } {
  const ir = Irreps.from(input);
  const out = Irreps.from(output);
  const blocks: LinearBlock[] = [];
  let offset = 0;
  out.entries.forEach((e, i) => {
    const tauIn = ir.entries
      .filter((a) => a.l === e.l && a.p === e.p)
      .reduce((s, a) => s + a.mul, 0);
    if (tauIn === 0 || e.mul === 0) return;
    blocks.push({ irrep: formatIrrep(e), outputPart: i, tauIn, tauOut: e.mul, offset });
    offset += tauIn * e.mul;
  });
  return { blocks, weightCount: offset };
}

/**
 * Equivariant linear map between irreps: channel mixing per irrep,
 * `y_part[b, m, k] = sum_c x[b, m, c] W[c, k] / sqrt(tauIn)` where `c` runs over the channels of
 * every input part of the same irrep (`l` and parity). Output parts whose irrep is absent from
 * the input are zero. The `1/sqrt(tauIn)` factor keeps unit variance for unit-variance weights.
 *
 * @param x `[batch, input.dim]` with its irreps.
 * @param weights `[weightCount]` laid out as {@link irrepsLinearLayout} states.
 * @returns `[batch, output.dim]` with irreps `output`.
 * @throws {ShapeError} when `weights` is not `[weightCount]`.
 */
export function irrepsLinear(
  x: IrrepsTensor,
  output: Irreps | string,
  weights: Tensor,
): IrrepsTensor {
  const out = Irreps.from(output);
  const { blocks, weightCount } = irrepsLinearLayout(x.irreps, out);
  if (weights.rank !== 1 || weights.shape[0] !== weightCount) {
    throw new ShapeError(
      `irrepsLinear: weights for ${x.irreps} -> ${out} must have shape [${weightCount}], got ${formatShape(weights.shape)}`,
    );
  }
  const batch = x.batch;
  const engine = x.tensor.engine;
  const parts = out.entries.map((e: MulIrrep, i) => {
    const n = 2 * e.l + 1;
    const block = blocks.find((b) => b.outputPart === i);
    if (block === undefined) return zeros(engine, [batch, n * e.mul], x.tensor.dtype);
    const inputs = x.irreps.entries
      .map((a, k) => ({ a, k }))
      .filter(({ a }) => a.l === e.l && a.p === e.p && a.mul > 0)
      .map(({ k }) => x.part(k));
    const joined = inputs.length === 1 ? (inputs[0] as Tensor) : concat(inputs, 2);
    const w = reshape(slice(weights, [block.offset], [block.tauIn * block.tauOut]), [
      block.tauIn,
      block.tauOut,
    ]);
    const mixed = matmul(reshape(joined, [batch * n, block.tauIn]), w);
    return reshape(mul(mixed, 1 / Math.sqrt(block.tauIn)), [batch, n * e.mul]);
  });
  const tensor =
    parts.length === 0
      ? zeros(engine, [batch, 0], x.tensor.dtype)
      : parts.length === 1
        ? (parts[0] as Tensor)
        : concat(parts, 1);
  return new IrrepsTensor(tensor, out);
}
