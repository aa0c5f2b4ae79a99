/**
 * Assembly of MD17 and rMD17 datasets from their upstream files (rMD17 `.npz`, sGDML MD17
 * `.npz` and extended XYZ).
 */
import { datasetError } from "../errors.js";
import { type NpyArray, npzKeys, readNpz } from "../formats/npy.js";
import type { XyzFrame } from "../formats/xyz.js";
import { PackedAtomsDataset, uniformOffsets } from "../packed.js";
import { type EnergyUnit, energyConversionFactor } from "../units.js";
import { assertFinite } from "./numbers.js";

/** The ten rMD17 molecules, as named in the rMD17 file names. */
export const RMD17_MOLECULES = [
  "aspirin",
  "azobenzene",
  "benzene",
  "ethanol",
  "malonaldehyde",
  "naphthalene",
  "paracetamol",
  "salicylic",
  "toluene",
  "uracil",
] as const;

/** Trajectory frames of one molecule: fixed atoms, per-frame positions, energies and forces. */
export interface MdFrames {
  /** Atomic numbers, `[n]`. */
  readonly charges: Int32Array;
  /** Angstrom, `[frames, n, 3]`. */
  readonly positions: Float64Array;
  /** kcal/mol, `[frames]`. */
  readonly energies: Float64Array;
  /** kcal/mol/Angstrom, `[frames, n, 3]`. */
  readonly forces: Float64Array;
}

function toFloat64(a: NpyArray): Float64Array {
  return a.data instanceof Float64Array ? a.data : Float64Array.from(a.data);
}

function chargesOf(a: NpyArray, file: string, field: string): Int32Array {
  if (a.shape.length !== 1) {
    throw datasetError(file, `expected shape (n,), found (${a.shape.join(", ")})`, { field });
  }
  if (a.dtype.includes("f")) {
    throw datasetError(file, `atomic numbers must have an integer dtype, found ${a.dtype}`, {
      field,
    });
  }
  const z = Int32Array.from(a.data);
  z.forEach((v, i) => {
    if (v < 1 || v > 118) {
      throw datasetError(file, `atomic number ${v} at atom ${i} is outside 1..118`, { field });
    }
  });
  return z;
}

function checkFloat(a: NpyArray, file: string, field: string): void {
  if (!a.dtype.endsWith("f8") && !a.dtype.endsWith("f4")) {
    throw datasetError(file, `expected a float64 or float32 array, found dtype ${a.dtype}`, {
      field,
    });
  }
}

function checkVectorShape(a: NpyArray, n: number, file: string, field: string): number {
  const [frames, atoms, three] = a.shape;
  if (a.shape.length !== 3 || three !== 3 || frames === undefined) {
    throw datasetError(file, `expected shape (frames, atoms, 3), found (${a.shape.join(", ")})`, {
      field,
    });
  }
  if (atoms !== n) {
    throw datasetError(
      file,
      `has ${atoms} atoms per frame, but the atomic numbers list ${n} atoms (mismatched atom counts)`,
      { field },
    );
  }
  return frames;
}

function checkEnergyShape(a: NpyArray, frames: number, file: string, field: string): void {
  const ok =
    (a.shape.length === 1 && a.shape[0] === frames) ||
    (a.shape.length === 2 && a.shape[0] === frames && a.shape[1] === 1);
  if (!ok) {
    throw datasetError(
      file,
      `expected shape (${frames},) or (${frames}, 1) to match the ${frames} frames, found (${a.shape.join(", ")})`,
      { field },
    );
  }
}

/**
 * Reads MD frames from an `.npz` in the rMD17 layout (`nuclear_charges coords energies forces`,
 * with `old_energies old_forces` for the original MD17 labels) or the sGDML MD17 layout
 * (`z R E F`, MD17 labels only).
 *
 * @throws DatasetError for a missing key, a wrong dtype or shape, mismatched atom counts, a
 *   non-finite value, or `labels: "rmd17"` on an sGDML file.
 */
export function readMdNpz(
  bytes: Uint8Array,
  file: string,
  labels: "rmd17" | "md17",
): MdFrames & { readonly oldIndices?: Float64Array } {
  const keys = npzKeys(bytes, file);
  const rmd17 = keys.includes("nuclear_charges") || keys.includes("coords");
  const sgdml = !rmd17 && keys.includes("z") && keys.includes("R");
  if (!rmd17 && !sgdml) {
    throw datasetError(
      file,
      `missing key "nuclear_charges" (rMD17 layout) or "z" (sGDML layout); the archive has: ${keys.join(", ")}`,
      { field: "nuclear_charges" },
    );
  }
  if (sgdml && labels === "rmd17") {
    throw datasetError(
      file,
      'is an sGDML MD17 file (keys z R E F) with MD17 labels only; load it with labels "md17"',
      { field: "E" },
    );
  }
  const names = rmd17
    ? {
        z: "nuclear_charges",
        r: "coords",
        e: labels === "md17" ? "old_energies" : "energies",
        f: labels === "md17" ? "old_forces" : "forces",
      }
    : { z: "z", r: "R", e: "E", f: "F" };
  const wanted = [names.z, names.r, names.e, names.f];
  if (rmd17 && keys.includes("old_indices")) wanted.push("old_indices");
  const arrays = readNpz(bytes, file, wanted);
  const get = (k: string) => arrays.get(k) as NpyArray;
  const charges = chargesOf(get(names.z), file, names.z);
  for (const k of [names.r, names.e, names.f]) checkFloat(get(k), file, k);
  const frames = checkVectorShape(get(names.r), charges.length, file, names.r);
  const forceFrames = checkVectorShape(get(names.f), charges.length, file, names.f);
  if (forceFrames !== frames) {
    throw datasetError(file, `has ${forceFrames} frames, ${names.r} has ${frames}`, {
      field: names.f,
    });
  }
  checkEnergyShape(get(names.e), frames, file, names.e);
  const out = {
    charges,
    positions: toFloat64(get(names.r)),
    energies: toFloat64(get(names.e)),
    forces: toFloat64(get(names.f)),
  };
  assertFinite(out.positions, file, names.r, 3 * charges.length);
  assertFinite(out.energies, file, names.e);
  assertFinite(out.forces, file, names.f, 3 * charges.length);
  const old = arrays.get("old_indices");
  return old ? { ...out, oldIndices: toFloat64(old) } : out;
}

/**
 * Converts extended-XYZ frames of one molecule (same atoms in every frame, an energy key in the
 * comment line and a forces property) to {@link MdFrames}.
 *
 * @throws DatasetError when a frame has different atoms, no energy or no forces.
 */
export function framesFromXyz(
  frames: readonly XyzFrame[],
  file: string,
  energyKey = "energy",
): MdFrames {
  const first = frames[0];
  if (first === undefined) throw datasetError(file, "file contains no frames");
  const n = first.charges.length;
  const positions = new Float64Array(frames.length * n * 3);
  const forces = new Float64Array(frames.length * n * 3);
  const energies = new Float64Array(frames.length);
  frames.forEach((frame, i) => {
    const record = `frame ${i}`;
    if (frame.charges.length !== n || frame.charges.some((z, a) => z !== first.charges[a])) {
      throw datasetError(
        file,
        `atoms differ from frame 0 (${n} atoms); one molecule per file is expected`,
        {
          record,
          field: "species",
        },
      );
    }
    const energy = frame.info[energyKey];
    if (typeof energy !== "number" || !Number.isFinite(energy)) {
      throw datasetError(file, `missing or non-numeric "${energyKey}" in the comment line`, {
        record,
        field: energyKey,
      });
    }
    if (!frame.forces) {
      throw datasetError(file, "no forces property in Properties", { record, field: "forces" });
    }
    energies[i] = energy;
    positions.set(frame.positions, i * n * 3);
    forces.set(frame.forces, i * n * 3);
  });
  return { charges: first.charges, positions, energies, forces };
}

/** Options for {@link mdDataset}. */
export interface MdDatasetOptions {
  readonly id: string;
  readonly provenance: string;
  readonly energyUnit: EnergyUnit;
  readonly trainCount?: number;
}

/**
 * Packs MD frames (kcal/mol, kcal/mol/Angstrom) into a dataset in `energyUnit`. When
 * `trainCount` is given, the first `trainCount` frames form the predefined training split and
 * the rest the test split.
 */
export function mdDataset(frames: MdFrames, options: MdDatasetOptions): PackedAtomsDataset {
  const n = frames.charges.length;
  const count = frames.energies.length;
  const charges = new Int32Array(count * n);
  for (let i = 0; i < count; i++) charges.set(frames.charges, i * n);
  const factor = energyConversionFactor("kcal/mol", options.energyUnit);
  const scale = (a: Float64Array) => (factor === 1 ? a : a.map((v) => v * factor));
  const split =
    options.trainCount === undefined
      ? undefined
      : {
          train: Int32Array.from({ length: options.trainCount }, (_, i) => i),
          test: Int32Array.from(
            { length: count - options.trainCount },
            (_, i) => options.trainCount! + i,
          ),
        };
  return new PackedAtomsDataset({
    id: options.id,
    units: {
      length: "angstrom",
      energy: options.energyUnit,
      force: `${options.energyUnit}/angstrom`,
      targets: { energy: options.energyUnit },
    },
    provenance: options.provenance,
    atomOffsets: uniformOffsets(count, n),
    charges,
    positions: frames.positions,
    energies: scale(frames.energies),
    forces: scale(frames.forces),
    targetNames: ["energy"],
    targets: scale(frames.energies),
    ...(split ? { predefinedSplit: split } : {}),
  });
}

/** Concatenates the frames of two files of the same molecule (train, then test). */
export function concatFrames(a: MdFrames, b: MdFrames, fileB: string): MdFrames {
  if (a.charges.length !== b.charges.length || a.charges.some((z, i) => z !== b.charges[i])) {
    throw datasetError(
      fileB,
      "atoms differ from the training file (mismatched atom counts or order)",
      {
        field: "nuclear_charges",
      },
    );
  }
  const cat = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    charges: a.charges,
    positions: cat(a.positions, b.positions),
    energies: cat(a.energies, b.energies),
    forces: cat(a.forces, b.forces),
  };
}

/** Selects frames by index (for the figshare rMD17 layout with split index files). */
export function selectFrames(frames: MdFrames, indices: ArrayLike<number>, file: string): MdFrames {
  const n = frames.charges.length;
  const count = frames.energies.length;
  const positions = new Float64Array(indices.length * n * 3);
  const forces = new Float64Array(indices.length * n * 3);
  const energies = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= count) {
      throw datasetError(file, `frame index ${i} is outside [0, ${count})`, {
        record: `line ${k + 1}`,
      });
    }
    energies[k] = frames.energies[i] as number;
    positions.set(frames.positions.subarray(i * n * 3, (i + 1) * n * 3), k * n * 3);
    forces.set(frames.forces.subarray(i * n * 3, (i + 1) * n * 3), k * n * 3);
  }
  return { charges: frames.charges, positions, energies, forces };
}
