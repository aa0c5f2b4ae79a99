/**
 * Conversion of a batch of molecules into the tensors a {@link Cormorant} network reads.
 *
 * @module
 */
import { ArgumentError, type Engine, type FloatDType, type Tensor } from "@covnet/core";

/** Host-side description of a batch, as produced by `@covnet/datasets` `makeBatch`. */
export interface MoleculeBatch {
  readonly numMolecules: number;
  readonly numAtoms: number;
  /** Atomic numbers `[atoms]`. */
  readonly charges: Int32Array;
  /** Positions `[atoms * 3]`, Angstrom. */
  readonly positions: Float64Array;
  /** Molecule of each atom `[atoms]`. */
  readonly moleculeIndex: Int32Array;
  /** Directed edges: messages flow from `edgeSrc` to `edgeDst` (global atom indices). */
  readonly edgeSrc: Int32Array;
  readonly edgeDst: Int32Array;
}

/** Tensors of one batch on an engine. */
export interface AtomsInput {
  readonly numMolecules: number;
  readonly numAtoms: number;
  readonly charges: Int32Array;
  /** `[atoms, 3]`, Angstrom. */
  readonly positions: Tensor;
  /** `[atoms, species * (chargePower + 1)]`: `onehot(Z) * (Z / Zmax)^p`. */
  readonly speciesFeatures: Tensor;
  /** int32 `[atoms]`. */
  readonly moleculeIndex: Tensor;
  /** int32 `[edges]`. */
  readonly edgeSrc: Tensor;
  /** int32 `[edges]`. */
  readonly edgeDst: Tensor;
}

/**
 * Moves a batch onto `engine`.
 *
 * @throws {ArgumentError} naming the element when an atomic number is not in `species`.
 */
export function toAtomsInput(
  engine: Engine,
  batch: MoleculeBatch,
  options: {
    readonly species: readonly number[];
    readonly chargePower: number;
    readonly dtype: FloatDType;
  },
): AtomsInput {
  const { species, chargePower } = options;
  const zmax = Math.max(...species);
  const width = species.length * (chargePower + 1);
  const features = new Float64Array(batch.numAtoms * width);
  for (let i = 0; i < batch.numAtoms; i++) {
    const z = batch.charges[i] as number;
    const s = species.indexOf(z);
    if (s < 0) {
      throw new ArgumentError(
        `atom ${i} has atomic number ${z}, which this model does not embed (species: ${species.join(", ")})`,
      );
    }
    for (let p = 0; p <= chargePower; p++)
      features[i * width + s * (chargePower + 1) + p] = (z / zmax) ** p;
  }
  return {
    numMolecules: batch.numMolecules,
    numAtoms: batch.numAtoms,
    charges: batch.charges,
    positions: engine.makeTensor(batch.positions, [batch.numAtoms, 3], options.dtype),
    speciesFeatures: engine.makeTensor(features, [batch.numAtoms, width], options.dtype),
    moleculeIndex: engine.makeTensor(batch.moleculeIndex, [batch.numAtoms], "int32"),
    edgeSrc: engine.makeTensor(batch.edgeSrc, [batch.edgeSrc.length], "int32"),
    edgeDst: engine.makeTensor(batch.edgeDst, [batch.edgeDst.length], "int32"),
  };
}
