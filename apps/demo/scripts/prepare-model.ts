/**
 * Writes `public/model.json`, the model the demo page loads by default, with `covnet export`.
 *
 * The checkpoint is the first of these that exists:
 *
 * - the `COVNET_DEMO_CHECKPOINT` environment variable: a training output folder, a model.json
 *   file or `pretrained:NAME`;
 * - the shipped `pretrained:rmd17/ethanol`, when the models package has it;
 * - a small model trained here on rMD17 ethanol (about 25 s on two cores), kept in `.cache/` for
 *   later builds.
 *
 * Ten test-split frames of the model's dataset go into the file as reference frames.
 *
 * Usage: `tsx --conditions=covnet-source scripts/prepare-model.ts [--force] [--out PATH]`.
 * Without `--force`, an existing output newer than its checkpoint is kept. `--out` writes
 * somewhere else than `public/model.json`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveModelPath } from "@covnet/models-cormorant";

const appRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const trainDir = join(appRoot, ".cache", "cormorant-rmd17-ethanol");
const cliBin = join(
  dirname(createRequire(import.meta.url).resolve("@covnet/cli/package.json")),
  "src",
  "bin.ts",
);

/** Settings of the fallback training run: small enough for a build step, trained on forces. */
const TRAIN_ARGS = [
  ...[
    "--dataset",
    "rmd17/ethanol",
    "--train-size",
    "300",
    "--valid-size",
    "30",
    "--test-size",
    "50",
  ],
  ...["--epochs", "6", "--batch-size", "16", "--maxl", "1", "--levels", "2", "--channels", "8"],
  ...["--max-minutes", "2", "--seed", "1"],
];

function covnet(args: readonly string[]): void {
  process.stdout.write(`prepare-model: covnet ${args.join(" ")}\n`);
  const result = spawnSync(
    process.execPath,
    ["--conditions=covnet-source", "--import", "tsx", cliBin, ...args],
    {
      stdio: "inherit",
      env: { ...process.env, COVNET_LOG_LEVEL: process.env.COVNET_LOG_LEVEL ?? "warn" },
    },
  );
  if (result.status !== 0) {
    throw new Error(`covnet ${args[0]} failed with exit code ${result.status ?? result.signal}`);
  }
}

function pretrainedEthanol(): string | null {
  try {
    resolveModelPath("pretrained:rmd17/ethanol");
    return "pretrained:rmd17/ethanol";
  } catch {
    return null;
  }
}

/** Frames of the test split for rMD17 (frames 1000-1999), the first frames otherwise. */
function frameSelection(datasetId: string): string | null {
  if (datasetId.startsWith("rmd17/")) return `${datasetId}:1000-1009`;
  if (datasetId.startsWith("md17/")) return `${datasetId}:0-9`;
  return null;
}

/**
 * Trains the fallback model unless `.cache/` has it. The run writes to a folder of its own and
 * is renamed into place, so two builds at once cannot mix their files.
 */
function trainedModel(): string {
  if (existsSync(join(trainDir, "model.json"))) return trainDir;
  const scratch = `${trainDir}.tmp-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  covnet(["train", "cormorant", ...TRAIN_ARGS, "--out", scratch]);
  try {
    renameSync(scratch, trainDir);
  } catch (error) {
    // Another build finished the same run first, so keep its copy.
    if (!existsSync(join(trainDir, "model.json"))) throw error;
    rmSync(scratch, { recursive: true, force: true });
  }
  return trainDir;
}

function main(): void {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const outIndex = args.indexOf("--out");
  const out = outIndex >= 0 ? (args[outIndex + 1] ?? "") : join(appRoot, "public", "model.json");
  if (out === "") throw new Error("--out requires a file path");
  const checkpoint = process.env.COVNET_DEMO_CHECKPOINT ?? pretrainedEthanol() ?? trainedModel();
  const modelPath = resolveModelPath(checkpoint);
  if (!force && existsSync(out) && statSync(out).mtimeMs >= statSync(modelPath).mtimeMs) {
    process.stdout.write(`prepare-model: ${out} is up to date with ${modelPath}\n`);
    return;
  }
  const saved = JSON.parse(readFileSync(modelPath, "utf8")) as { dataset?: { id?: string } };
  const frames = frameSelection(saved.dataset?.id ?? "");
  covnet([
    "export",
    "--checkpoint",
    checkpoint,
    "--out",
    out,
    ...(frames === null ? [] : ["--frames", frames]),
  ]);
}

main();
