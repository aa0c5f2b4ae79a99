import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";

const conditions = ["covnet-source", "import", "module", "browser", "default"];

/**
 * The conformance suite in headless Chromium (Debian's /usr/bin/chromium). `--enable-unsafe-webgpu`
 * exposes WebGPU on Chromium's SwiftShader adapter when no GPU exists. Run with `npm run
 * test:browser`; set CHROMIUM_PATH to use another binary.
 */
export default defineConfig({
  resolve: { conditions },
  test: {
    name: "backend-webgpu-browser",
    include: ["test/conformance.test.ts", "test/backend.test.ts"],
    testTimeout: 60_000,
    reporters: ["default", ["json", { outputFile: ".vitest-report.browser.json" }]],
    provide: { requireWebGPU: Boolean(process.env.CI) },
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-unsafe-webgpu",
          ],
        },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});
