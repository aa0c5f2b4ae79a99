/**
 * Writes `docs/benchmarks-webgpu.md`: a shared introduction, then one section per runtime (Node.js
 * and Chromium). Each runner replaces only its own section, so running one keeps the other's last
 * result. Node.js only.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CORMORANT_FRAMES } from "./cases.js";

/** The runtimes with a section on the page, in page order. */
export type Runtime = "node" | "chromium";

const HEADINGS: Record<Runtime, string> = {
  node: "## Node.js (Dawn)",
  chromium: "## Chromium (SwiftShader)",
};

/** The page, at the repository root. */
export const PAGE_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "docs",
  "benchmarks-webgpu.md",
);

const INTRO = `# WebGPU benchmarks

WebGPU backend against the portable CPU backend, float32, in Node.js and in headless Chromium. The
two runtimes run the same cases (\`packages/backend-webgpu/bench/cases.ts\`). Each time is the
median of the stated number of runs after one warm-up run, and includes reading the result back
to the host (WebGPU kernels only enqueue work). Matrix and CG product inputs are uniform random in
[-1, 1]. The Cormorant rows run the first ${CORMORANT_FRAMES} frames of the embedded rMD17 ethanol set through a
model with random initial weights (seed 1) in float32, and include the upload of the batch.
"Energies + forces" is the forward pass and the backward pass to the positions, which \`covnet
predict\` and \`covnet eval\` run. "Training gradient" also differentiates a loss on energies and
forces with respect to every parameter (a double backward), which each training step runs before
the optimizer update.

On a machine without a GPU both WebGPU adapters are software renderers that run the shaders on
the same CPU cores as the CPU backend, so these numbers measure the WGSL kernels' parallel work on
the CPU, not a GPU. They are a regression baseline for the kernels, not a statement about GPU
speed.
`;

function marker(runtime: Runtime, end: "begin" | "end"): string {
  return `<!-- bench:${runtime}:${end} -->`;
}

function currentSection(page: string, runtime: Runtime): string | undefined {
  const begin = page.indexOf(marker(runtime, "begin"));
  const end = page.indexOf(marker(runtime, "end"));
  if (begin < 0 || end < begin) return undefined;
  return page.slice(begin + marker(runtime, "begin").length, end).trim();
}

/**
 * Replaces the section of `runtime` on the page with `body` (Markdown) and keeps the other
 * section as it stands; a section never written reads "Not run yet".
 */
export function writeSection(runtime: Runtime, body: string): void {
  const page = existsSync(PAGE_PATH) ? readFileSync(PAGE_PATH, "utf8") : "";
  const sections = (["node", "chromium"] as const).map((r) => {
    const text = r === runtime ? body.trim() : (currentSection(page, r) ?? "Not run yet.");
    return `${HEADINGS[r]}\n\n${marker(r, "begin")}\n${text}\n${marker(r, "end")}\n`;
  });
  writeFileSync(PAGE_PATH, [INTRO, ...sections].join("\n"));
}

/** The CPU model as `lscpu` names it, or as Node.js does where `lscpu` is missing. */
export function cpuModel(): string {
  const lscpu = spawnSync("lscpu", [], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
  const line = lscpu.stdout?.split("\n").find((l) => l.startsWith("Model name:"));
  return line?.slice("Model name:".length).trim() || (cpus()[0]?.model ?? "unknown CPU");
}

/** Model, core count and memory of this machine. */
export function machine(): string {
  return `${cpuModel()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
}

/** The 1-minute load average now. */
export function load(): number {
  return loadavg()[0] as number;
}

/** The load line of a section, with a warning when other processes shared the cores. */
export function loadNote(before: number, after: number): { line: string; shared: string } {
  return {
    line: `1-minute load average ${before.toFixed(1)} before the run, ${after.toFixed(1)} after`,
    shared:
      before > cpus().length
        ? "Other processes shared the cores during this run (the load average exceeded the core\ncount), so the times are higher than on an idle machine.\n"
        : "",
  };
}
