/**
 * `@covnet/datasets`: readers for QM9, MD17 and rMD17 in their upstream formats, embedded
 * compact copies, explicit units, seeded splits, neighbour lists and graph batching.
 *
 * @module
 */
export * from "./batch.js";
export * from "./elements.js";
export * from "./errors.js";
export { type CsvTable, parseCsv } from "./formats/csv.js";
export {
  encodeNpy,
  type NpyArray,
  type NpyData,
  npzKeys,
  parseNpy,
  readNpz,
} from "./formats/npy.js";
export {
  parseQm9Xyz,
  QM9_PROPERTY_NAMES,
  type Qm9Record,
  qm9IndexFromName,
  readQm9Archive,
} from "./formats/qm9.js";
export { parseSdf, type SdfMolecule } from "./formats/sdf.js";
export { parseXyz, parseXyzComment, type XyzFrame, XyzParser } from "./formats/xyz.js";
export * from "./graphs.js";
export { RMD17_MOLECULES } from "./internal/md17.js";
export { QM9_TARGET_NAMES } from "./internal/qm9.js";
export * from "./load.js";
export * from "./neighbors.js";
export * from "./packed.js";
export * from "./split.js";
export * from "./statistics.js";
export * from "./types.js";
export * from "./units.js";
