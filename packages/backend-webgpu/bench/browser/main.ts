/**
 * The benchmark page: runs the cases of `cases.ts` on the CPU backend and on WebGPU in the same
 * page, shows the adapter and each row as it finishes, and leaves the result as JSON in
 * `document.body.dataset.result` (state `done`) or the error in `#error` (state `failed`).
 * `browser.ts` builds, serves and drives it. Query: `repeats` (runs per case).
 */
import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, initEngine } from "@covnet/core";
import { type WebGPUBackend, webgpuBackendModule } from "../../src/index.js";
import { type BenchRow, decodeBatch, type EncodedBatch, runCases } from "../cases.js";

/** What the page reports back to the driver. */
export interface BrowserResult {
  readonly adapter: string;
  readonly userAgent: string;
  readonly repeats: number;
  readonly rows: BenchRow[];
}

/**
 * The few DOM globals the page uses. The package compiles without the DOM library (its sources
 * must also run in Node.js), so they are declared here.
 */
interface PageElement {
  textContent: string | null;
}
interface PageGlobals {
  readonly document: {
    readonly body: { readonly dataset: Record<string, string | undefined> };
    getElementById(id: string): PageElement | null;
  };
  readonly location: { readonly search: string };
  readonly navigator: { readonly userAgent: string };
}
const { document, location, navigator } = globalThis as unknown as PageGlobals;

async function engineOn(backend: "cpu" | "webgpu"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(backend === "cpu" ? cpuBackendModule() : webgpuBackendModule());
  return initEngine(container, { backend, defaultFloat: "float32" });
}

function show(id: string, text: string): void {
  const element = document.getElementById(id);
  if (element !== null) element.textContent = text;
}

async function main(): Promise<void> {
  const repeats = Number(new URLSearchParams(location.search).get("repeats") ?? "5");
  const response = await fetch("./batch.json");
  if (!response.ok) throw new Error(`batch.json: HTTP ${response.status}`);
  const batch = decodeBatch((await response.json()) as EncodedBatch);
  const cpu = await engineOn("cpu");
  const gpu = await engineOn("webgpu");
  const adapter = (gpu.backend as WebGPUBackend).adapterName;
  show("adapter", adapter);
  const lines: string[] = [];
  const rows = await runCases(cpu, gpu, batch, repeats, ([name, c, g]) => {
    lines.push(`${name}: CPU ${c.toFixed(2)} ms, WebGPU ${g.toFixed(2)} ms`);
    show("rows", lines.join("\n"));
  });
  gpu.backend.dispose();
  const result: BrowserResult = { adapter, userAgent: navigator.userAgent, repeats, rows };
  document.body.dataset.result = JSON.stringify(result);
  document.body.dataset.state = "done";
}

main().catch((error: unknown) => {
  show("error", error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error));
  document.body.dataset.state = "failed";
});
