import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const bin = new URL("../src/bin.ts", import.meta.url).pathname;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function start(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ["--conditions=covnet-source", "--import", "tsx", bin, ...args], {
    env: { ...process.env, COVNET_LOG_LEVEL: "warn", NO_COLOR: "1" },
  });
}

function run(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = start(args);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += d;
    });
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
}

const tiny = [
  "--train-size",
  "24",
  "--valid-size",
  "8",
  "--test-size",
  "16",
  "--maxl",
  "1",
  "--levels",
  "1",
  "--channels",
  "4",
  "--batch-size",
  "8",
];

describe("covnet command", () => {
  const dir = mkdtempSync(join(tmpdir(), "covnet-cli-"));
  const out = join(dir, "run");

  it("train cormorant --json reports test metrics", async () => {
    const r = await run([
      "train",
      "cormorant",
      "--dataset",
      "rmd17/ethanol",
      ...tiny,
      "--epochs",
      "1",
      "--out",
      out,
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout) as {
      metrics: {
        energy: { mae: number; rmse: number; unit: string };
        forces: { mae: number; unit: string };
      };
      count: number;
    };
    expect(result.count).toBe(16);
    expect(result.metrics.energy.unit).toBe("kcal/mol");
    expect(result.metrics.forces.unit).toBe("kcal/mol/A");
    expect(result.metrics.energy.rmse).toBeGreaterThanOrEqual(result.metrics.energy.mae);
    expect(Number.isFinite(result.metrics.forces.mae)).toBe(true);
    expect(existsSync(join(out, "model.json"))).toBe(true);
    expect(existsSync(join(out, "latest.json"))).toBe(true);
  });

  it("eval reproduces the training run's test metrics", async () => {
    const trained = JSON.parse(readFileSync(join(out, "model.json"), "utf8")) as {
      dataset: { id: string };
    };
    expect(trained.dataset.id).toBe("rmd17/ethanol");
    const r = await run([
      "eval",
      "--checkpoint",
      out,
      "--limit",
      "5",
      "--dtype",
      "float32",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout) as { count: number; metrics: { energy: { mae: number } } };
    expect(result.count).toBe(5);
    expect(result.metrics.energy.mae).toBeGreaterThan(0);
  });

  it("resume continues a finished run", async () => {
    const r = await run([
      "train",
      "cormorant",
      "--dataset",
      "rmd17/ethanol",
      ...tiny,
      "--epochs",
      "2",
      "--out",
      out,
      "--resume",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const log = readFileSync(join(out, "train.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; epoch?: number });
    expect(log.some((e) => e.type === "resume")).toBe(true);
    expect(
      (lastJson(r.stdout) as { train: { epochs: number; resumed: boolean } }).train,
    ).toMatchObject({ epochs: 2, resumed: true });
  });

  it("predict reads every frame of an xyz file", async () => {
    const xyz = join(dir, "water.xyz");
    const frame = "3\nwater\nO 0.0 0.0 0.0\nH 0.757 0.586 0.0\nH -0.757 0.586 0.0\n";
    writeFileSync(xyz, frame + frame.replace("0.586", "0.600"));
    const r = await run(["predict", "--checkpoint", out, "--xyz", xyz, "--json"]);
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout) as { frames: { energy: number; forces: number[][] }[] };
    expect(result.frames).toHaveLength(2);
    expect(result.frames[0]?.forces).toHaveLength(3);
    const sum = [0, 1, 2].map((k) =>
      result.frames[0]!.forces.reduce((s, f) => s + (f[k] as number), 0),
    );
    for (const s of sum) expect(Math.abs(s)).toBeLessThan(1e-8);
  });

  it("train ccn reports test MAE on HCEP", async () => {
    const trainCcn = [
      ...["train", "ccn", "--order", "1", "--dataset", "hcep", "--limit", "60"],
      ...["--epochs", "1", "--out", join(dir, "ccn"), "--json"],
    ];
    const r = await run(trainCcn);
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout) as {
      count: number;
      unit: string;
      metrics: { mae: number; rmse: number };
    };
    expect(result.count).toBe(6);
    expect(result.unit).toBe("percent");
    expect(result.metrics.rmse).toBeGreaterThanOrEqual(result.metrics.mae);
    expect(Number.isFinite(result.metrics.mae)).toBe(true);

    // eval reads model.json, rebuilds the seeded split and scores the same test molecules.
    const evaluated = await run([
      "eval",
      "--checkpoint",
      join(dir, "ccn"),
      "--dtype",
      "float32",
      "--json",
    ]);
    expect(evaluated.code).toBe(0);
    const again = lastJson(evaluated.stdout) as {
      command: string;
      model: string;
      count: number;
      split: string;
      unit: string;
      metrics: { mae: number; rmse: number };
    };
    expect(again.command).toBe("eval");
    expect(again.model).toBe("ccn");
    expect(again.split).toBe("test");
    expect(again.count).toBe(6);
    expect(again.unit).toBe("percent");
    expect(again.metrics.mae).toBeCloseTo(result.metrics.mae, 5);
    expect(again.metrics.rmse).toBeCloseTo(result.metrics.rmse, 5);

    const resumed = await run([...trainCcn, "--resume"]);
    expect(resumed.code).toBe(0);
    const continued = lastJson(resumed.stdout) as {
      train: { resumed: boolean; epochs: number };
      metrics: { mae: number };
    };
    expect(continued.train.resumed).toBe(true);
    expect(continued.train.epochs).toBe(1);
    expect(continued.metrics.mae).toBeCloseTo(result.metrics.mae, 5);

    const training = await run(["eval", "--checkpoint", join(dir, "ccn"), "--split", "train"]);
    expect(training.code).toBe(0);
    expect(training.stdout).toMatch(/CCN 1D, hcep, train split, 48 molecules/);

    writeFileSync(join(dir, "not-a-model.json"), '{"format":"covnet-ccn-model","config":{}}\n');
    const broken = await run(["eval", "--checkpoint", join(dir, "not-a-model.json")]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/not-a-model\.json/);
  });

  it("train ccn --workers matches training on the main thread", async () => {
    const common = [
      ...["train", "ccn", "--order", "2", "--dataset", "hcep", "--limit", "40", "--levels", "1"],
      ...["--epochs", "1", "--batch-size", "8", "--dtype", "float64", "--json"],
    ];
    const local = await run([...common, "--out", join(dir, "ccn-local")]);
    const parallel = await run([...common, "--workers", "2", "--out", join(dir, "ccn-workers")]);
    expect(local.code).toBe(0);
    expect(parallel.code).toBe(0);
    type Result = { metrics: { mae: number; rmse: number }; train: { workers: number } };
    const a = lastJson(local.stdout) as Result;
    const b = lastJson(parallel.stdout) as Result;
    expect(b.train.workers).toBe(2);
    expect(Math.abs(a.metrics.mae - b.metrics.mae)).toBeLessThan(1e-9);
    expect(Math.abs(a.metrics.rmse - b.metrics.rmse)).toBeLessThan(1e-9);
    const negative = await run([...common, "--workers", "-1", "--out", join(dir, "ccn-bad")]);
    expect(negative.code).toBe(1);
    expect(negative.stderr).toMatch(/--workers must be 0 or more, got -1/);
  });

  it("unknown dataset is one error line", async () => {
    const r = await run([
      "train",
      "cormorant",
      "--dataset",
      "rmd17/nothing",
      ...tiny,
      "--out",
      join(dir, "bad"),
    ]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^covnet: error: .*rmd17\/nothing/);
  });

  it("pretrained ethanol model is accurate", async () => {
    const r = await run([
      "eval",
      "--checkpoint",
      "pretrained:rmd17/ethanol",
      "--limit",
      "40",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout) as {
      count: number;
      metrics: { energy: { mae: number }; forces: { mae: number } };
    };
    expect(result.count).toBe(40);
    // The shipped model reaches 0.16 kcal/mol and 0.58 kcal/mol/A on the whole test file.
    expect(result.metrics.energy.mae).toBeLessThan(0.5);
    expect(result.metrics.forces.mae).toBeLessThan(1.5);
  });

  it("missing checkpoint names the path", async () => {
    const r = await run(["eval", "--checkpoint", join(dir, "missing")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no saved model at "${join(dir, "missing")}"`);
  });

  it("invalid option value fails", async () => {
    const r = await run(["train", "cormorant", "--epochs", "many"]);
    expect(r.code).toBe(1);
  });
});
