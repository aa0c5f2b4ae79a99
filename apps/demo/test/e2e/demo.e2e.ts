/**
 * End-to-end test of the demo page: exports a model, builds the page with Vite, serves it on
 * 127.0.0.1 and drives headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH) with
 * playwright-core. The page's energy and forces are compared with the CPU backend in Node.js on
 * the same model and frame. Screenshots go to `test-results/` (git-ignored).
 *
 * With CI set, the page must compute on WebGPU, and a missing Chromium fails the run.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, initEngine } from "@covnet/core";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModel, type ModelFile, parseModelFile } from "../../src/model-file.js";
import { type Prediction, Predictor } from "../../src/predictor.js";

const appRoot = fileURLToPath(new URL("../..", import.meta.url));
const resultsDir = join(appRoot, "test-results");
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const requireWebGPU = Boolean(process.env.CI);
const haveChromium = existsSync(chromiumPath);

/** Flags for headless Chromium on a machine without network or GPU. The README explains them. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--enable-unsafe-webgpu",
];

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
};

/** Serves the files under `root` on 127.0.0.1 at a free port. */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const type = CONTENT_TYPES[extname(file)] ?? "application/octet-stream";
      response.writeHead(200, { "content-type": type }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** Waits until the page is ready, and fails with the page's error message when it is not. */
async function waitUntilReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.state !== "loading", null, {
    timeout: 60_000,
  });
  const state = await page.getAttribute("body", "data-state");
  const error = (await page.textContent("#error")) ?? "";
  expect(error).toBe("");
  expect(state).toBe("ready");
}

async function pageResult(page: Page): Promise<Prediction> {
  const energy = Number(await page.getAttribute("#energy", "data-value"));
  const forces = JSON.parse(
    (await page.getAttribute("#energy", "data-forces")) ?? "[]",
  ) as number[];
  return { energy, forces: Float64Array.from(forces) };
}

function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++)
    max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

describe.skipIf(!haveChromium && !requireWebGPU)("demo page in Chromium", () => {
  let workDir: string;
  let server: Server;
  let url: string;
  let browser: Browser;
  let file: ModelFile;
  let engine: Engine;
  let reference: Prediction;

  beforeAll(async () => {
    expect(existsSync(chromiumPath), `Chromium is missing at ${chromiumPath}`).toBe(true);
    workDir = mkdtempSync(join(tmpdir(), "covnet-demo-e2e-"));
    const modelPath = join(workDir, "model.json");
    const prepared = spawnSync(
      process.execPath,
      [
        "--conditions=covnet-source",
        "--import",
        "tsx",
        "scripts/prepare-model.ts",
        "--out",
        modelPath,
      ],
      { cwd: appRoot, encoding: "utf8", env: { ...process.env, COVNET_LOG_LEVEL: "warn" } },
    );
    // Training progress goes to standard error, so only the exit status decides.
    expect(prepared.status, `prepare-model failed:\n${prepared.stdout}\n${prepared.stderr}`).toBe(
      0,
    );

    const outDir = join(workDir, "dist");
    await build({
      root: appRoot,
      configFile: join(appRoot, "vite.config.ts"),
      logLevel: "warn",
      build: { outDir, emptyOutDir: true },
    });
    // The page loads model.json from its own folder, so put the file exported above there.
    copyFileSync(modelPath, join(outDir, "model.json"));
    ({ server, url } = await serve(outDir));

    file = parseModelFile(JSON.parse(readFileSync(modelPath, "utf8")), modelPath);
    const container = createContainer({ logLevel: "silent" });
    container.load(cpuBackendModule());
    engine = await initEngine(container, { backend: "cpu", defaultFloat: "float32" });
    const frame = file.frames?.items[0];
    expect(frame).toBeDefined();
    const model = await createModel(engine, file, "float32", modelPath);
    const charges = Int32Array.from(frame?.charges ?? []);
    reference = await new Predictor(engine, model, charges).predict(
      Float64Array.from(frame?.positions ?? []),
    );

    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: CHROMIUM_ARGS,
      headless: true,
    });
    mkdirSync(resultsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("computes the energy of Node's CPU backend", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.goto(`${url}?frame=0&steps=10`);
    await waitUntilReady(page);

    const backend = await page.getAttribute("#backend-status", "data-backend");
    const status = (await page.textContent("#backend-status")) ?? "";
    if (requireWebGPU) expect(backend, `the page fell back to the CPU: ${status}`).toBe("webgpu");
    expect(["webgpu", "cpu"]).toContain(backend);

    // float32 on both sides: energies near -97000 kcal/mol carry about 0.01 kcal/mol of rounding.
    const result = await pageResult(page);
    expect(Math.abs(result.energy - reference.energy)).toBeLessThan(
      2e-6 * Math.abs(reference.energy),
    );
    expect(result.forces.length).toBe(reference.forces.length);
    // WGSL lets sin and cos (in the radial basis) be off by up to 2^-11 absolute, and SwiftShader
    // uses that freedom: its forces differ from the CPU's by about 5e-4 of the largest force.
    const largest = Math.max(...Array.from(reference.forces, Math.abs));
    expect(maxAbsDifference(result.forces, reference.forces)).toBeLessThan(2e-3 * largest);

    const shownReference = Number(await page.getAttribute("#reference-energy", "data-value"));
    expect(shownReference).toBe(file.frames?.items[0]?.energy);

    await page.click("#md-run");
    await page.waitForFunction(
      () => document.getElementById("md-status")?.dataset.steps === "10",
      null,
      {
        timeout: 60_000,
      },
    );
    expect(await page.textContent("#error")).toBe("");
    // Ten 0.5 fs steps of a smooth potential change the total energy by far less than 1 kcal/mol.
    const drift = Number(await page.getAttribute("#md-status", "data-drift"));
    expect(Math.abs(drift)).toBeLessThan(1);
    await page.screenshot({ path: join(resultsDir, `demo-${backend}.png`), fullPage: true });
    await page.close();
  });

  it("falls back to the CPU without WebGPU", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, "gpu", {
        get: () => undefined,
        configurable: true,
      });
    });
    await page.goto(`${url}?frame=0`);
    await waitUntilReady(page);
    expect(await page.getAttribute("#backend-status", "data-backend")).toBe("cpu");
    expect(await page.textContent("#backend-status")).toContain("navigator.gpu is missing");
    // The same TypeScript kernels in float32 as in Node.js.
    const result = await pageResult(page);
    expect(Math.abs(result.energy - reference.energy)).toBeLessThan(
      1e-7 * Math.abs(reference.energy),
    );
    expect(maxAbsDifference(result.forces, reference.forces)).toBeLessThan(1e-5);
    await page.screenshot({ path: join(resultsDir, "demo-cpu-fallback.png"), fullPage: true });
    await page.close();
  });
});
