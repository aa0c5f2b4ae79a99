import { defineProject } from "vitest/config";

/**
 * Resolution condition that maps every `@covnet/*` import to the package's TypeScript source,
 * so workspace tests run without a prior build.
 */
export const sourceCondition = "covnet-source";

/** Vitest project settings shared by every package; `name` is the package's folder name. */
export function covnetProject(name: string, overrides: { testTimeout?: number } = {}) {
  // Each package's run also writes a JSON report, from which `scripts/test-summary.mjs` prints one
  // closing line for the whole repository. Vitest reads `reporters` when the package's own config
  // is the root of the run, which is how nx runs it, but the project type does not declare it.
  const reports = { reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]] };
  return defineProject({
    resolve: { conditions: [sourceCondition, "import", "module", "node", "default"] },
    ssr: { resolve: { conditions: [sourceCondition, "import", "module", "node", "default"] } },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      environment: "node",
      pool: "forks",
      testTimeout: overrides.testTimeout ?? 60_000,
      env: { COVNET_LOG_LEVEL: "silent" },
      ...(reports as object),
    },
  });
}
