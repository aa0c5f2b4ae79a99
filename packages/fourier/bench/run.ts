/**
 * Benchmark of the fast S_n Fourier transform (Clausen) against direct summation, n = 5..9.
 *
 * Run with `npm run bench -w packages/fourier` (or `npx nx run fourier:bench`). Prints a markdown
 * table and writes it to `docs/benchmarks-fourier.md` at the repository root. Direct summation
 * costs `O(n!^2)` and takes about 40 s at n = 8 on one core, so by default it runs for
 * n <= 8 and the n = 9 time is extrapolated from the fitted exponent; `BENCH_NAIVE_MAX=9`
 * measures it too (expect about an hour). `BENCH_QUICK=1` runs n = 5..7 only, as a smoke test.
 */
import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { Random } from "@covnet/core";
import {
  fastSymmetricFourierTransform,
  inverseFastSymmetricFourierTransform,
  naiveSymmetricFourierTransform,
} from "../src/symmetric_fft.js";

const QUICK = process.env.BENCH_QUICK === "1";
const MAX_N = QUICK ? 7 : 9;
const NAIVE_MAX = Number(process.env.BENCH_NAIVE_MAX ?? (QUICK ? 7 : 8));
const MIN_SECONDS = QUICK ? 0.05 : 1;

function factorial(n: number): number {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k;
  return f;
}

/** Median seconds per call over repeats that fill at least `MIN_SECONDS` (at least 3 runs). */
function time(fn: () => void, minRuns = 3): number {
  fn();
  const samples: number[] = [];
  let total = 0;
  while (samples.length < minRuns || total < MIN_SECONDS) {
    const start = performance.now();
    fn();
    const seconds = (performance.now() - start) / 1000;
    samples.push(seconds);
    total += seconds;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

/** Least-squares slope of `log(seconds)` against `log(n!)`. */
function fitExponent(points: readonly { n: number; seconds: number }[]): number {
  const xs = points.map((p) => Math.log(factorial(p.n)));
  const ys = points.map((p) => Math.log(p.seconds));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * ((ys[i] as number) - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

interface Row {
  n: number;
  fast: number;
  inverse: number;
  naive: number | null;
  maxError: number | null;
}

const rows: Row[] = [];
for (let n = 5; n <= MAX_N; n++) {
  const random = new Random(n);
  const f = Float64Array.from({ length: factorial(n) }, () => random.normal());
  const fast = time(() => fastSymmetricFourierTransform(n, f));
  const fhat = fastSymmetricFourierTransform(n, f);
  const inverse = time(() => inverseFastSymmetricFourierTransform(n, fhat));
  let naive: number | null = null;
  let maxError: number | null = null;
  if (n <= NAIVE_MAX) {
    const start = performance.now();
    const reference = naiveSymmetricFourierTransform(n, f);
    naive = (performance.now() - start) / 1000;
    let diff = 0;
    let scale = 0;
    reference.forEach((block, i) => {
      const other = fhat[i]?.re ?? new Float64Array(0);
      block.re.forEach((v, k) => {
        diff = Math.max(diff, Math.abs(v - (other[k] as number)));
        scale = Math.max(scale, Math.abs(v));
      });
    });
    maxError = diff / scale;
  }
  rows.push({ n, fast, inverse, naive, maxError });
  process.stderr.write(`n = ${n} done\n`);
}

const fastExponent = fitExponent(rows.map((r) => ({ n: r.n, seconds: r.fast })));
const inverseExponent = fitExponent(rows.map((r) => ({ n: r.n, seconds: r.inverse })));
const measuredNaive = rows.filter((r) => r.naive !== null) as (Row & { naive: number })[];
const naiveExponent = fitExponent(measuredNaive.map((r) => ({ n: r.n, seconds: r.naive })));
const lastNaive = measuredNaive[measuredNaive.length - 1] as Row & { naive: number };

function format(seconds: number): string {
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(0)} us`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(1)} ms`;
  return `${seconds.toFixed(1)} s`;
}

// Extrapolate direct summation with its theoretical cost O(n!^2): measured exponents over
// n = 5..8 are distorted by fixed overheads and by other load on the machine.
const estimateNaive = (n: number) => lastNaive.naive * (factorial(n) / factorial(lastNaive.n)) ** 2;

const lines = rows.map((r) => {
  const naive = r.naive !== null ? format(r.naive) : `~${format(estimateNaive(r.n))} (estimate)`;
  const naiveSeconds = r.naive ?? estimateNaive(r.n);
  const error = r.maxError === null ? "-" : r.maxError.toExponential(1);
  return `| ${r.n} | ${factorial(r.n)} | ${format(r.fast)} | ${format(r.inverse)} | ${naive} | ${(naiveSeconds / r.fast).toFixed(0)} | ${error} |`;
});

let commit = "unknown";
try {
  commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
} catch {
  // Not a git checkout: leave the commit unknown.
}
const cpu = cpus()[0]?.model ?? "unknown CPU";
const report = `# Benchmark: fast Fourier transform on S_n

Command: \`npm run bench -w packages/fourier\`${QUICK ? " (with `BENCH_QUICK=1`)" : ""}, commit ${commit}.
Machine: ${cpu}, ${cpus().length} logical cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory,
Node.js ${process.version}; single-threaded TypeScript on float64.

The fast transform is Clausen's algorithm over \`S_n > S_(n-1) > ... > S_1\`
(\`fastSymmetricFourierTransform\`); the inverse runs the same recursion backwards. Direct
summation (\`naiveSymmetricFourierTransform\`) adds \`f(s) rho_lambda(s)\` over all n! elements,
building each matrix from its parent in the coset tree. Times are medians over repeats filling at
least ${MIN_SECONDS} s, after one warm-up call; the direct summation runs once per n.
"max rel. error" is the largest entry difference between the two transforms divided by the
largest entry.

| n | n! | fast | fast inverse | direct summation | speed-up | max rel. error |
| --- | --- | --- | --- | --- | --- | --- |
${lines.join("\n")}

Fitted exponents \`a\` in \`time ~ (n!)^a\` (least squares on log-log over the rows measured):
fast ${fastExponent.toFixed(2)}, fast inverse ${inverseExponent.toFixed(2)}, direct summation
${naiveExponent.toFixed(2)} (n = ${measuredNaive[0]?.n}..${lastNaive.n}). Direct summation is
\`O(n!^2)\` (exponent 2); Clausen's algorithm is \`O(n^3 n!)\` (exponent slightly above 1 over
this range; the fit includes fixed overheads at small n).${
  NAIVE_MAX < MAX_N
    ? ` Direct-summation times marked "estimate" are not measured: they scale the n = ${lastNaive.n} time by \`(n! / ${lastNaive.n}!)^2\`; \`BENCH_NAIVE_MAX=${MAX_N}\` measures them.`
    : ""
}
The machine may have run other jobs at the same time, so treat single rows as rough.
`;

process.stdout.write(report);
if (!QUICK) {
  writeFileSync(new URL("../../../docs/benchmarks-fourier.md", import.meta.url), report);
}
