/**
 * Benchmarks WebGPU against the CPU backend in headless Chromium, on the same cases as `run.ts`.
 * Bundles `browser/` with Vite, serves it with the ethanol batch on 127.0.0.1, and drives Debian's
 * `/usr/bin/chromium` (or CHROMIUM_PATH) with playwright-core and the flags of
 * `vitest.browser.config.ts`: `--enable-unsafe-webgpu` exposes WebGPU on SwiftShader when no GPU
 * exists. Both backends run inside the same page. Prints a table and writes it, with the command,
 * the adapter, the browser, the machine and its load, to the Chromium section of
 * `docs/benchmarks-webgpu.md`.
 *
 * Run with `npm run bench:browser` in this package. Options: `--no-write` prints only; `--quick`
 * runs fewer repeats.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDataset, makeBatch } from "@covnet/datasets";
import { chromium } from "playwright-core";
import { build } from "vite";
import type { BrowserResult } from "./browser/main.js";
import { CORMORANT_FRAMES, encodeBatch, formatTable } from "./cases.js";
import { load, loadNote, machine, writeSection } from "./page.js";

const args = new Set(process.argv.slice(2));
const repeats = args.has("--quick") ? 2 : 5;
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The flags of `vitest.browser.config.ts`: no network, no sandbox, WebGPU without a GPU. */
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
  ".json": "application/json",
};

/** Serves the files under `root` on 127.0.0.1 at a free port. */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = readFileSync(file);
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

const loadBefore = load();
const pageRoot = fileURLToPath(new URL("./browser/", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "covnet-webgpu-bench-"));
let result: BrowserResult;
let browserVersion: string;
try {
  await build({
    root: pageRoot,
    configFile: false,
    base: "./",
    logLevel: "warn",
    resolve: { conditions: ["covnet-source", "browser", "module", "import", "default"] },
    build: {
      outDir,
      emptyOutDir: true,
      target: "es2022",
      chunkSizeWarningLimit: 2000,
      rolldownOptions: {
        onLog(level, log, handler) {
          // The Cormorant model pulls in the dataset loaders and the trainer, which read files
          // with Node.js modules. The page never calls them (it fetches the batch), so Vite's
          // empty stand-ins are harmless. If a case ever calls them, the page run fails.
          if (/externalized for browser compatibility/.test(log.message)) return;
          handler(level, log);
        },
      },
    },
  });
  const ethanol = await loadDataset("rmd17/ethanol");
  const batch = makeBatch(
    ethanol,
    Array.from({ length: CORMORANT_FRAMES }, (_, i) => i),
    { cutoff: 5 },
  );
  writeFileSync(join(outDir, "batch.json"), JSON.stringify(encodeBatch(batch)));

  const { server, url } = await serve(outDir);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  try {
    browserVersion = browser.version();
    const page = await browser.newPage();
    await page.goto(`${url}?repeats=${repeats}`);
    // A string, since this package compiles without the DOM library.
    await page.waitForFunction('document.body.dataset.state !== "running"', null, {
      timeout: 30 * 60_000,
      polling: 1000,
    });
    const error = (await page.textContent("#error")) ?? "";
    if ((await page.getAttribute("body", "data-state")) !== "done") {
      throw new Error(`the benchmark page failed: ${error}`);
    }
    result = JSON.parse((await page.getAttribute("body", "data-result")) ?? "") as BrowserResult;
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

const table = formatTable(result.rows);
const host = `${machine()}, Chromium ${browserVersion} (headless)`;
const { line, shared } = loadNote(loadBefore, load());
process.stdout.write(`adapter: ${result.adapter}\nmachine: ${host}\nload: ${line}\n\n${table}\n`);

if (!args.has("--no-write")) {
  writeSection(
    "chromium",
    `${shared}
- Command: \`npm run bench:browser -w @covnet/backend-webgpu\` (runs
  \`packages/backend-webgpu/bench/browser.ts\`, which bundles \`bench/browser/\` with Vite and drives
  headless \`/usr/bin/chromium --enable-unsafe-webgpu\` with playwright-core)
- Machine: ${host}; ${line}
- WebGPU adapter (\`adapter.info\`): ${result.adapter}
- Runs: median of ${result.repeats} after one warm-up run; both backends run in the same page, and
  the page's \`performance.now()\` has 0.1 ms resolution
- Date: ${new Date().toISOString().slice(0, 10)}

${table}

Without a GPU, Chromium's WebGPU runs on SwiftShader, Google's Vulkan implementation on the CPU.
The CPU backend here is the same code as in Node.js, bundled by Vite and run by Chromium's V8.
`,
  );
}
