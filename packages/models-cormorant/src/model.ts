/**
 * The Cormorant network: SO(3)-covariant CG layers over a molecular graph, an invariant
 * read-out, energies as sums over atoms and forces as `-dE/dx`.
 *
 * @module
 */
import { type CGPlan, cgProduct, compileCGPlan, sphericalHarmonics } from "@covnet/cg";
import {
  add,
  concat,
  div,
  type Engine,
  type FloatDType,
  gather,
  matmul,
  mean,
  mul,
  neg,
  type Random,
  reshape,
  segmentSum,
  slice,
  sqrt,
  square,
  sub,
  sum,
  type Tensor,
  valueAndGrads,
} from "@covnet/core";
import { Irreps } from "@covnet/groups";
import {
  BesselBasis,
  kaimingUniform,
  Linear,
  MLP,
  Module,
  ModuleList,
  type Parameter,
  polynomialCutoff,
} from "@covnet/nn";
import { type CormorantConfig, resolveConfig } from "./config.js";
import type { AtomsInput } from "./input.js";

/** Irreps with `tau` channels for every degree 0..lmax, with natural parity `(-1)^l`. */
export function naturalIrreps(tau: number, lmax: number): Irreps {
  return new Irreps(
    Array.from({ length: lmax + 1 }, (_, l) => ({ mul: tau, l, p: l % 2 === 0 ? 1 : -1 })),
  );
}

/** Splits `x [n, irreps.dim]` into its parts `[n, 2l+1, tau]`, in irreps order. */
export function splitParts(x: Tensor, irreps: Irreps): Tensor[] {
  const n = x.shape[0] as number;
  return irreps.entries.map((e, i) => {
    const dim = (2 * e.l + 1) * e.mul;
    const part = dim === x.shape[1] ? x : slice(x, [0, irreps.offsets[i] as number], [n, dim]);
    return reshape(part, [n, 2 * e.l + 1, e.mul]);
  });
}

/**
 * One Cormorant CG layer. For every atom it concatenates, degree by degree, the atom's own parts,
 * the channel-wise CG product of the atom's parts with themselves, and the sum over neighbours of
 * the channel-wise CG product of the edge parts `Y_l(r_ij) R_l(|r_ij|)` with the neighbour's
 * parts; then it mixes channels per degree with learned weights. Only natural-parity outputs
 * (`l` even for even parity) are kept, so the network is covariant under rotations and
 * reflections.
 */
export class CormorantLayer extends Module {
  readonly irrepsIn: Irreps;
  readonly irrepsOut: Irreps;
  readonly edgeIrreps: Irreps;
  readonly selfPlan: CGPlan;
  readonly messagePlan: CGPlan;
  readonly radial: MLP;
  readonly mixing: Parameter[];
  readonly #config: CormorantConfig;
  readonly #engine: Engine;

  constructor(
    engine: Engine,
    irrepsIn: Irreps,
    config: CormorantConfig,
    rng: Random,
    dtype: FloatDType,
  ) {
    super();
    const tau = config.channels;
    this.#config = config;
    this.#engine = engine;
    this.irrepsIn = irrepsIn;
    this.irrepsOut = naturalIrreps(tau, config.maxl);
    this.edgeIrreps = naturalIrreps(tau, config.maxl);
    const selection = naturalIrreps(1, config.maxl);
    this.selfPlan = compileCGPlan(irrepsIn, irrepsIn, {
      mode: "channelwise",
      lmax: config.maxl,
      outputIrreps: selection,
    });
    this.messagePlan = compileCGPlan(this.edgeIrreps, irrepsIn, {
      mode: "channelwise",
      lmax: config.maxl,
      outputIrreps: selection,
    });
    this.radial = this.registerModule(
      "radial",
      new MLP(engine, [config.numRadial, config.radialHidden, (config.maxl + 1) * tau], {
        rng,
        dtype,
      }),
    );
    this.mixing = [];
    for (let l = 0; l <= config.maxl; l++) {
      const fanIn = this.#mixInputChannels(l);
      const init = kaimingUniform({ nonlinearity: "linear" });
      const w = this.registerParameter(`mix${l}`, init(engine, [fanIn, tau], rng, dtype));
      this.mixing.push(w);
    }
  }

  /** Int32 `[(maxl+1)^2]`: the degree `l` of each harmonic row `l*l + l + m`. */
  #degreeIndex(): Tensor {
    const degrees: number[] = [];
    for (let l = 0; l <= this.#config.maxl; l++)
      for (let m = 0; m < 2 * l + 1; m++) degrees.push(l);
    return this.#engine.makeTensor(degrees, [degrees.length], "int32");
  }

  #mixInputChannels(l: number): number {
    let n = 0;
    for (const irreps of [this.irrepsIn, this.selfPlan.irrepsOut, this.messagePlan.irrepsOut]) {
      for (const e of irreps.entries) if (e.l === l) n += e.mul;
    }
    return n;
  }

  /**
   * Applies the layer.
   *
   * @param features Atom activations `[atoms, irrepsIn.dim]`.
   * @param harmonics Edge harmonics `[edges, (maxl+1)^2]` of the unit vectors `r_ij / |r_ij|`.
   * @param radialBasis Radial basis of the edge lengths `[edges, numRadial]`, envelope included.
   * @returns Atom activations `[atoms, irrepsOut.dim]`.
   */
  forward(features: Tensor, harmonics: Tensor, radialBasis: Tensor, input: AtomsInput): Tensor {
    const tau = this.#config.channels;
    const numEdges = harmonics.shape[0] as number;
    const numAtoms = features.shape[0] as number;
    const radial = this.radial.forward(radialBasis);
    // Edge parts Y_l(r_ij) R_l(|r_ij|): the harmonics' rows are already in part order (l, then m),
    // so one gather repeats each degree's radial channels over its 2l+1 rows.
    const harmonicRows = reshape(harmonics, [numEdges, (this.#config.maxl + 1) ** 2, 1]);
    const radialRows = gather(
      reshape(radial, [numEdges, this.#config.maxl + 1, tau]),
      this.#degreeIndex(),
      1,
    );
    const edges = reshape(mul(harmonicRows, radialRows), [numEdges, this.edgeIrreps.dim]);
    const neighbours = gather(features, input.edgeSrc, 0);
    const messages = segmentSum(
      cgProduct(edges, neighbours, this.messagePlan),
      input.edgeDst,
      numAtoms,
    );
    const selfProduct = cgProduct(features, features, this.selfPlan);
    const sources: Array<[Tensor[], Irreps]> = [
      [splitParts(features, this.irrepsIn), this.irrepsIn],
      [splitParts(selfProduct, this.selfPlan.irrepsOut), this.selfPlan.irrepsOut],
      [splitParts(messages, this.messagePlan.irrepsOut), this.messagePlan.irrepsOut],
    ];
    const outParts: Tensor[] = [];
    for (let l = 0; l <= this.#config.maxl; l++) {
      const pieces: Tensor[] = [];
      for (const [parts, irreps] of sources) {
        irreps.entries.forEach((e, i) => {
          if (e.l === l) pieces.push(parts[i] as Tensor);
        });
      }
      const stacked = pieces.length === 1 ? (pieces[0] as Tensor) : concat(pieces, 2);
      const channelsIn = stacked.shape[2] as number;
      const rows = reshape(stacked, [numAtoms * (2 * l + 1), channelsIn]);
      let part = reshape(matmul(rows, (this.mixing[l] as Parameter).value), [
        numAtoms,
        2 * l + 1,
        tau,
      ]);
      if (this.#config.activationBound === "soft") {
        part = div(part, sqrt(add(mean(square(part), [1, 2], true), 1)));
      }
      outParts.push(reshape(part, [numAtoms, (2 * l + 1) * tau]));
    }
    return concat(outParts, 1);
  }
}

/** Rotation-invariant features of activations: the `l = 0` parts and per-channel squared norms. */
export function invariants(x: Tensor, irreps: Irreps): Tensor {
  const parts = splitParts(x, irreps);
  const n = x.shape[0] as number;
  const out = irreps.entries.map((e, i) => {
    const part = parts[i] as Tensor;
    return e.l === 0 ? reshape(part, [n, e.mul]) : sum(square(part), 1);
  });
  return concat(out, 1);
}

/**
 * Cormorant: atom features from one-hot charges and their powers, `levels` CG layers, an
 * invariant read-out over every level, per-atom energies summed per molecule.
 *
 * Energies are `sum_i (scale * out_i + offset[Z_i])` in the dataset's energy unit, with `scale`
 * and the per-element `offset` taken from training statistics and stored with the model.
 */
export class Cormorant extends Module {
  readonly config: CormorantConfig;
  readonly dtype: FloatDType;
  readonly embedding: Linear;
  readonly radialBasis: BesselBasis;
  readonly layers: ModuleList<CormorantLayer>;
  readonly readout: MLP;
  readonly irreps: Irreps[];
  readonly engine: Engine;
  #energyScale = 1;
  #energyOffsets = new Map<number, number>();

  constructor(
    engine: Engine,
    config: Partial<CormorantConfig>,
    rng: Random,
    dtype: FloatDType = engine.defaultFloat,
  ) {
    super();
    this.engine = engine;
    this.config = resolveConfig(config);
    this.dtype = dtype;
    const c = this.config;
    const inputFeatures = c.species.length * (c.chargePower + 1);
    this.embedding = this.registerModule(
      "embedding",
      new Linear(engine, inputFeatures, c.channels, { rng, dtype }),
    );
    this.radialBasis = this.registerModule(
      "radialBasis",
      new BesselBasis(engine, { numBasis: c.numRadial, cutoff: c.cutoff, dtype }),
    );
    this.irreps = [new Irreps([{ mul: c.channels, l: 0, p: 1 }])];
    const layers: CormorantLayer[] = [];
    for (let s = 0; s < c.levels; s++) {
      const layer = new CormorantLayer(engine, this.irreps[s] as Irreps, c, rng, dtype);
      layers.push(layer);
      this.irreps.push(layer.irrepsOut);
    }
    this.layers = this.registerModule("layers", new ModuleList(layers));
    const invariantSize = this.irreps.reduce(
      (s, ir) => s + ir.entries.reduce((t, e) => t + e.mul, 0),
      0,
    );
    this.readout = this.registerModule(
      "readout",
      new MLP(engine, [invariantSize, ...c.readoutHidden, 1], { rng, dtype }),
    );
  }

  /** Sets the energy scale and per-element offsets (energy unit per atom). */
  setEnergyStatistics(
    scale: number,
    offsets: ReadonlyMap<number, number> | Readonly<Record<number, number>>,
  ): void {
    this.#energyScale = scale;
    this.#energyOffsets =
      offsets instanceof Map
        ? new Map(offsets)
        : new Map(Object.entries(offsets).map(([k, v]) => [Number(k), v]));
  }

  /** Returns the energy scale and per-element offsets used by {@link Cormorant.energies}. */
  energyStatistics(): { scale: number; offsets: Record<number, number> } {
    return { scale: this.#energyScale, offsets: Object.fromEntries(this.#energyOffsets) };
  }

  /** Per-atom offsets `[atoms]` for the batch's charges. */
  #offsetsFor(input: AtomsInput): Tensor {
    const values = Array.from(input.charges, (z) => this.#energyOffsets.get(z) ?? 0);
    return this.engine.makeTensor(values, [values.length], this.dtype);
  }

  /**
   * Molecular energies `[molecules]` for atom positions `positions [atoms, 3]` (Angstrom).
   * Differentiable in the positions and the parameters.
   */
  energies(input: AtomsInput, positions: Tensor = input.positions): Tensor {
    const numEdges = input.edgeSrc.shape[0] as number;
    const relative = sub(gather(positions, input.edgeSrc, 0), gather(positions, input.edgeDst, 0));
    const lengths = sqrt(sum(square(relative), 1));
    const harmonics = sphericalHarmonics(relative, this.config.maxl, { normalize: true });
    const basis = this.radialBasis.forward(lengths);
    let features = this.embedding.forward(input.speciesFeatures);
    const levels: Tensor[] = [invariants(features, this.irreps[0] as Irreps)];
    for (let s = 0; s < this.config.levels; s++) {
      features = this.layers.at(s).forward(features, harmonics, basis, input);
      levels.push(invariants(features, this.irreps[s + 1] as Irreps));
    }
    void numEdges;
    const atomEnergy = reshape(this.readout.forward(concat(levels, 1)), [input.numAtoms]);
    const scaled = add(mul(atomEnergy, this.#energyScale), this.#offsetsFor(input));
    return segmentSum(scaled, input.moleculeIndex, input.numMolecules);
  }

  /**
   * Energies `[molecules]` and forces `-dE/dx` `[atoms, 3]`. Inside an enclosing gradient (as
   * in training on forces) both stay differentiable with respect to the parameters.
   */
  energiesAndForces(input: AtomsInput): { energies: Tensor; forces: Tensor } {
    const positions = input.positions;
    const { value, grads } = valueAndGrads(() => this.energies(input, positions), [positions]);
    return { energies: value, forces: neg(grads[0] as Tensor) };
  }
}

export { polynomialCutoff };
