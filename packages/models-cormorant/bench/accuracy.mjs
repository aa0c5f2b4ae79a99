// Accuracy benchmark of Cormorant on rMD17 (1000-frame protocol): trains on at most 1000 frames
// of a molecule's training file, within a wall-clock budget, with energy and force training, then
// evaluates on the molecule's 1000 test frames. Runs the built `covnet` command, one process per
// molecule (they run side by side, one core each), and writes `docs/benchmarks-cormorant.md`.
//
// Usage (from the repository root, after `npx nx run @covnet/cli:build`):
//   node packages/models-cormorant/bench/accuracy.mjs [--minutes 55] [--molecules ethanol,aspirin]
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "55" },
    molecules: { type: "string", default: "ethanol,aspirin" },
    out: { type: "string", default: "runs/accuracy" },
  },
});
const root = new URL("../../..", import.meta.url).pathname;
const bin = join(root, "packages/cli/dist/bin.js");
const minutes = Number(values.minutes);

/** Settings per molecule: aspirin has about five times the edges of ethanol per frame. */
const SETTINGS = {
  ethanol: { epochs: 150, batchSize: 8, maxl: 2, levels: 3, channels: 10 },
  aspirin: { epochs: 40, batchSize: 8, maxl: 2, levels: 3, channels: 10 },
};

function train(molecule) {
  const s = SETTINGS[molecule] ?? SETTINGS.aspirin;
  const out = join(root, values.out, molecule);
  const args = [
    bin,
    "train",
    "cormorant",
    "--dataset",
    `rmd17/${molecule}`,
    "--train-size",
    "950",
    "--valid-size",
    "50",
    "--test-size",
    "0",
    "--epochs",
    String(s.epochs),
    "--batch-size",
    String(s.batchSize),
    "--maxl",
    String(s.maxl),
    "--levels",
    String(s.levels),
    "--channels",
    String(s.channels),
    "--lr",
    "0.005",
    "--force-weight",
    "10",
    "--dtype",
    "float32",
    "--seed",
    "1",
    "--max-minutes",
    String(minutes),
    "--out",
    out,
    "--json",
  ];
  const shown = args.map((a) =>
    a === bin ? "packages/cli/dist/bin.js" : a === out ? relative(root, out) : a,
  );
  const command = `node ${shown.join(" ")}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${molecule}: covnet exited with ${code}`));
      const lines = stdout.trim().split("\n");
      resolve({ molecule, command, out, settings: s, result: JSON.parse(lines[lines.length - 1]) });
    });
  });
}

const molecules = values.molecules.split(",");
const started = new Date();
const runs = await Promise.all(molecules.map(train));
const pretrainedDir = join(root, "packages/models-cormorant/pretrained");
mkdirSync(pretrainedDir, { recursive: true });
mkdirSync(join(root, "docs/figures"), { recursive: true });
for (const r of runs) {
  copyFileSync(join(r.out, "model.json"), join(pretrainedDir, `rmd17-${r.molecule}.json`));
  execFileSync(process.execPath, [
    join(root, "packages/models-cormorant/bench/learning-curve.mjs"),
    join(r.out, "train.jsonl"),
    join(root, `docs/figures/learning-curve-rmd17-${r.molecule}.svg`),
    `Cormorant on rMD17 ${r.molecule}`,
    "kcal/mol",
  ]);
}

const KCAL_TO_MEV = 43.36411531;
const published = {
  ethanol: "NequIP 0.4 meV / 2.8 meV/A; MACE 0.4 meV / 2.1 meV/A",
  aspirin: "NequIP 2.3 meV / 8.2 meV/A; MACE 2.2 meV / 6.6 meV/A",
};
const rows = runs.map(({ molecule, result }) => {
  const e = result.metrics.energy;
  const f = result.metrics.forces;
  return `| ${molecule} | ${result.train.size} | ${result.train.epochs} | ${(result.train.seconds / 60).toFixed(1)} | ${e.mae.toFixed(3)} (${(e.mae * KCAL_TO_MEV).toFixed(1)} meV) | ${f.mae.toFixed(3)} (${(f.mae * KCAL_TO_MEV).toFixed(1)} meV/A) | ${e.rmse.toFixed(3)} | ${f.rmse.toFixed(3)} | ${published[molecule] ?? "-"} |`;
});
const cpu = cpus()[0]?.model ?? "unknown CPU";
const page = `# Cormorant accuracy on rMD17

Measured ${started.toISOString().slice(0, 10)} on ${cpu}, ${cpus().length} cores, one training process per
molecule running side by side (load average at the end: ${loadavg()[0].toFixed(1)}). Float32, CPU backend.
Protocol: train on 950 frames of the rMD17 split-01 training file (50 more for validation and
model selection), evaluate on the 1000 frames of the test file; energies and forces, loss
\`mean(dE^2) / s^2 + 10 mean(dF^2) / s^2\` with \`s\` the RMS training force; AMSGrad, cosine
learning rate from 5e-3; at most ${minutes} minutes of training per molecule.

| molecule | train frames | epochs | minutes | energy MAE kcal/mol | force MAE kcal/mol/A | energy RMSE | force RMSE | published (1000 frames, test MAE) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Older MD17 figures for 1000 training frames (original MD17 labels, ethanol energy MAE): SchNet
0.93 kcal/mol from energies alone and 0.08 kcal/mol from energies and forces; sGDML 0.15 kcal/mol.

Commands (one per molecule):

${runs.map((r) => `\`\`\`sh\n${r.command}\n\`\`\``).join("\n\n")}

or all at once: \`node packages/models-cormorant/bench/accuracy.mjs --minutes ${minutes}\`.

${runs.map((r) => `![learning curve, ${r.molecule}](figures/learning-curve-rmd17-${r.molecule}.svg)`).join("\n\n")}
The trained models are shipped as \`pretrained:rmd17/<molecule>\` in \`@covnet/models-cormorant\`.
`;
writeFileSync(join(root, "docs/benchmarks-cormorant.md"), page);
process.stdout.write(page);
