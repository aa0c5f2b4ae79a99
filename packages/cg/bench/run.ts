/**
 * Benchmarks of the CG product and the spherical harmonics on the CPU backend.
 *
 * Run with `npm run bench -w packages/cg` (or `npx nx run cg:bench`). Prints a markdown table
 * and writes it to `docs/benchmarks-cg.md` at the repository root. `BENCH_QUICK=1` runs each
 * case once with a smaller batch, as a smoke test.
 */
import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { cpuBackendModule } from "@covnet/backend-cpu";
import {
  createContainer,
  type DType,
  type Engine,
  initEngine,
  Random,
  type Tensor,
  vjp,
} from "@covnet/core";
import { cgProduct } from "../src/cg_product.js";
import { type CGPlan, type CGProductMode, compileCGPlan } from "../src/plan.js";
import { sphericalHarmonics } from "../src/spherical_harmonics.js";

const QUICK = process.env.BENCH_QUICK === "1";
const CG_BATCH = QUICK ? 200 : 10_000;
const SH_COUNT = QUICK ? 2_000 : 100_000;
const MIN_SECONDS = QUICK ? 0 : 1;

async function engineFor(dtype: "float32" | "float64"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat: dtype });
}

function randomTensor(engine: Engine, shape: number[], seed: number, dtype: DType): Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return engine.makeTensor(
    Float64Array.from({ length: n }, () => rng.normal()),
    shape,
    dtype,
  );
}

/**
 * Median seconds per call of `run` after one warm-up call: calls repeat until MIN_SECONDS have
 * passed, at least 3 times unless one call already takes longer than MIN_SECONDS.
 */
function time(engine: Engine, run: () => void): number {
  engine.scope(run);
  const samples: number[] = [];
  const start = performance.now();
  for (;;) {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= MIN_SECONDS && (samples.length >= 3 || elapsed >= 3 * MIN_SECONDS)) break;
    const t0 = performance.now();
    engine.scope(run);
    samples.push((performance.now() - t0) / 1000);
    if (QUICK) break;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

function irrepsUpTo(mul: number, lmax: number): string {
  return Array.from({ length: lmax + 1 }, (_, l) => `${mul}x${l}${l % 2 === 0 ? "e" : "o"}`).join(
    " + ",
  );
}

interface Row {
  readonly name: string;
  readonly dtype: string;
  readonly pass: string;
  readonly seconds: number;
  readonly rate: number;
  readonly unit: string;
}

const CG_MODES: { label: string; mode: CGProductMode; perItem: boolean }[] = [
  { label: "full", mode: "full", perItem: false },
  { label: "weighted (uvw)", mode: "weighted", perItem: false },
  { label: "channel-wise, shared weights", mode: "uvu", perItem: false },
  { label: "channel-wise, per-item weights", mode: "uvu", perItem: true },
];

function cgRows(engine: Engine, dtype: DType): Row[] {
  const rows: Row[] = [];
  for (const l of [2, 3, 4]) {
    const irreps1 = irrepsUpTo(32, l);
    const irreps2 = irrepsUpTo(1, l);
    for (const { label, mode, perItem } of CG_MODES) {
      const plan: CGPlan = compileCGPlan(irreps1, irreps2, {
        mode,
        lmax: l,
        ...(mode === "weighted" ? { outputIrreps: irreps1 } : {}),
      });
      const x1 = randomTensor(engine, [CG_BATCH, plan.dim1], 1, dtype);
      const x2 = randomTensor(engine, [CG_BATCH, plan.dim2], 2, dtype);
      const w =
        plan.weightDim === 0
          ? undefined
          : randomTensor(engine, perItem ? [CG_BATCH, plan.weightDim] : [plan.weightDim], 3, dtype);
      const dy = randomTensor(engine, [CG_BATCH, plan.dimOut], 4, dtype);
      const name = `CG L=${l}, ${label}`;
      const forward = time(engine, () => {
        cgProduct(x1, x2, plan, w);
      });
      rows.push({
        name,
        dtype,
        pass: "forward",
        seconds: forward,
        rate: CG_BATCH / forward,
        unit: "items/s",
      });
      const primals = w === undefined ? [x1, x2] : [x1, x2, w];
      const both = time(engine, () => {
        const r = vjp((a, b, c) => cgProduct(a as Tensor, b as Tensor, plan, c), primals);
        r.vjp(dy);
      });
      rows.push({
        name,
        dtype,
        pass: "forward+backward",
        seconds: both,
        rate: CG_BATCH / both,
        unit: "items/s",
      });
      for (const t of [x1, x2, dy, ...(w === undefined ? [] : [w])]) t.dispose();
    }
  }
  return rows;
}

function shRows(engine: Engine, dtype: DType): Row[] {
  const rows: Row[] = [];
  const vectors = randomTensor(engine, [SH_COUNT, 3], 5, dtype);
  const unit = engine.scope(() =>
    sphericalHarmonics(vectors, 1).engine.keep(normalizeRows(engine, vectors)),
  );
  for (const lmax of [1, 3, 6]) {
    const s = time(engine, () => {
      sphericalHarmonics(unit, lmax, { normalize: false });
    });
    rows.push({
      name: `harmonics l<=${lmax}`,
      dtype,
      pass: "forward",
      seconds: s,
      rate: SH_COUNT / s,
      unit: "vectors/s",
    });
  }
  const dy = randomTensor(engine, [SH_COUNT, 49], 6, dtype);
  const s = time(engine, () => {
    const r = vjp((v) => sphericalHarmonics(v as Tensor, 6, { normalize: false }), [unit]);
    r.vjp(dy);
  });
  rows.push({
    name: "harmonics l<=6",
    dtype,
    pass: "forward+backward",
    seconds: s,
    rate: SH_COUNT / s,
    unit: "vectors/s",
  });
  return rows;
}

function normalizeRows(engine: Engine, x: Tensor): Tensor {
  const v = x.dataSync();
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i += 3) {
    const r = Math.hypot(v[i] as number, v[i + 1] as number, v[i + 2] as number);
    for (let k = 0; k < 3; k++) out[i + k] = (v[i + k] as number) / r;
  }
  return engine.makeTensor(out, x.shape, x.dtype);
}

function cpuModel(): string {
  try {
    const line = execSync("lscpu", { encoding: "utf8" })
      .split("\n")
      .find((l) => l.startsWith("Model name:"));
    if (line !== undefined) return line.replace("Model name:", "").trim();
  } catch {
    // lscpu is missing: fall back to Node's report.
  }
  return cpus()[0]?.model ?? "unknown";
}

function format(rows: readonly Row[]): string {
  const lines = [
    "| case | dtype | pass | time per call | throughput |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const ms = (r.seconds * 1000).toFixed(r.seconds < 0.01 ? 2 : 1);
    const rate =
      r.rate >= 1e6 ? `${(r.rate / 1e6).toFixed(2)} M` : `${(r.rate / 1e3).toFixed(1)} k`;
    lines.push(`| ${r.name} | ${r.dtype} | ${r.pass} | ${ms} ms | ${rate} ${r.unit} |`);
  }
  return lines.join("\n");
}

/**
 * e3nn 0.5.6 on PyTorch 1.13, one thread, float32, on this machine type, for the same shapes and
 * batch: items/s by `L`, case label and pass (vectors/s for the harmonics).
 */
const E3NN_REFERENCE: Record<string, number> = {
  "CG L=2, full|forward": 74e3,
  "CG L=2, full|forward+backward": 23e3,
  "CG L=3, full|forward": 21e3,
  "CG L=3, full|forward+backward": 4.3e3,
  "CG L=4, full|forward": 7.7e3,
  "CG L=4, full|forward+backward": 1.5e3,
  "CG L=2, weighted (uvw)|forward": 156e3,
  "CG L=2, weighted (uvw)|forward+backward": 49e3,
  "CG L=3, weighted (uvw)|forward": 41e3,
  "CG L=3, weighted (uvw)|forward+backward": 10e3,
  "CG L=4, weighted (uvw)|forward": 17e3,
  "CG L=4, weighted (uvw)|forward+backward": 3.4e3,
  "CG L=2, channel-wise, shared weights|forward": 160e3,
  "CG L=2, channel-wise, shared weights|forward+backward": 51e3,
  "CG L=3, channel-wise, shared weights|forward": 55e3,
  "CG L=3, channel-wise, shared weights|forward+backward": 11e3,
  "CG L=4, channel-wise, shared weights|forward": 17e3,
  "CG L=4, channel-wise, shared weights|forward+backward": 3.1e3,
  "CG L=2, channel-wise, per-item weights|forward": 152e3,
  "CG L=2, channel-wise, per-item weights|forward+backward": 36e3,
  "CG L=3, channel-wise, per-item weights|forward": 42e3,
  "CG L=3, channel-wise, per-item weights|forward+backward": 9.7e3,
  "CG L=4, channel-wise, per-item weights|forward": 16e3,
  "CG L=4, channel-wise, per-item weights|forward+backward": 1.9e3,
  "harmonics l<=1|forward": 62e6,
  "harmonics l<=3|forward": 21e6,
  "harmonics l<=6|forward": 4.4e6,
  "harmonics l<=6|forward+backward": 1.3e6,
};

/** The float32 rows beside the e3nn figures, with covnet's throughput as a fraction of e3nn's. */
function formatComparison(rows: readonly Row[]): string {
  const lines = [
    "| case | pass | covnet float32 | e3nn float32 | covnet / e3nn |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const reference = E3NN_REFERENCE[`${r.name}|${r.pass}`];
    if (r.dtype !== "float32" || reference === undefined) continue;
    const rate = (x: number) =>
      x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(1)} k`;
    lines.push(
      `| ${r.name} | ${r.pass} | ${rate(r.rate)} | ${rate(reference)} | ${(r.rate / reference).toFixed(2)} |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const rows: Row[] = [];
  for (const dtype of ["float32", "float64"] as const) {
    const engine = await engineFor(dtype);
    rows.push(...cgRows(engine, dtype), ...shRows(engine, dtype));
  }
  const table = format(rows);
  const model = cpuModel();
  const page = [
    "# CG product and spherical harmonics benchmarks",
    "",
    "Portable TypeScript kernels of `@covnet/backend-cpu` (typed arrays, one thread), driven",
    "through the differentiable operations of `@covnet/cg`. Each time is the median of repeated",
    "calls after a warm-up call, including output allocation; forward+backward is one forward",
    "call and the vector-Jacobian product with respect to every operand.",
    "",
    `CG products: batches of ${CG_BATCH.toLocaleString("en-US")} items, inputs`,
    "`32x0e + 32x1o + ... + 32xL` times `0e + 1o + ... + L`, outputs up to `l = L`; `weighted` maps",
    "back to the first input's irreps; channel-wise is the `uvu` mode (one weight per channel and",
    `path). Harmonics: ${SH_COUNT.toLocaleString("en-US")} unit vectors.`,
    "",
    `Command: \`npm run bench -w packages/cg\`${QUICK ? " with BENCH_QUICK=1" : ""}.`,
    `Machine: ${model} (${cpus().length} logical CPUs), Node.js ${process.version}. One-minute load`,
    `average before and after the run: ${loadBefore.toFixed(1)} and ${(loadavg()[0] ?? 0).toFixed(1)}; a`,
    "load above 1 means other processes shared the CPUs and the times are inflated.",
    "",
    "## Beside e3nn",
    "",
    "e3nn 0.5.6 on PyTorch 1.13 with one thread, measured on this machine type for the same shapes",
    "(items/s; vectors/s for the harmonics). Cormorant's own PyTorch CG product is 11-13 times",
    "slower than e3nn on these shapes.",
    "",
    formatComparison(rows),
    "",
    "## All measurements",
    "",
    table,
    "",
  ].join("\n");
  process.stdout.write(`${page}\n`);
  if (!QUICK) writeFileSync(new URL("../../../docs/benchmarks-cg.md", import.meta.url), page);
}

await main();
