// Prints one closing line with the test counts of every package, read from the JSON reports that
// each package's vitest runs write to `packages/*/.vitest-report*.json` (node and browser runs).
// Exits non-zero when a package that has tests left no report, or when any test failed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const group of ["packages", "apps"]) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const pkg = join(dir, name);
    if (!existsSync(join(pkg, "vitest.config.ts"))) continue;
    const reports = readdirSync(pkg).filter((f) => /^\.vitest-report(\.[a-z]+)?\.json$/.test(f));
    if (!reports.includes(".vitest-report.json")) missing.push(`${group}/${name}`);
    for (const file of reports) {
      const r = JSON.parse(readFileSync(join(pkg, file), "utf8"));
      passed += r.numPassedTests;
      failed += r.numFailedTests;
      skipped += r.numPendingTests + r.numTodoTests;
    }
  }
}
if (missing.length > 0) {
  process.stderr.write(`no test report for: ${missing.join(", ")}\n`);
}
process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 || missing.length > 0 ? 1 : 0);
