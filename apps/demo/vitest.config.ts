import { defineProject } from "vitest/config";
import { covnetProject, sourceCondition } from "../../vitest.shared.ts";

const conditions = [sourceCondition, "import", "module", "node", "default"];

/**
 * `vitest run` runs the unit tests. `vitest run --mode e2e` (the `test:e2e` and `test:browser`
 * scripts) builds the page, serves it on 127.0.0.1 and drives Debian's Chromium through it. Its
 * report goes to `.vitest-report.browser.json`.
 */
const e2e = defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: "demo-e2e",
    include: ["test/e2e/**/*.e2e.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 180_000,
    env: { COVNET_LOG_LEVEL: "silent" },
    ...({
      reporters: ["default", ["json", { outputFile: ".vitest-report.browser.json" }]],
    } as object),
  },
});

export default defineProject(({ mode }) => (mode === "e2e" ? e2e : covnetProject("demo")));
