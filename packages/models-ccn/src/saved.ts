/**
 * Saved CCN models: the architecture, the target scale, the dataset and split that the model was
 * trained on, and the weights, in one JSON file (`model.json`) that `covnet eval` reads.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ArgumentError, type Engine, type FloatDType } from "@covnet/core";
import { type StateDict, writeFileAtomic } from "@covnet/nn";
import { CCN, type CcnConfig } from "./model.js";

/** File format tag of a saved CCN. */
export const CCN_MODEL_FORMAT = "covnet-ccn-model";

/** Version of the numerical conventions (feature layout, reductions) CCN weights depend on. */
export const CCN_CONVENTION_VERSION = "1";

/** Specification of the cut of a dataset into training, validation and test molecules. */
export interface CcnSplitSpec {
  readonly seed: number;
  /** Molecules drawn with the seed before splitting, or absent for all of them. */
  readonly limit?: number;
  readonly fractions: readonly [number, number, number];
}

/** Contents of a CCN `model.json`. */
export interface SavedCcn {
  readonly format: typeof CCN_MODEL_FORMAT;
  readonly formatVersion: 1;
  readonly conventionVersion: string;
  readonly config: CcnConfig;
  readonly dtype: FloatDType;
  /** Predictions are `mean + std * output`. */
  readonly scale: { readonly mean: number; readonly std: number };
  /** Dataset id (`hcep`, `qm9`), its target and the target's unit. */
  readonly dataset: { readonly id: string; readonly target: string; readonly unit: string };
  readonly split: CcnSplitSpec;
  readonly state: StateDict;
  /** Metrics measured when the model was saved, free-form. */
  readonly metrics?: Readonly<Record<string, unknown>>;
}

/** Writes `model.json` in `dir` atomically (synced temporary file, then rename). Returns its path. */
export function saveCcn(dir: string, saved: SavedCcn): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "model.json");
  writeFileAtomic(path, `${JSON.stringify(saved)}\n`);
  return path;
}

/** Checks the format tag: true when a parsed JSON value is a saved CCN. */
export function isSavedCcn(value: unknown): value is SavedCcn {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { format?: unknown }).format === CCN_MODEL_FORMAT
  );
}

/**
 * Reads and checks a saved CCN.
 *
 * @throws {ArgumentError} on a missing or unreadable file, another format, another convention
 *   version, or a field of the wrong kind, naming the file and the field.
 */
export function readSavedCcn(path: string): SavedCcn {
  if (!existsSync(path)) throw new ArgumentError(`no saved CCN at ${path}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ArgumentError(`cannot read model file ${path}: ${(error as Error).message}`);
  }
  if (!isSavedCcn(parsed)) {
    const format = (parsed as { format?: unknown } | null)?.format;
    throw new ArgumentError(`${path} is not a covnet CCN model (format "${String(format)}")`);
  }

  if (parsed.conventionVersion !== CCN_CONVENTION_VERSION) {
    throw new ArgumentError(
      `${path} was saved with conventions "${String(parsed.conventionVersion)}", but this version of covnet uses "${CCN_CONVENTION_VERSION}"`,
    );
  }

  const c = parsed.config as Partial<CcnConfig> | undefined;
  const problems: string[] = [];
  if (c === undefined || (c.order !== 1 && c.order !== 2)) problems.push("config.order (1 or 2)");
  for (const key of ["levels", "channels", "hidden"] as const) {
    const v = c?.[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      problems.push(`config.${key} (a positive integer)`);
    }
  }
  if (typeof parsed.scale?.mean !== "number" || !(parsed.scale?.std > 0)) {
    problems.push("scale (mean and a positive std)");
  }
  if (typeof parsed.dataset?.id !== "string") problems.push("dataset.id (a string)");
  const f = parsed.split?.fractions;
  if (!Array.isArray(f) || f.length !== 3 || typeof parsed.split?.seed !== "number") {
    problems.push("split (seed and three fractions)");
  }
  if (typeof parsed.state !== "object" || parsed.state === null) problems.push("state");

  if (problems.length > 0) {
    throw new ArgumentError(`${path}: missing or invalid ${problems.join(", ")}`);
  }
  return parsed;
}

/** Rebuilds a CCN from a saved file on `engine`, in the saved dtype unless `dtype` is given. */
export function loadCcn(engine: Engine, saved: SavedCcn, dtype: FloatDType = saved.dtype): CCN {
  const model = new CCN(engine, { ...saved.config, dtype });
  model.loadStateDict(saved.state);
  return model;
}
