/**
 * Covariant Compositional Networks of first (CCN 1D) and second (CCN 2D) order.
 *
 * @module
 */
import {
  ArgumentError,
  concat,
  div,
  type Engine,
  type FloatDType,
  gather,
  mul,
  pad,
  Random,
  reshape,
  segmentSum,
  sum,
  type Tensor,
} from "@covnet/core";
import { type Activation, activate, Linear, MLP, Module, ModuleList } from "@covnet/nn";
import {
  diagonal,
  enumerateReductions,
  type Reduction,
  reduceAllAdjacencyProduct,
  summedBlocks,
} from "@covnet/permutation";
import { ATOM_FEATURES, BOND_FEATURES, type CcnBatch, type FieldBucket } from "./graph_batch.js";

/** Settings of a {@link CCN}. */
export interface CcnConfig {
  /** 1 for CCN 1D (vertex activations are vectors over the field), 2 for CCN 2D (matrices). */
  readonly order: 1 | 2;
  /** Number of levels above the atoms; the receptive field grows by one hop per level. */
  readonly levels: number;
  /** Channels of every activation. */
  readonly channels: number;
  /** Hidden width of the readout MLP. */
  readonly hidden: number;
  /** Nonlinearity after each channel mixing. Default `silu`. */
  readonly activation?: Activation;
  readonly seed: number;
  readonly dtype?: FloatDType;
}

/**
 * The reductions a CCN level applies to `T (x) A`, where `T` is the stack of promoted children
 * (order `order + 1`) and `A` the restricted adjacency matrix (the last two indices): every
 * reduction to order `order`, less those that vanish because `A` has a zero diagonal, keeping
 * one of each pair that the symmetry of `A` makes equal.
 */
export function ccnReductions(order: 1 | 2): Reduction[] {
  const m = order + 3;
  return enumerateReductions(m, order, { separate: [m - 2, m - 1], symmetric: [m - 2, m - 1] });
}

/**
 * A CCN for graph regression. Level 0 embeds the atom features of each vertex `v` over the
 * field `{v}`. Level `l` promotes the activations of `v` and its neighbours into `v`'s field,
 * stacks them along a new index, applies every reduction of the product with the restricted
 * adjacency matrix (sums normalised by powers of the field size), appends the restricted bond
 * types, mixes channels with a learned linear map and applies the nonlinearity. Every level's
 * activations are reduced to invariants (means over the field, and the diagonal for order 2),
 * averaged over the atoms of each molecule, concatenated, and fed to an MLP.
 *
 * The output is invariant under any relabelling of the atoms, because every step is covariant.
 */
export class CCN extends Module {
  readonly config: CcnConfig;
  readonly reductions: readonly Reduction[];
  readonly embed: Linear;
  readonly mixes: ModuleList<Linear>;
  readonly head: MLP;

  /** @throws {ArgumentError} on an invalid order, level count or width. */
  constructor(engine: Engine, config: CcnConfig) {
    super();
    if (config.order !== 1 && config.order !== 2) {
      throw new ArgumentError(`CCN: order must be 1 or 2, got ${String(config.order)}`);
    }
    if (!Number.isInteger(config.levels) || config.levels < 1) {
      throw new ArgumentError(`CCN: levels must be a positive integer, got ${config.levels}`);
    }
    this.config = config;
    this.reductions = ccnReductions(config.order);
    const rng = new Random(config.seed);
    const dtype = config.dtype ?? engine.defaultFloat;
    const c = config.channels;
    this.embed = this.registerModule("embed", new Linear(engine, ATOM_FEATURES, c, { rng, dtype }));
    const mixIn = this.reductions.length * c + BOND_FEATURES;
    const mixes: Linear[] = [];
    for (let l = 0; l < config.levels; l++)
      mixes.push(new Linear(engine, mixIn, c, { rng, dtype }));
    this.mixes = this.registerModule("mixes", new ModuleList(mixes));
    const readout = (config.levels + 1) * c * config.order;
    this.head = this.registerModule(
      "head",
      new MLP(engine, [readout, config.hidden, config.hidden, 1], { rng, dtype }),
    );
  }

  /**
   * Predicts one value per molecule of the batch: `[numGraphs]`.
   *
   * @throws {ArgumentError} when the batch has fewer levels than the model.
   */
  forward(batch: CcnBatch): Tensor {
    const { order, levels } = this.config;
    if (batch.levels.length < levels + 1) {
      throw new ArgumentError(
        `CCN.forward: batch has ${batch.levels.length - 1} levels, the model needs ${levels}`,
      );
    }
    const engine = this.embed.weight.engine;
    const dtype = this.embed.weight.dtype as FloatDType;
    const v = batch.numVertices;
    const x = engine.makeTensor(batch.atomFeatures, [v, ATOM_FEATURES], dtype);
    const h = reshape(activate(this.config.activation ?? "silu", this.embed.forward(x)), [
      v,
      ...new Array<number>(order).fill(1),
      this.config.channels,
    ]);
    const invariants = [this.#invariants(h, batch.levels[0]?.fields.sizes() ?? [])];
    const channels = this.config.channels;
    // Activations of a level are packed: each bucket's `[count, size^order, C]` tensor flattened
    // to rows and concatenated in bucket order, with one zero row appended for absent children.
    let packed = reshape(h, [v, channels]);
    for (let l = 1; l <= levels; l++) {
      const level = batch.levels[l];
      if (level === undefined) break;
      const source = pad(packed, [
        [0, 1],
        [0, 0],
      ]);
      const parts: Tensor[] = [];
      const bucketInvariants: Tensor[] = [];
      for (const bucket of level.buckets) {
        const h = this.#level(batch, l, bucket, source);
        parts.push(reshape(h, [h.size / channels, channels]));
        bucketInvariants.push(this.#invariants(h, bucket.fields.sizes()));
      }
      packed = parts.length === 1 ? (parts[0] as Tensor) : concat(parts, 0);
      invariants.push(inBatchOrder(engine, bucketInvariants, level.buckets, v));
    }
    const perVertex = concat(invariants, 1);
    const ids = engine.makeTensor(batch.graphOf, [v], "int32");
    const counts = new Float64Array(batch.numGraphs);
    for (const g of batch.graphOf) counts[g] = (counts[g] as number) + 1;
    const perGraph = div(
      segmentSum(perVertex, ids, batch.numGraphs),
      engine.makeTensor(counts, [batch.numGraphs, 1], dtype),
    );
    return reshape(this.head.forward(perGraph), [batch.numGraphs]);
  }

  /**
   * Level `l` for the vertices of one bucket: their children's activations gathered from the
   * packed previous level (`source`, zero row last), reduced with the restricted adjacency
   * matrix, mixed with the restricted bond types, and the nonlinearity. Result
   * `[count, size^order, C]` with no padding.
   */
  #level(batch: CcnBatch, l: number, bucket: FieldBucket, source: Tensor): Tensor {
    const order = this.config.order;
    const engine = source.engine;
    const dtype = source.dtype as FloatDType;
    const fields = bucket.fields;
    const count = fields.length;
    const k = fields.size;
    const table = bucket.promotion.get(order);
    if (table === undefined) {
      throw new ArgumentError(`CCN.forward: the batch has no promotion tables for order ${order}`);
    }
    const gathered = gather(source, engine.makeTensor(table, [table.length], "int32"), 0);
    const stacked = reshape(gathered, [
      count,
      k,
      ...new Array<number>(order).fill(k),
      source.shape[1] as number,
    ]);
    const adjacency = fields.restrictedMatrix(
      engine,
      (a, b) => (batch.bondType(a, b) > 0 ? 1 : 0),
      dtype,
    );
    const scales = new Map<number, Tensor>();
    const scaleOf = (r: Reduction) => {
      const s = summedBlocks(r);
      if (s === 0) return null;
      let t = scales.get(s);
      if (t === undefined) {
        t = fieldScale(engine, fields.sizes(), order, s, dtype);
        scales.set(s, t);
      }
      return t;
    };
    const reduced = reduceAllAdjacencyProduct(
      stacked,
      order + 1,
      adjacency,
      this.reductions,
      scaleOf,
    );
    const bonds = bondTensor(engine, batch, fields.fields, k, order, dtype);
    const mixed = this.mixes.at(l - 1).forward(concat([reduced, bonds], order + 1));
    return activate(this.config.activation ?? "silu", mixed);
  }

  /** Invariants of each vertex's activation: `[V, order * C]`. */
  #invariants(h: Tensor, sizes: readonly number[]): Tensor {
    const engine = h.engine;
    const order = this.config.order;
    const v = h.shape[0] as number;
    const inverse = engine.makeTensor(
      Float64Array.from(sizes, (n) => 1 / n),
      [v, 1],
      h.dtype,
    );
    if (order === 1) return mul(sum(h, [1]), inverse);
    const mean = mul(sum(h, [1, 2]), mul(inverse, inverse));
    const trace = mul(sum(diagonal(h, 2, [0, 1]), [1]), inverse);
    return concat([mean, trace], 1);
  }
}

/** Concatenates per-bucket rows `[count, F]` and reorders them by global vertex id: `[V, F]`. */
function inBatchOrder(
  engine: Engine,
  parts: readonly Tensor[],
  buckets: readonly FieldBucket[],
  numVertices: number,
): Tensor {
  const rowOf = new Int32Array(numVertices);
  let next = 0;
  for (const bucket of buckets) for (const v of bucket.vertices) rowOf[v] = next++;
  const all = parts.length === 1 ? (parts[0] as Tensor) : concat(parts, 0);
  return gather(all, engine.makeTensor(rowOf, [numVertices], "int32"), 0);
}

/** `[V, 1 (order times), 1]` tensor of `n_v^-power`. */
function fieldScale(
  engine: Engine,
  sizes: readonly number[],
  order: number,
  power: number,
  dtype: FloatDType,
): Tensor {
  return engine.makeTensor(
    Float64Array.from(sizes, (n) => n ** -power),
    [sizes.length, ...new Array<number>(order).fill(1), 1],
    dtype,
  );
}

/**
 * Bond types restricted to each field as a covariant tensor: order 2 gives the one-hot bond
 * type of each pair `[V, K, K, 4]`; order 1 its mean over the second index `[V, K, 4]`.
 */
function bondTensor(
  engine: Engine,
  batch: CcnBatch,
  fields: readonly (readonly number[])[],
  k: number,
  order: number,
  dtype: FloatDType,
): Tensor {
  const values = new Float64Array(fields.length * k * k * BOND_FEATURES);
  fields.forEach((field, b) => {
    const weight = order === 1 ? 1 / field.length : 1;
    field.forEach((u, i) => {
      field.forEach((w, j) => {
        const type = batch.bondType(u, w);
        if (type === 0) return;
        const base = ((b * k + i) * k + j) * BOND_FEATURES;
        values[base + type - 1] = weight;
      });
    });
  });
  const full = engine.makeTensor(values, [fields.length, k, k, BOND_FEATURES], dtype);
  return order === 2 ? full : sum(full, [2]);
}
