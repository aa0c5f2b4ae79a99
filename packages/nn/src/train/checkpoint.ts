/**
 * Training checkpoints: one JSON file with everything needed to continue a run exactly.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import type { RandomState } from "@covnet/core";
import { CheckpointError } from "../errors.js";
import { type AtomicWriteHooks, writeFileAtomic } from "../internal/atomic.js";
import type { StateDict } from "../module.js";
import type { EmaState } from "../optim/ema.js";
import type { OptimizerState } from "../optim/optimizer.js";
import type { ScheduleState } from "../optim/schedules.js";

/** Value of {@link Checkpoint.format}. */
export const CHECKPOINT_FORMAT = "covnet-checkpoint";
/** Version of the checkpoint layout written by this package. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** Event that caused a checkpoint to be written. */
export type CheckpointReason = "epoch" | "interrupt" | "final";

/** Early-stopping and best-model bookkeeping saved with a checkpoint. */
export interface MonitorState {
  /** Best value of the monitored metric so far, or null before the first epoch. */
  readonly best: number | null;
  /** Epoch (1-based) at which the best value was reached, or 0. */
  readonly bestEpoch: number;
  /** Epochs since the last improvement. */
  readonly badEpochs: number;
}

/** Contents of a checkpoint file. */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly formatVersion: number;
  /**
   * Version of the library's numerical conventions (bases, phases, layouts) the model was
   * trained under. Loading under another version is rejected, because the weights would mean
   * something else.
   */
  readonly conventionVersion: string;
  readonly reason: CheckpointReason;
  /** ISO 8601 time of writing. */
  readonly savedAt: string;
  /** The caller's run configuration, stored as given. */
  readonly config: unknown;
  /** Dataset statistics (for example energy mean and scale), stored as given. */
  readonly datasetStatistics: unknown;
  /** Completed epochs. */
  readonly epoch: number;
  /** Completed batches of the epoch in progress (0 at an epoch boundary). */
  readonly batchInEpoch: number;
  /** Sum and count of the training losses of the epoch in progress. */
  readonly epochLoss: { readonly sum: number; readonly count: number };
  /** Completed optimizer steps over the whole run. */
  readonly globalStep: number;
  readonly model: StateDict;
  readonly optimizer: OptimizerState;
  readonly schedule: ScheduleState;
  readonly ema: EmaState | null;
  /** State of the trainer's generator, after the current epoch's generator was forked. */
  readonly rng: RandomState;
  /** State of the current epoch's data generator at the start of the epoch, or null. */
  readonly epochRng: RandomState | null;
  readonly monitor: MonitorState;
}

/**
 * Writes a checkpoint atomically (temporary file, fsync, rename), so a crash leaves either the
 * previous file or the complete new one.
 */
export function writeCheckpoint(
  path: string,
  checkpoint: Checkpoint,
  hooks: AtomicWriteHooks = {},
): void {
  writeFileAtomic(path, `${JSON.stringify(checkpoint)}\n`, hooks);
}

/**
 * Reads a checkpoint and checks its format and convention version.
 *
 * @param conventionVersion The version the caller runs under; a checkpoint of another version
 *   is rejected. Omit to skip the check.
 * @throws {CheckpointError} when the file is missing, is not a covnet checkpoint, or was written
 *   under another convention version.
 */
export function readCheckpoint(path: string, conventionVersion?: string): Checkpoint {
  if (!existsSync(path)) throw new CheckpointError(`checkpoint not found: ${path}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CheckpointError(`checkpoint ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const c = parsed as Partial<Checkpoint> | null;
  if (c === null || typeof c !== "object" || c.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      `${path} is not a covnet checkpoint (format field missing or different)`,
    );
  }
  if (c.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      `checkpoint ${path} has format version ${String(c.formatVersion)}, this library reads version ${CHECKPOINT_FORMAT_VERSION}`,
    );
  }
  if (conventionVersion !== undefined && c.conventionVersion !== conventionVersion) {
    throw new CheckpointError(
      `checkpoint ${path} was written under convention version ${String(c.conventionVersion)}, this run uses ${conventionVersion}; convert the model or train again`,
    );
  }
  const required = [
    "epoch",
    "batchInEpoch",
    "epochLoss",
    "globalStep",
    "model",
    "optimizer",
    "rng",
    "monitor",
  ] as const;
  const missing = required.filter((key) => c[key] === undefined);
  if (missing.length > 0)
    throw new CheckpointError(`checkpoint ${path} is missing ${missing.join(", ")}`);
  return c as Checkpoint;
}
