/**
 * Covariant Compositional Networks of first (CCN 1D) and second (CCN 2D) order.
 *
 * @module
 */
import {
  ArgumentError,
  add,
  concat,
  div,
  type Engine,
  type FloatDType,
  gather,
  matmul,
  mul,
  pad,
  Random,
  reshape,
  segmentSum,
  sparseMatMul,
  sparseMatrixFromCsr,
  split,
  sum,
  type Tensor,
  transpose,
} from "@covnet/core";
import { type Activation, activate, Linear, MLP, Module, ModuleList } from "@covnet/nn";
import {
  diagonal,
  enumerateReductions,
  type Reduction,
  reduceAllAdjacencyProduct,
  summedBlocks,
} from "@covnet/permutation";
import {
  ATOM_FEATURES,
  BOND_FEATURES,
  type CcnBatch,
  type FieldBucket,
  type LevelFields,
} from "./graph_batch.js";
import { reductionOperator } from "./operator.js";

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
  /**
   * Readout from vertex invariants to a molecule's features. `mean` (the default) averages them
   * over the atoms and feeds the average to the MLP. `vertex` first maps each atom's invariants
   * through a two-layer MLP of width `hidden`, then pools the results by mean and by sum over the
   * atoms (the sum divided by {@link SUM_POOL_SCALE}), so the head gets `2 * hidden` features.
   */
  readonly readout?: "mean" | "vertex";
  /**
   * Implementation of the level reductions. `sparse` (the default) applies them as one sparse
   * operator on the previous level's rows (see `reductionOperator`). `dense` materialises the
   * stacked children per field size and applies each reduction with tensor contractions. Both
   * give the same function and take the same weights.
   */
  readonly implementation?: "sparse" | "dense";
  /** Nonlinearity after each channel mixing. Default `silu`. */
  readonly activation?: Activation;
  readonly seed: number;
  readonly dtype?: FloatDType;
}

/** Divisor of the summed vertex features of the `vertex` readout (a typical heavy-atom count). */
export const SUM_POOL_SCALE = 32;

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
 * activations are reduced to invariants (means over the field, and the diagonal for order 2)
 * and concatenated per atom; the readout pools them over the atoms of each molecule (see
 * {@link CcnConfig.readout}) and an MLP gives the prediction.
 *
 * The output is invariant under any relabelling of the atoms, because every step is covariant.
 */
export class CCN extends Module {
  readonly config: CcnConfig;
  readonly reductions: readonly Reduction[];
  readonly embed: Linear;
  readonly mixes: ModuleList<Linear>;
  readonly head: MLP;
  /** Per-atom MLP of the `vertex` readout, or null. */
  readonly vertexMlp: MLP | null;

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
    if (config.readout !== undefined && config.readout !== "mean" && config.readout !== "vertex") {
      throw new ArgumentError(`CCN: readout must be "mean" or "vertex", got ${config.readout}`);
    }
    const readout = (config.levels + 1) * c * config.order;
    const h = config.hidden;
    if (config.readout === "vertex") {
      this.vertexMlp = this.registerModule(
        "vertexMlp",
        new MLP(engine, [readout, h, h], { rng, dtype, activateLast: true }),
      );
      this.head = this.registerModule("head", new MLP(engine, [2 * h, h, 1], { rng, dtype }));
    } else {
      this.vertexMlp = null;
      this.head = this.registerModule("head", new MLP(engine, [readout, h, h, 1], { rng, dtype }));
    }
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
    if ((this.config.implementation ?? "sparse") === "sparse") {
      let rows = reshape(h, [v, this.config.channels]);
      for (let l = 1; l <= levels; l++) {
        rows = this.#sparseLevel(batch, l, rows);
        invariants.push(this.#packedInvariants(rows, batch.levels[l] as LevelFields, v));
      }
    } else {
      invariants.push(...this.#denseLevels(batch, h));
    }
    const invariantsOfVertex = concat(invariants, 1);
    const perVertex =
      this.vertexMlp === null ? invariantsOfVertex : this.vertexMlp.forward(invariantsOfVertex);
    const ids = engine.makeTensor(batch.graphOf, [v], "int32");
    const counts = new Float64Array(batch.numGraphs);
    for (const g of batch.graphOf) counts[g] = (counts[g] as number) + 1;
    const summed = segmentSum(perVertex, ids, batch.numGraphs);
    const mean = div(summed, engine.makeTensor(counts, [batch.numGraphs, 1], dtype));
    const perGraph =
      this.vertexMlp === null ? mean : concat([mean, div(summed, SUM_POOL_SCALE)], 1);
    return reshape(this.head.forward(perGraph), [batch.numGraphs]);
  }

  /** Computes levels 1.. by the dense path and returns each level's invariants, `[V, order * C]`. */
  #denseLevels(batch: CcnBatch, h: Tensor): Tensor[] {
    const engine = h.engine;
    const v = batch.numVertices;
    const invariants: Tensor[] = [];
    const channels = this.config.channels;
    // Activations of a level are packed: each bucket's `[count, size^order, C]` tensor flattened
    // to rows and concatenated in bucket order, with one zero row appended for absent children.
    let packed = reshape(h, [v, channels]);
    for (let l = 1; l <= this.config.levels; l++) {
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
    return invariants;
  }

  /**
   * Computes level `l` by the sparse path: maps the previous level's packed rows `[rows, C]` to
   * this level's `[rows', C]` (see `LevelFields.rowOffset`).
   */
  #sparseLevel(batch: CcnBatch, l: number, previous: Tensor): Tensor {
    const engine = previous.engine;
    const dtype = previous.dtype as FloatDType;
    const order = this.config.order;
    const channels = this.config.channels;
    const level = batch.levels[l] as LevelFields;
    const op = reductionOperator(batch, l, order, this.reductions);
    const r = op.reductions;
    const mix = this.mixes.at(l - 1);
    // The mixing weight [R * C + 4, C'] splits into one [C, C'] block per reduction and the
    // bond block. Mixing the previous rows with every reduction's block first leaves a sparse
    // sum over [prevRows * R, C'] rows for the operator.
    const [reductionWeight, bondWeight] = split(mix.weight.value, [r * channels, BOND_FEATURES], 0);
    const perReduction = reshape(
      transpose(reshape(reductionWeight as Tensor, [r, channels, channels]), [1, 0, 2]),
      [channels, r * channels],
    );
    const mixed = reshape(matmul(previous, perReduction), [op.inputRows * r, channels]);
    const matrix = sparseMatrixFromCsr(
      engine,
      [op.outputRows, op.inputRows * r],
      { rowStart: op.rowStart, columns: op.columns, values: op.weight },
      dtype,
    );
    const reduced = sparseMatMul(matrix, mixed);
    const bonds = matmul(
      packedBondTensor(engine, batch, level, order, dtype),
      bondWeight as Tensor,
    );
    const summed = add(reduced, bonds);
    const features = mix.bias === null ? summed : add(summed, mix.bias.value);
    return activate(this.config.activation ?? "silu", features);
  }

  /**
   * Reduces packed rows `[rows, C]` to invariants `[V, order * C]`: per vertex the mean over its
   * field entries, and for order 2 the mean of the diagonal.
   */
  #packedInvariants(rows: Tensor, level: LevelFields, numVertices: number): Tensor {
    const engine = rows.engine;
    const dtype = rows.dtype;
    const order = this.config.order;
    const offsets = level.rowOffset.get(order) as Int32Array;
    const total = level.rows.get(order) as number;
    const owner = new Int32Array(total);
    const meanWeight = new Float64Array(total);
    const diagonalRows: number[] = [];
    const diagonalOwner: number[] = [];
    const diagonalWeight: number[] = [];
    level.fields.fields.forEach((field, v) => {
      const k = field.length;
      const base = offsets[v] as number;
      for (let e = 0; e < k ** order; e++) {
        owner[base + e] = v;
        meanWeight[base + e] = k ** -order;
      }
      if (order === 2) {
        for (let i = 0; i < k; i++) {
          diagonalRows.push(base + i * k + i);
          diagonalOwner.push(v);
          diagonalWeight.push(1 / k);
        }
      }
    });
    const ids = engine.makeTensor(owner, [total], "int32");
    const mean = segmentSum(
      mul(rows, engine.makeTensor(meanWeight, [total, 1], dtype)),
      ids,
      numVertices,
    );
    if (order === 1) return mean;
    const d = diagonalRows.length;
    const diagonal = mul(
      gather(rows, engine.makeTensor(Int32Array.from(diagonalRows), [d], "int32"), 0),
      engine.makeTensor(Float64Array.from(diagonalWeight), [d, 1], dtype),
    );
    const trace = segmentSum(
      diagonal,
      engine.makeTensor(Int32Array.from(diagonalOwner), [d], "int32"),
      numVertices,
    );
    return concat([mean, trace], 1);
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
 * Builds {@link bondTensor} in the packed row layout of a level: `[rows, 4]`, one row per field entry
 * (order 2: pair of field positions; order 1: position, with the bond types averaged over the
 * field).
 */
function packedBondTensor(
  engine: Engine,
  batch: CcnBatch,
  level: LevelFields,
  order: number,
  dtype: FloatDType,
): Tensor {
  const offsets = level.rowOffset.get(order) as Int32Array;
  const total = level.rows.get(order) as number;
  const values = new Float64Array(total * BOND_FEATURES);
  level.fields.fields.forEach((field, v) => {
    const k = field.length;
    const base = offsets[v] as number;
    field.forEach((u, i) => {
      field.forEach((w, j) => {
        const type = batch.bondType(u, w);
        if (type === 0) return;
        const row = order === 2 ? base + i * k + j : base + i;
        const at = row * BOND_FEATURES + type - 1;
        values[at] = (values[at] as number) + (order === 2 ? 1 : 1 / k);
      });
    });
  });
  return engine.makeTensor(values, [total, BOND_FEATURES], dtype);
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
