/**
 * Benchmarks WebGPU against the CPU backend in Node.js, on the cases of `cases.ts`: a large
 * float32 matrix product, a CG product (the `uvu` edge product of a Cormorant-style layer) and
 * whole Cormorant passes on ethanol. Prints a table and writes it, with the command, the adapter,
 * the machine and its load, to the Node.js section of `docs/benchmarks-webgpu.md` at the
 * repository root. `browser.ts` fills the Chromium section.
 *
 * Run with `npm run bench` in this package. Options: `--no-write` prints only; `--quick` runs
 * fewer repeats.
 */
import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, initEngine } from "@covnet/core";
import { loadDataset, makeBatch } from "@covnet/datasets";
import { type WebGPUBackend, webgpuBackendModule } from "../src/index.js";
import { CORMORANT_FRAMES, formatTable, runCases } from "./cases.js";
import { load, loadNote, machine, writeSection } from "./page.js";

const args = new Set(process.argv.slice(2));
const repeats = args.has("--quick") ? 2 : 5;

async function engineOn(backend: "cpu" | "webgpu"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(backend === "cpu" ? cpuBackendModule() : webgpuBackendModule());
  return initEngine(container, { backend, defaultFloat: "float32" });
}

// Load from other processes slows both backends, so the page records it.
const loadBefore = load();
const cpu = await engineOn("cpu");
const gpu = await engineOn("webgpu");
const adapter = (gpu.backend as WebGPUBackend).adapterName;
const ethanol = await loadDataset("rmd17/ethanol");
const batch = makeBatch(
  ethanol,
  Array.from({ length: CORMORANT_FRAMES }, (_, i) => i),
  { cutoff: 5 },
);
const rows = await runCases(cpu, gpu, batch, repeats);
gpu.backend.dispose();

const table = formatTable(rows);
const host = `${machine()}, Node ${process.version}`;
const { line, shared } = loadNote(loadBefore, load());
process.stdout.write(`adapter: ${adapter}\nmachine: ${host}\nload: ${line}\n\n${table}\n`);

if (!args.has("--no-write")) {
  writeSection(
    "node",
    `${shared}
- Command: \`npm run bench -w @covnet/backend-webgpu\` (runs \`packages/backend-webgpu/bench/run.ts\`)
- Machine: ${host}; ${line}
- WebGPU adapter: ${adapter} (the \`webgpu\` package 0.6.2, Dawn)
- Runs: median of ${repeats} after one warm-up run
- Date: ${new Date().toISOString().slice(0, 10)}

${table}

Without a GPU, Dawn in Node.js falls back to Mesa's llvmpipe through OpenGL ES.
`,
  );
}
