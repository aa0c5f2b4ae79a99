/**
 * Benchmarks WebGPU against the CPU backend on a large float32 matrix product, a CG product (the
 * `uvu` edge product of a Cormorant-style layer) and whole Cormorant passes on ethanol. The
 * Cormorant passes compute energies and forces, and the parameter gradient of a training loss on
 * both. Each timing includes reading the result back, since GPU kernels only enqueue work.
 * Prints a table and writes it, with the command, the adapter, the machine and its load, to
 * `docs/benchmarks-webgpu.md` at the repository root.
 *
 * Run with `npm run bench` in this package. Options: `--no-write` prints only; `--quick` runs
 * fewer repeats.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuBackendModule } from "@covnet/backend-cpu";
import {
  add,
  type CGPathData,
  type CGPlanData,
  createContainer,
  type Engine,
  initEngine,
  matmul,
  mean,
  Random,
  square,
  sub,
  type Tensor,
  valueAndGrads,
} from "@covnet/core";
import { type GraphBatch, loadDataset, makeBatch } from "@covnet/datasets";
import { Cormorant, toAtomsInput } from "@covnet/models-cormorant";
import { type WebGPUBackend, webgpuBackendModule } from "../src/index.js";

const args = new Set(process.argv.slice(2));
const repeats = args.has("--quick") ? 2 : 5;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds a `uvu` plan coupling node features `tau x (0 + 1 + 2)` with edge harmonics `1 x (0 + 1 + 2)`
 * into every `l <= 2`. Coefficients are random with the selection-rule sparsity of real CG
 * coefficients (`m` fixed by `m1`, `m2` up to two choices), which is what sets the work.
 */
function edgePlan(tau: number): CGPlanData {
  const next = random(1);
  const paths: CGPathData[] = [];
  const m1: number[] = [];
  const m2: number[] = [];
  const m: number[] = [];
  const coefficients: number[] = [];
  const couplings: [number, number, number][] = [];
  for (let l1 = 0; l1 <= 2; l1++) {
    for (let l2 = 0; l2 <= 2; l2++) {
      for (let l = Math.abs(l1 - l2); l <= Math.min(l1 + l2, 2); l++) couplings.push([l1, l2, l]);
    }
  }
  const pathsPerL = [0, 0, 0];
  for (const [, , l] of couplings) pathsPerL[l] = (pathsPerL[l] as number) + 1;
  const outOffsets = [0, pathsPerL[0]! * tau, pathsPerL[0]! * tau + 3 * pathsPerL[1]! * tau];
  const used = [0, 0, 0];
  let weightDim = 0;
  for (const [l1, l2, l] of couplings) {
    const start = coefficients.length;
    for (let a = 0; a <= 2 * l1; a++) {
      for (let b = 0; b <= 2 * l2; b++) {
        for (let c = 0; c <= 2 * l; c++) {
          const ma = Math.abs(a - l1);
          const mb = Math.abs(b - l2);
          const mc = Math.abs(c - l);
          if (mc !== ma + mb && mc !== Math.abs(ma - mb)) continue;
          m1.push(a);
          m2.push(b);
          m.push(c);
          coefficients.push(next() * 2 - 1);
        }
      }
    }
    paths.push({
      l1,
      l2,
      l,
      offset1: l1 * l1 * tau,
      tau1: tau,
      offset2: l2 * l2,
      tau2: 1,
      offsetOut: outOffsets[l] as number,
      tauOut: (pathsPerL[l] as number) * tau,
      channelOffsetOut: used[l] as number,
      weightOffset: weightDim,
      coefficientStart: start,
      coefficientCount: coefficients.length - start,
      pathWeight: 1,
    });
    used[l] = (used[l] as number) + tau;
    weightDim += tau;
  }
  return {
    key: `bench:uvu:${tau}`,
    mode: "uvu",
    dim1: 9 * tau,
    dim2: 9,
    dimOut: (pathsPerL[0]! + 3 * pathsPerL[1]! + 5 * pathsPerL[2]!) * tau,
    weightDim,
    paths,
    m1: Int32Array.from(m1),
    m2: Int32Array.from(m2),
    m: Int32Array.from(m),
    coefficients: Float64Array.from(coefficients),
  };
}

function filled(engine: Engine, shape: number[], seed: number): Tensor {
  const next = random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return engine.makeTensor(
    Float32Array.from({ length: size }, () => next() * 2 - 1),
    shape,
    "float32",
  );
}

/** Median milliseconds of `run` (which must include the read-back), after one warm-up call. */
async function time(run: () => Promise<void>): Promise<number> {
  await run();
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

async function benchMatmul(engine: Engine, n: number): Promise<number> {
  const a = filled(engine, [n, n], 1);
  const b = filled(engine, [n, n], 2);
  const ms = await time(async () => {
    const c = matmul(a, b);
    await c.data();
    c.dispose();
  });
  a.dispose();
  b.dispose();
  return ms;
}

async function benchCG(engine: Engine, plan: CGPlanData, batch: number): Promise<number> {
  const x1 = filled(engine, [batch, plan.dim1], 3);
  const x2 = filled(engine, [batch, plan.dim2], 4);
  const w = filled(engine, [batch, plan.weightDim], 5);
  const placeholder = engine.makeTensor(new Float32Array(0), [0], "float32");
  const attrs = { plan, target: "out" as const, batch, perItemWeights: true };
  const ms = await time(async () => {
    const out = engine.runKernel("CGProduct", [x1, x2, w, placeholder], attrs);
    await out.data();
    out.dispose();
  });
  for (const t of [x1, x2, w, placeholder]) t.dispose();
  return ms;
}

/** Cormorant settings of the benchmark: the defaults of `covnet train cormorant`. */
const CORMORANT = { maxl: 2, levels: 3, channels: 8 } as const;
const CORMORANT_FRAMES = 8;

/**
 * Times Cormorant on one batch of ethanol frames. Mode `forces` runs the forward pass and the
 * backward pass to the positions (energies and forces `-dE/dx`). Mode `training` also
 * differentiates a loss on energies and forces with respect to every parameter (a double
 * backward). The upload of the batch is part of each run.
 */
async function benchCormorant(
  engine: Engine,
  batch: GraphBatch,
  mode: "forces" | "training",
): Promise<number> {
  const model = new Cormorant(engine, CORMORANT, new Random(1), "float32");
  const options = {
    species: model.config.species,
    chargePower: model.config.chargePower,
    dtype: "float32" as const,
  };
  const parameters = [...model.parameters().values()].map((p) => p.value);
  const ms = await time(async () => {
    const outputs = engine.scope(() => {
      const input = toAtomsInput(engine, batch, options);
      if (mode === "forces") {
        const { energies, forces } = model.energiesAndForces(input);
        return [energies, forces];
      }
      const { grads } = valueAndGrads(() => {
        const { energies, forces } = model.energiesAndForces(input);
        const energyRef = engine.makeTensor(
          batch.energies as Float64Array,
          [batch.numMolecules],
          "float32",
        );
        const forceRef = engine.makeTensor(
          batch.forces as Float64Array,
          [batch.numAtoms, 3],
          "float32",
        );
        return add(mean(square(sub(energies, energyRef))), mean(square(sub(forces, forceRef))));
      }, parameters);
      return grads;
    });
    // The queue runs in order, so the last output's read waits for every earlier kernel.
    await (outputs[outputs.length - 1] as Tensor).data();
    for (const t of outputs) t.dispose();
  });
  model.dispose();
  return ms;
}

async function engineOn(backend: "cpu" | "webgpu"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(backend === "cpu" ? cpuBackendModule() : webgpuBackendModule());
  return initEngine(container, { backend, defaultFloat: "float32" });
}

// Load from other processes slows both backends, so the page records it.
const loadBefore = loadavg()[0] as number;
const cpu = await engineOn("cpu");
const gpu = await engineOn("webgpu");
const adapter = (gpu.backend as WebGPUBackend).adapterName;
const plan = edgePlan(16);
const rows: [string, number, number][] = [];
for (const n of [256, 512]) {
  rows.push([`matmul ${n}x${n} @ ${n}x${n}`, await benchMatmul(cpu, n), await benchMatmul(gpu, n)]);
}
for (const batch of [1000, 4000]) {
  const label = `CGProduct uvu 16x(0+1+2) (x) 1x(0+1+2), ${plan.paths.length} paths, batch ${batch}`;
  rows.push([label, await benchCG(cpu, plan, batch), await benchCG(gpu, plan, batch)]);
}
const ethanol = await loadDataset("rmd17/ethanol");
const batch = makeBatch(
  ethanol,
  Array.from({ length: CORMORANT_FRAMES }, (_, i) => i),
  { cutoff: 5 },
);
const setting = `${CORMORANT_FRAMES} ethanol frames, maxl ${CORMORANT.maxl}, ${CORMORANT.levels} levels, ${CORMORANT.channels} channels`;
rows.push([
  `Cormorant energies + forces, ${setting}`,
  await benchCormorant(cpu, batch, "forces"),
  await benchCormorant(gpu, batch, "forces"),
]);
rows.push([
  `Cormorant training gradient (energy + force loss), ${setting}`,
  await benchCormorant(cpu, batch, "training"),
  await benchCormorant(gpu, batch, "training"),
]);
gpu.backend.dispose();

const table = [
  "| workload | CPU (ms) | WebGPU (ms) | CPU / WebGPU |",
  "| --- | ---: | ---: | ---: |",
  ...rows.map(
    ([name, c, g]) => `| ${name} | ${c.toFixed(2)} | ${g.toFixed(2)} | ${(c / g).toFixed(2)} |`,
  ),
].join("\n");
const cpuModel = cpus()[0]?.model ?? "unknown CPU";
const machine = `${cpuModel}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const shared =
  loadBefore > cpus().length
    ? "\nOther processes shared the cores during this run (the load average exceeded the core count), so\nthe times are higher than on an idle machine.\n"
    : "";
const load = `1-minute load average ${loadBefore.toFixed(1)} before the run, ${(loadavg()[0] as number).toFixed(1)} after`;
process.stdout.write(`adapter: ${adapter}\nmachine: ${machine}\nload: ${load}\n\n${table}\n`);

if (!args.has("--no-write")) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
  const page = `# WebGPU benchmarks

WebGPU backend against the portable CPU backend, float32. Each time is the median of ${repeats}
runs after one warm-up run, and includes reading the result back to the host (WebGPU kernels
only enqueue work). Matrix and CG product inputs are uniform random in [-1, 1]. The Cormorant
rows run the first ${CORMORANT_FRAMES} frames of the embedded rMD17 ethanol set through a model with random
initial weights (seed 1) in float32, and include the upload of the batch. "Energies + forces" is the
forward pass and the backward pass to the positions, which \`covnet predict\` and \`covnet eval\`
run. "Training gradient" also differentiates a loss on energies and forces with respect to every
parameter (a double backward), which each training step runs before the optimizer update.
${shared}
- Command: \`npm run bench -w @covnet/backend-webgpu\` (runs \`packages/backend-webgpu/bench/run.ts\`)
- Machine: ${machine}; ${load}
- WebGPU adapter: ${adapter} (the \`webgpu\` package ${"0.6.2"}, Dawn)
- Date: ${new Date().toISOString().slice(0, 10)}

${table}

On a machine without a GPU the adapter is Mesa's llvmpipe, a software rasteriser that runs the
shaders on the same CPU cores, so these numbers measure the WGSL kernels' parallel work on the
CPU through OpenGL ES, not a GPU. They are a regression baseline for the kernels, not a
statement about GPU speed.
`;
  writeFileSync(join(root, "docs", "benchmarks-webgpu.md"), page);
}
