/**
 * Benchmarks of the portable CPU kernels: matmul, elementwise add, segment sum and the reverse pass
 * of a small MLP, in float32 and float64. Prints a table and writes it, with the command and the
 * machine, to `docs/benchmarks.md` at the repository root.
 *
 * Run with `npm run bench` (root or this package); core must be built first, which nx does.
 * Options: `--no-write` prints only; `--quick` runs fewer repeats.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import {
  add,
  createContainer,
  type Engine,
  type FloatDType,
  initEngine,
  matmul,
  randomNormal,
  segmentSum,
  square,
  sum,
  type Tensor,
  tanh,
  tensor,
  valueAndGrads,
} from "@covnet/core";
import { cpuBackendModule } from "../src/index.js";

/** Single-core float32 FMA peak of the reference machine, GFLOP/s. */
const PEAK_GFLOPS = 117;

const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");

interface Row {
  readonly kernel: string;
  readonly dtype: FloatDType;
  readonly size: string;
  readonly ms: number;
  readonly gflops: number;
  readonly gbps: number | null;
}

/** Median wall time of `fn` in milliseconds, after warm-up calls that let the JIT settle. */
function time(fn: () => void, minMs: number): number {
  const warmStart = performance.now();
  for (let i = 0; i < 3 || performance.now() - warmStart < minMs / 4; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || (performance.now() - start < minMs && samples.length < 50)) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

function bytesOf(dtype: FloatDType): number {
  return dtype === "float64" ? 8 : 4;
}

function benchMatmul(engine: Engine, dtype: FloatDType, n: number): Row {
  const a = randomNormal(engine, [n, n], { seed: 1, dtype });
  const b = randomNormal(engine, [n, n], { seed: 2, dtype });
  const ms = time(() => matmul(a, b).dispose(), quick ? 200 : 1500);
  a.dispose();
  b.dispose();
  const flops = 2 * n * n * n;
  return {
    kernel: "matmul",
    dtype,
    size: `${n}x${n}x${n}`,
    ms,
    gflops: flops / ms / 1e6,
    gbps: null,
  };
}

function benchAdd(engine: Engine, dtype: FloatDType, n: number): Row {
  const a = randomNormal(engine, [n], { seed: 3, dtype });
  const b = randomNormal(engine, [n], { seed: 4, dtype });
  const ms = time(() => add(a, b).dispose(), quick ? 200 : 1000);
  a.dispose();
  b.dispose();
  return {
    kernel: "add",
    dtype,
    size: `${n}`,
    ms,
    gflops: n / ms / 1e6,
    gbps: (3 * n * bytesOf(dtype)) / ms / 1e6,
  };
}

function benchSegmentSum(
  engine: Engine,
  dtype: FloatDType,
  rows: number,
  width: number,
  segments: number,
): Row {
  const x = randomNormal(engine, [rows, width], { seed: 5, dtype });
  const idValues = new Int32Array(rows);
  for (let i = 0; i < rows; i++) idValues[i] = Math.floor((i * 7919) % segments);
  const ids = tensor(engine, idValues, [rows], "int32");
  const ms = time(() => segmentSum(x, ids, segments).dispose(), quick ? 200 : 1500);
  x.dispose();
  ids.dispose();
  const bytes = rows * width * bytesOf(dtype) + rows * 4 + segments * width * bytesOf(dtype);
  return {
    kernel: "segmentSum",
    dtype,
    size: `${rows}x${width} -> ${segments}`,
    ms,
    gflops: (rows * width) / ms / 1e6,
    gbps: bytes / ms / 1e6,
  };
}

function benchMlp(engine: Engine, dtype: FloatDType, batch: number, width: number): Row {
  const x = randomNormal(engine, [batch, width], { seed: 6, dtype });
  const ws = [7, 8, 9].map((seed) =>
    randomNormal(engine, [width, width], { seed, dtype, std: 1 / Math.sqrt(width) }),
  );
  const loss = () => {
    let h: Tensor = x;
    for (const w of ws) h = tanh(matmul(h, w));
    return sum(square(h));
  };
  const ms = time(
    () => {
      const { value, grads } = valueAndGrads(loss, ws);
      value.dispose();
      for (const g of grads) g.dispose();
    },
    quick ? 300 : 2000,
  );
  x.dispose();
  for (const w of ws) w.dispose();
  // Forward: one product per layer; backward: two (input and weight gradients), less the unused
  // input gradient of the first layer.
  const products = 3 + 3 + 2;
  const flops = products * 2 * batch * width * width;
  return {
    kernel: "MLP reverse pass (3 layers)",
    dtype,
    size: `batch ${batch}, width ${width}`,
    ms,
    gflops: flops / ms / 1e6,
    gbps: null,
  };
}

function machine(): string {
  let model = cpus()[0]?.model ?? "unknown";
  let cores = String(cpus().length);
  try {
    const text = execFileSync("lscpu", { encoding: "utf8" });
    model = /^Model name:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? model;
    cores = /^CPU\(s\):\s*(.+)$/m.exec(text)?.[1]?.trim() ?? cores;
  } catch {
    // lscpu is missing outside Linux; os.cpus() is the fallback.
  }
  const load = loadavg()[0]?.toFixed(2) ?? "unknown";
  return `${model}, ${cores} cores (lscpu), Node ${process.version}, single thread, 1-minute load average ${load} at the start`;
}

function format(rows: readonly Row[]): string {
  const header = "| kernel | dtype | size | time (ms) | GFLOP/s | GB/s | fraction of peak |";
  const rule = "| --- | --- | --- | ---: | ---: | ---: | ---: |";
  const lines = rows.map((r) => {
    const fraction = `${((100 * r.gflops) / PEAK_GFLOPS).toFixed(2)} %`;
    const gbps = r.gbps === null ? "-" : r.gbps.toFixed(2);
    return `| ${r.kernel} | ${r.dtype} | ${r.size} | ${r.ms.toFixed(2)} | ${r.gflops.toFixed(2)} | ${gbps} | ${fraction} |`;
  });
  return [header, rule, ...lines].join("\n");
}

function repositoryRoot(): string | null {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(join(dir, "nx.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

async function main(): Promise<void> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  const engine = await initEngine(container, { backend: "cpu" });
  const rows: Row[] = [];
  const sizes = quick ? [256, 512] : [256, 512, 1024];
  for (const dtype of ["float32", "float64"] as const) {
    for (const n of sizes) {
      rows.push(benchMatmul(engine, dtype, n));
      process.stdout.write(`${format(rows.slice(-1)).split("\n")[2]}\n`);
    }
    const more = [
      () => benchAdd(engine, dtype, 1 << 20),
      () => benchSegmentSum(engine, dtype, 1 << 20, 16, 10_000),
      () => benchMlp(engine, dtype, 256, 256),
    ];
    for (const run of more) {
      rows.push(run());
      process.stdout.write(`${format(rows.slice(-1)).split("\n")[2]}\n`);
    }
  }
  const table = format(rows);
  const description = machine();
  const busy = (loadavg()[0] ?? 0) > cpus().length / 2;
  process.stdout.write(`\n${description}\n\n${table}\n`);
  if (args.has("--no-write")) return;
  const root = repositoryRoot();
  if (root === null) return;
  const page = [
    "# CPU backend benchmarks",
    "",
    "Portable TypeScript kernels of `@covnet/backend-cpu` (typed arrays, one thread, no SIMD).",
    "Times are medians of repeated calls after a warm-up, including output allocation. Other",
    "processes on the machine can slow single runs; the load average below shows how busy it was.",
    `Fraction of peak is GFLOP/s over the ${PEAK_GFLOPS} GFLOP/s single-core float32 FMA peak of`,
    "the machine below, for every dtype. For memory-bound kernels (add, segment sum) GFLOP/s",
    "counts one addition per element and GB/s counts bytes read and written once.",
    "",
    `Command: \`npm run bench\` (root; runs \`nx run-many -t bench\`), or \`npm run bench\` in`,
    "`packages/backend-cpu`.",
    "",
    `Machine: ${description}.`,
    "",
    ...(busy
      ? [
          "NOTE: the load average was above half the core count when these numbers were taken, so",
          "other processes shared the cores and the figures understate the kernels. Rerun on an",
          "idle machine for a clean record.",
          "",
        ]
      : []),
    `Recorded: ${new Date().toISOString().slice(0, 10)}.`,
    "",
    table,
    "",
  ].join("\n");
  mkdirSync(join(root, "docs"), { recursive: true });
  writeFileSync(join(root, "docs", "benchmarks.md"), page);
  process.stdout.write(`\nwrote ${join(root, "docs", "benchmarks.md")}\n`);
}

await main();
