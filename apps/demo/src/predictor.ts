/**
 * Energies and forces of one molecule from a Cormorant model, on whichever backend the engine
 * runs.
 *
 * @module
 */
import type { Engine } from "@covnet/core";
import { type Cormorant, toAtomsInput } from "@covnet/models-cormorant/browser";

/** Directed neighbour pairs within a cutoff. */
export interface NeighborPairs {
  readonly src: Int32Array;
  readonly dst: Int32Array;
}

/**
 * Lists every ordered pair (i, j), i != j, with |x_i - x_j| <= cutoff, sorted by i then j. The
 * O(n^2) loop suits the small molecules of the demo.
 *
 * @param positions `[atoms * 3]`, Angstrom.
 */
export function neighborPairs(positions: Float64Array, cutoff: number): NeighborPairs {
  const n = positions.length / 3;
  const cutoff2 = cutoff * cutoff;
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = (positions[3 * j] as number) - (positions[3 * i] as number);
      const dy = (positions[3 * j + 1] as number) - (positions[3 * i + 1] as number);
      const dz = (positions[3 * j + 2] as number) - (positions[3 * i + 2] as number);
      if (dx * dx + dy * dy + dz * dz <= cutoff2) {
        src.push(i);
        dst.push(j);
      }
    }
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
}

/** Energy and forces of one configuration. */
export interface Prediction {
  /** Energy in the model's energy unit. */
  readonly energy: number;
  /** Forces `-dE/dx` `[atoms * 3]` in the model's force unit. */
  readonly forces: Float64Array;
}

/** Evaluates a model on the configurations of one molecule (fixed elements, moving atoms). */
export class Predictor {
  readonly #engine: Engine;
  readonly #model: Cormorant;
  readonly #charges: Int32Array;

  /**
   * @throws {RangeError} when an element of `charges` is not one the model embeds.
   */
  constructor(engine: Engine, model: Cormorant, charges: Int32Array) {
    const missing = [...new Set(charges)].filter((z) => !model.config.species.includes(z));
    if (missing.length > 0) {
      throw new RangeError(
        `the model embeds the atomic numbers ${model.config.species.join(", ")}, not ${missing.join(", ")}`,
      );
    }
    this.#engine = engine;
    this.#model = model;
    this.#charges = charges;
  }

  /**
   * Computes the energy and the forces at `positions` (`[atoms * 3]`, Angstrom). Every tensor it
   * creates is released before it returns.
   */
  async predict(positions: Float64Array): Promise<Prediction> {
    const n = this.#charges.length;
    if (positions.length !== 3 * n) {
      throw new RangeError(`expected ${3 * n} coordinates for ${n} atoms, got ${positions.length}`);
    }
    const model = this.#model;
    const pairs = neighborPairs(positions, model.config.cutoff);
    const { energies, forces } = this.#engine.scope(() => {
      const input = toAtomsInput(
        this.#engine,
        {
          numMolecules: 1,
          numAtoms: n,
          charges: this.#charges,
          positions,
          moleculeIndex: new Int32Array(n),
          edgeSrc: pairs.src,
          edgeDst: pairs.dst,
        },
        {
          species: model.config.species,
          chargePower: model.config.chargePower,
          dtype: model.dtype,
        },
      );
      return model.energiesAndForces(input);
    });
    try {
      const [energy, force] = await Promise.all([energies.data(), forces.data()]);
      return { energy: energy[0] as number, forces: Float64Array.from(force) };
    } finally {
      energies.dispose();
      forces.dispose();
    }
  }
}
