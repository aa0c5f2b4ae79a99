/**
 * Shared plumbing of the commands: the engine on the chosen backend, output in human or JSON
 * form, and one-line errors.
 *
 * @module
 */

import { cpuBackendModule } from "@covnet/backend-cpu";
import {
  createContainer,
  createLogger,
  type Engine,
  type FloatDType,
  initEngine,
  type Logger,
} from "@covnet/core";

/** Backends this command line can load, in priority order. */
export const BACKEND_CHOICES = ["cpu", "webgpu", "cuda"] as const;

/** A backend name accepted by `--backend`. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** A user error: printed as one line, exit code 1. */
export class CliError extends Error {}

/**
 * Creates an engine on `backend`. The WebGPU and CUDA backends are optional packages, loaded on
 * demand. A missing package or device raises a {@link CliError} that names the failure.
 */
export async function createEngine(
  backend: BackendChoice,
  dtype: FloatDType,
  logger: Logger,
): Promise<Engine> {
  const container = createContainer({ logger });
  container.load(cpuBackendModule());
  if (backend !== "cpu") {
    const packageName = `@covnet/backend-${backend}`;
    let loaded: Record<string, unknown>;
    try {
      loaded = (await import(packageName)) as Record<string, unknown>;
    } catch (error) {
      throw new CliError(
        `backend "${backend}" is not available: cannot load ${packageName} (${(error as Error).message})`,
      );
    }
    const moduleFactory = loaded[`${backend}BackendModule`];
    if (typeof moduleFactory !== "function") {
      throw new CliError(
        `backend "${backend}": ${packageName} does not export ${backend}BackendModule()`,
      );
    }
    container.load(moduleFactory());
  }
  if (backend === "webgpu" && dtype === "float64") {
    throw new CliError(
      'backend "webgpu" computes in float32 only (WGSL has no float64); use --dtype float32',
    );
  }
  try {
    return await initEngine(container, { backend, defaultFloat: dtype });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/** Creates a logger that writes to standard error: level `info` with `--verbose`, else `warn`. */
export function cliLogger(verbose: boolean): Logger {
  return createLogger({ level: verbose ? "info" : "warn" });
}

/** Writes human-readable lines to standard output (suppressed with `--json`). */
export function say(json: boolean, line: string): void {
  if (!json) process.stdout.write(`${line}\n`);
}

/** Writes the result object as the last line of standard output when `--json` is set. */
export function emitJson(json: boolean, value: unknown): void {
  if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Formats an error/value pair such as `0.412 kcal/mol (17.9 meV)`. */
export function withMeV(value: number, unit: string): string {
  const converted = MEV[unit];
  const base = `${value.toFixed(4)} ${unit}`;
  return converted === undefined
    ? base
    : `${base} (${(value * converted.factor).toFixed(2)} ${converted.unit})`;
}

/** The same quantity in meV (per molecule, or per Angstrom for forces): 1 kcal/mol = 43.364 meV. */
const MEV: Record<string, { factor: number; unit: string }> = {
  "kcal/mol": { factor: 43.36411531, unit: "meV" },
  "kcal/mol/A": { factor: 43.36411531, unit: "meV/A" },
  eV: { factor: 1000, unit: "meV" },
  "eV/A": { factor: 1000, unit: "meV/A" },
};
