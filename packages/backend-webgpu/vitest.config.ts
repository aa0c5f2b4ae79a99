import { defineProject } from "vitest/config";
import { covnetProject } from "../../vitest.shared.ts";

const base = covnetProject("backend-webgpu");

// Dawn must run in the forks pool (the default of covnetProject): in worker threads the
// EGL_PLATFORM variable does not reach Dawn's getenv().
export default defineProject({
  ...base,
  test: {
    ...base.test,
    // With CI set, a missing adapter fails the suite instead of skipping it.
    provide: { requireWebGPU: Boolean(process.env.CI) },
    env: { ...base.test?.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? "surfaceless" },
  },
});
