// Prints one closing line with the test counts of every package, read from the JSON reports that
// each package's vitest run writes to `packages/*/.vitest-report.json`. Exits non-zero when a
// report is missing for a package that has tests, or when any test failed.
import { existsSync, readFileSync, readdirSync } from "node:fs";
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
    const report = join(pkg, ".vitest-report.json");
    if (!existsSync(report)) {
      missing.push(`${group}/${name}`);
      continue;
    }
    const r = JSON.parse(readFileSync(report, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
  }
}
if (missing.length > 0) {
  process.stderr.write(`no test report for: ${missing.join(", ")}\n`);
}
process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 || missing.length > 0 ? 1 : 0);
