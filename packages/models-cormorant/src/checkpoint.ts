/**
 * Saved Cormorant models: the architecture, the energy statistics, the weights and the units, in
 * one JSON file (`model.json`) that `covnet eval` and `covnet predict` read.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ArgumentError, type Engine, type FloatDType, Random } from "@covnet/core";
import { type StateDict, writeFileAtomic } from "@covnet/nn";
import type { CormorantConfig } from "./config.js";
import { CONVENTION_VERSION } from "./export_format.js";
import { Cormorant } from "./model.js";

/** File format tag of a saved Cormorant model. */
export const MODEL_FORMAT = "covnet-cormorant-model";

/** Contents of `model.json`. */
export interface SavedCormorant {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: 1;
  readonly conventionVersion: string;
  readonly config: CormorantConfig;
  readonly dtype: FloatDType;
  readonly energyStatistics: { readonly scale: number; readonly offsets: Record<number, number> };
  /** Units of the energies and forces the model predicts. */
  readonly units: { readonly energy: string; readonly length: string; readonly forces: string };
  /** Dataset the model was trained on, and the target for datasets with several. */
  readonly dataset: { readonly id: string; readonly target?: string };
  readonly state: StateDict;
  /** Metrics measured when the model was saved, free-form. */
  readonly metrics?: Readonly<Record<string, unknown>>;
}

/** Writes `model.json` in `dir` atomically (synced temporary file, then rename). */
export function saveCormorant(dir: string, saved: SavedCormorant): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "model.json");
  writeFileAtomic(path, `${JSON.stringify(saved)}\n`);
  return path;
}

/** Folder of the pretrained models shipped with this package. */
export function pretrainedDirectory(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "pretrained");
}

/** Names of the shipped pretrained models, such as `rmd17/ethanol`. */
export const PRETRAINED_MODELS: readonly string[] = ["rmd17/ethanol", "rmd17/aspirin"];

/**
 * Resolves a checkpoint argument: a directory holding `model.json`, a path to a model file, or
 * `pretrained:<name>` for a model shipped with this package.
 *
 * @throws {ArgumentError} when nothing is found, naming the paths tried.
 */
export function resolveModelPath(checkpoint: string): string {
  if (checkpoint.startsWith("pretrained:")) {
    const name = checkpoint.slice("pretrained:".length);
    if (!PRETRAINED_MODELS.includes(name)) {
      throw new ArgumentError(
        `unknown pretrained model "${name}"; available: ${PRETRAINED_MODELS.join(", ")}`,
      );
    }
    const path = join(pretrainedDirectory(), `${name.replace("/", "-")}.json`);
    if (!existsSync(path)) throw new ArgumentError(`pretrained model file ${path} is missing`);
    return path;
  }
  const candidates = [checkpoint, join(checkpoint, "model.json")];
  for (const c of candidates) {
    if (existsSync(c) && c.endsWith(".json")) return c;
  }
  throw new ArgumentError(
    `no saved model at "${checkpoint}": expected a model.json file or a directory containing one`,
  );
}

/**
 * Reads a saved model.
 *
 * @throws {ArgumentError} on a file that is not a covnet Cormorant model, or one saved with other
 *   conventions.
 */
export function readSavedCormorant(path: string): SavedCormorant {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ArgumentError(`cannot read model file ${path}: ${(error as Error).message}`);
  }
  const saved = parsed as Partial<SavedCormorant>;
  if (saved.format !== MODEL_FORMAT) {
    throw new ArgumentError(
      `${path} is not a covnet Cormorant model (format "${String(saved.format)}")`,
    );
  }
  if (saved.conventionVersion !== CONVENTION_VERSION) {
    throw new ArgumentError(
      `${path} was saved with conventions "${String(saved.conventionVersion)}", but this version of covnet uses "${CONVENTION_VERSION}"`,
    );
  }
  return saved as SavedCormorant;
}

/** Rebuilds a model from a saved file on `engine`, in the saved dtype unless `dtype` is given. */
export function loadCormorant(
  engine: Engine,
  saved: SavedCormorant,
  dtype: FloatDType = saved.dtype,
): Cormorant {
  const model = new Cormorant(engine, saved.config, new Random(0), dtype);
  model.loadStateDict(saved.state);
  model.setEnergyStatistics(saved.energyStatistics.scale, saved.energyStatistics.offsets);
  return model;
}
