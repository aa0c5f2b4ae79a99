import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@covnet/core";
import { describe, expect, it } from "vitest";
import { createEngine } from "../src/runtime.js";

// `covnet train`, `eval` and `predict` on the WebGPU backend against the CPU backend, both in
// float32. Without a WebGPU adapter the suite is skipped, or fails when CI is set.

const bin = new URL("../src/bin.ts", import.meta.url).pathname;

/** Returns why WebGPU cannot run here, or null when an adapter exists. */
async function webgpuUnavailable(): Promise<string | null> {
  try {
    const engine = await createEngine("webgpu", "float32", createLogger({ level: "silent" }));
    engine.backend.dispose();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const unavailable = await webgpuUnavailable();

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--conditions=covnet-source", "--import", "tsx", bin, ...args],
      { env: { ...process.env, COVNET_LOG_LEVEL: "warn", NO_COLOR: "1" } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the command with `--json` and returns the JSON object of its last output line. */
async function runJson(args: readonly string[]): Promise<Record<string, unknown>> {
  const r = await run([...args, "--json"]);
  if (r.code !== 0) throw new Error(`covnet ${args.join(" ")} exited with ${r.code}: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
}

interface ErrorMetrics {
  readonly mae: number;
  readonly rmse: number;
}

interface Metrics {
  readonly energy: ErrorMetrics;
  readonly forces: ErrorMetrics;
}

// Ethanol energies are about -97,000 kcal/mol, where float32 values are 0.0078 kcal/mol apart,
// so energy errors of two float32 backends may differ by a few of those steps. Force errors
// (tens of kcal/mol/A) agree to float32 rounding of the sums.
const ENERGY_ATOL = 0.05;
const FORCE_RTOL = 1e-4;

function expectMetricsClose(actual: Metrics, expected: Metrics, label: string): void {
  for (const key of ["mae", "rmse"] as const) {
    const energy = Math.abs(actual.energy[key] - expected.energy[key]);
    expect(energy, `${label}: energy ${key}`).toBeLessThan(ENERGY_ATOL);
    const force = Math.abs(actual.forces[key] - expected.forces[key]);
    expect(force, `${label}: force ${key}`).toBeLessThan(FORCE_RTOL * expected.forces[key]);
  }
}

const tiny = [
  ...["--dataset", "rmd17/ethanol", "--train-size", "24", "--valid-size", "8"],
  ...["--test-size", "16", "--maxl", "1", "--levels", "1", "--channels", "4"],
  ...["--batch-size", "8", "--epochs", "1", "--dtype", "float32"],
];

describe("covnet on WebGPU", () => {
  if (unavailable !== null) {
    if (process.env.CI) {
      it("has a WebGPU adapter (required because CI is set)", () => {
        throw new Error(`no WebGPU adapter, so covnet cannot run on WebGPU: ${unavailable}`);
      });
    } else {
      // Printed so that a skipped GPU suite is visible in the test log.
      console.warn(`covnet on WebGPU skipped: ${unavailable}`);
      it.skip(`covnet on WebGPU (skipped: ${unavailable})`, () => {});
    }
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "covnet-cli-webgpu-"));

  it("train, eval and predict match the CPU", async () => {
    const gpuRun = join(dir, "gpu");
    const cpuRun = join(dir, "cpu");
    const [gpuTrain, cpuTrain] = await Promise.all([
      runJson(["train", "cormorant", ...tiny, "--backend", "webgpu", "--out", gpuRun]),
      runJson(["train", "cormorant", ...tiny, "--backend", "cpu", "--out", cpuRun]),
    ]);
    expect(gpuTrain.backend).toBe("webgpu");
    expect(gpuTrain.count).toBe(16);
    // Three optimizer steps from the same initial weights stay within float32 tolerance.
    expectMetricsClose(gpuTrain.metrics as Metrics, cpuTrain.metrics as Metrics, "train");

    const evaluate = ["eval", "--checkpoint", gpuRun, "--limit", "16", "--dtype", "float32"];
    const [gpuEval, cpuEval] = await Promise.all([
      runJson([...evaluate, "--backend", "webgpu"]),
      runJson([...evaluate, "--backend", "cpu"]),
    ]);
    expect(gpuEval.backend).toBe("webgpu");
    expect(gpuEval.count).toBe(16);
    expect(cpuEval.count).toBe(16);
    expectMetricsClose(gpuEval.metrics as Metrics, cpuEval.metrics as Metrics, "eval");

    const xyz = join(dir, "water.xyz");
    const frame = "3\nwater\nO 0.0 0.0 0.0\nH 0.757 0.586 0.0\nH -0.757 0.586 0.0\n";
    writeFileSync(xyz, frame + frame.replace("0.586", "0.600"));
    const predict = ["predict", "--checkpoint", gpuRun, "--xyz", xyz, "--dtype", "float32"];
    const [gpuPredict, cpuPredict] = await Promise.all([
      runJson([...predict, "--backend", "webgpu"]),
      runJson([...predict, "--backend", "cpu"]),
    ]);
    type Frames = { frames: { energy: number; forces: number[][] }[] };
    const gpuFrames = (gpuPredict as unknown as Frames).frames;
    const cpuFrames = (cpuPredict as unknown as Frames).frames;
    expect(gpuFrames).toHaveLength(2);
    gpuFrames.forEach((f, k) => {
      const reference = cpuFrames[k] as Frames["frames"][number];
      expect(Math.abs(f.energy - reference.energy), `frame ${k} energy`).toBeLessThan(ENERGY_ATOL);
      const forces = f.forces.flat();
      const expected = reference.forces.flat();
      const scale = Math.max(...expected.map(Math.abs));
      forces.forEach((v, i) => {
        const error = Math.abs(v - (expected[i] as number));
        expect(error, `frame ${k} force ${i}`).toBeLessThan(FORCE_RTOL * scale);
      });
    });
  });

  it("CCN 2D trains and evaluates like the CPU", async () => {
    const ccn = [
      ...["train", "ccn", "--order", "2", "--dataset", "hcep", "--limit", "60", "--levels", "2"],
      ...["--channels", "3", "--epochs", "1", "--batch-size", "16", "--dtype", "float32"],
    ];
    const gpuRun = join(dir, "ccn-gpu");
    const cpuRun = join(dir, "ccn-cpu");
    const [gpuTrain, cpuTrain] = await Promise.all([
      runJson([...ccn, "--backend", "webgpu", "--out", gpuRun]),
      runJson([...ccn, "--backend", "cpu", "--out", cpuRun]),
    ]);
    expect(gpuTrain.backend).toBe("webgpu");
    expect(gpuTrain.count).toBe(6);
    const gpuTrained = gpuTrain.metrics as ErrorMetrics;
    const cpuTrained = cpuTrain.metrics as ErrorMetrics;
    // Three optimizer steps through two sparse levels from the same initial weights.
    expect(Math.abs(gpuTrained.mae - cpuTrained.mae)).toBeLessThan(1e-3 * cpuTrained.mae);

    const evaluate = ["eval", "--checkpoint", gpuRun, "--split", "all", "--dtype", "float32"];
    const [gpuEval, cpuEval] = await Promise.all([
      runJson([...evaluate, "--backend", "webgpu"]),
      runJson([...evaluate, "--backend", "cpu"]),
    ]);
    expect(gpuEval.count).toBe(60);
    const gpu = gpuEval.metrics as ErrorMetrics;
    const cpu = cpuEval.metrics as ErrorMetrics;
    expect(Math.abs(gpu.mae - cpu.mae)).toBeLessThan(1e-4 * cpu.mae);
    expect(Math.abs(gpu.rmse - cpu.rmse)).toBeLessThan(1e-4 * cpu.rmse);
  });
});
