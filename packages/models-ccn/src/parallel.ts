/**
 * Data-parallel gradients of a CCN over worker threads.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { ArgumentError, type FloatDType } from "@covnet/core";
import type { MolecularGraph } from "@covnet/datasets";
import type { ComputedGradients, Parameter } from "@covnet/nn";
import type { CcnLossKind, TargetScale } from "./loss.js";
import type { CcnConfig } from "./model.js";

/** Settings of the worker threads of {@link CcnWorkerPool}. */
export interface CcnWorkersOptions {
  /** Number of worker threads, at least 1. */
  readonly count: number;
  /**
   * The module that gives each worker its engine: a file URL or path of an ES module exporting
   * `createEngine(dtype)`, which returns (or resolves to) an engine of that default float type.
   * Library packages import no backend, so the application names it here, usually the CPU one.
   */
  readonly engineModule: string | URL;
}

/** @internal Data a worker starts with. */
export interface WorkerSetup {
  readonly engineModule: string;
  readonly config: CcnConfig & { readonly dtype: FloatDType };
  readonly names: readonly string[];
  readonly scale: TargetScale;
  readonly loss: CcnLossKind;
}

/**
 * @internal One request: the weights in the order of `WorkerSetup.names`, and whether to return
 * gradients or only the loss.
 */
export interface WorkerRequest {
  readonly id: number;
  readonly gradients: boolean;
  readonly graphs: readonly MolecularGraph[];
  readonly weights: readonly ArrayLike<number>[];
}

/** @internal A worker's reply: readiness (`id` -1), gradients, or an error. */
export interface WorkerReply {
  readonly id: number;
  readonly ready?: boolean;
  readonly error?: string;
  readonly loss?: number;
  readonly count?: number;
  readonly grads?: readonly (Float32Array | Float64Array)[];
}

interface Pending {
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Worker threads that compute the loss and gradients of a CCN batch in parallel. Each call to
 * {@link CcnWorkerPool.gradients} splits the batch's molecules into one contiguous share per
 * worker, sends every worker the current weights and its share, and combines the shares' mean
 * losses and gradients weighted by their molecule counts, which gives the mean loss of the whole
 * batch and its gradient. Each worker prepares its own share's batch, so the operator building
 * runs in parallel too.
 */
export class CcnWorkerPool {
  readonly #workers: Worker[];
  readonly #pending: Map<number, Pending>[];
  readonly #names: readonly string[];
  #nextId = 0;
  #failure: Error | null = null;

  private constructor(workers: Worker[], names: readonly string[]) {
    this.#workers = workers;
    this.#names = names;
    this.#pending = workers.map(() => new Map());
  }

  /**
   * Starts the workers and waits until each has built its engine and model.
   *
   * @param options.parameterNames The optimizer's parameter names, in the order gradients are
   *   returned.
   * @throws {ArgumentError} on a worker count below 1.
   * @throws {Error} when a worker cannot start (for example, the engine module fails to load).
   */
  static async start(options: {
    readonly workers: CcnWorkersOptions;
    readonly config: CcnConfig & { readonly dtype: FloatDType };
    readonly parameterNames: readonly string[];
    readonly scale: TargetScale;
    readonly loss: CcnLossKind;
  }): Promise<CcnWorkerPool> {
    const { count } = options.workers;
    if (!Number.isInteger(count) || count < 1) {
      throw new ArgumentError(`CcnWorkerPool: count must be a positive integer, got ${count}`);
    }
    const setup: WorkerSetup = {
      engineModule: moduleUrl(options.workers.engineModule),
      config: options.config,
      names: options.parameterNames,
      scale: options.scale,
      loss: options.loss,
    };
    const entry = workerEntry();
    const workers = Array.from(
      { length: count },
      () => new Worker(entry.url, { ...entry.options, workerData: setup }),
    );
    const pool = new CcnWorkerPool(workers, options.parameterNames);
    try {
      await Promise.all(workers.map((_, i) => pool.#listen(i)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#workers.length;
  }

  /**
   * Mean loss and gradients of the batch made of `graphs`, at the current values of
   * `parameters` (the optimizer's, in the order the pool was started with).
   *
   * @throws {ArgumentError} on an empty batch or parameters other than the pool's.
   * @throws {Error} when a worker fails or has exited.
   */
  async gradients(
    graphs: readonly MolecularGraph[],
    parameters: ReadonlyMap<string, Parameter>,
  ): Promise<ComputedGradients> {
    const { weights, replies } = await this.#scatter(graphs, parameters, true);
    const total = graphs.length;
    let loss = 0;
    const grads = weights.map((w) => new Float64Array(w.length));
    for (const reply of replies) {
      const share = (reply.count as number) / total;
      loss += share * (reply.loss as number);
      (reply.grads ?? []).forEach((g, j) => {
        const sum = grads[j] as Float64Array;
        for (let k = 0; k < g.length; k++) sum[k] = (sum[k] as number) + share * (g[k] as number);
      });
    }
    return { loss, grads };
  }

  /**
   * Mean loss of the batch made of `graphs` at the current values of `parameters`, computed on
   * the workers without gradients (for validation).
   *
   * @throws {ArgumentError} on an empty batch or parameters other than the pool's.
   * @throws {Error} when a worker fails or has exited.
   */
  async loss(
    graphs: readonly MolecularGraph[],
    parameters: ReadonlyMap<string, Parameter>,
  ): Promise<number> {
    const { replies } = await this.#scatter(graphs, parameters, false);
    let loss = 0;
    for (const reply of replies) {
      loss += ((reply.count as number) / graphs.length) * (reply.loss as number);
    }
    return loss;
  }

  /** Checks the request, then sends each worker the weights and its share of `graphs`. */
  async #scatter(
    graphs: readonly MolecularGraph[],
    parameters: ReadonlyMap<string, Parameter>,
    gradients: boolean,
  ): Promise<{ weights: ArrayLike<number>[]; replies: WorkerReply[] }> {
    if (this.#failure !== null) throw this.#failure;
    if (graphs.length === 0)
      throw new ArgumentError("CcnWorkerPool: the batch is empty, expected at least one molecule");
    const names = [...parameters.keys()];
    if (names.length !== this.#names.length || names.some((n, i) => n !== this.#names[i])) {
      throw new ArgumentError(
        `CcnWorkerPool: parameters ${names.join(", ")} differ from the pool's ${this.#names.join(", ")}`,
      );
    }
    const weights = await Promise.all([...parameters.values()].map((p) => p.value.data()));
    const shares = Math.min(this.#workers.length, graphs.length);
    const replies = await Promise.all(
      Array.from({ length: shares }, (_, w) => {
        const from = Math.floor((w * graphs.length) / shares);
        const to = Math.floor(((w + 1) * graphs.length) / shares);
        return this.#request(w, { graphs: graphs.slice(from, to), weights, gradients });
      }),
    );
    return { weights, replies };
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.#failure ??= new Error("CcnWorkerPool: the pool is closed");
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  /** Resolves when worker `i` reports ready, and routes its later replies to their requests. */
  #listen(i: number): Promise<void> {
    const worker = this.#workers[i] as Worker;
    const pending = this.#pending[i] as Map<number, Pending>;
    return new Promise<void>((ready, failed) => {
      const failAll = (error: Error) => {
        this.#failure ??= error;
        failed(error);
        for (const p of pending.values()) p.reject(error);
        pending.clear();
      };
      worker.on("message", (reply: WorkerReply) => {
        if (reply.id === -1) {
          if (reply.ready === true) ready();
          else failAll(new Error(`CCN worker ${i} could not start: ${reply.error ?? "unknown"}`));
          return;
        }
        const p = pending.get(reply.id);
        if (p === undefined) return;
        pending.delete(reply.id);
        if (reply.error !== undefined)
          p.reject(new Error(`CCN worker ${i} failed: ${reply.error}`));
        else p.resolve(reply);
      });
      worker.on("error", (error) => failAll(new Error(`CCN worker ${i} failed: ${error.message}`)));
      worker.on("exit", (code) => {
        if (this.#failure === null || pending.size > 0) {
          failAll(new Error(`CCN worker ${i} exited with code ${code}`));
        }
      });
    });
  }

  #request(w: number, body: Omit<WorkerRequest, "id">): Promise<WorkerReply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      (this.#pending[w] as Map<number, Pending>).set(id, { resolve, reject });
      const request: WorkerRequest = { id, ...body };
      (this.#workers[w] as Worker).postMessage(request);
    });
  }
}

function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module)) return module;
  return pathToFileURL(module).href;
}

/**
 * Returns how to start a worker: the compiled `worker.js` next to this module, or, when this module runs
 * from its TypeScript source (tests, benchmarks), a bootstrap that registers tsx and imports
 * `worker.ts` with the workspace's source condition.
 */
function workerEntry(): { url: URL | string; options: { eval?: boolean; execArgv: string[] } } {
  const compiled = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return { url: compiled, options: { execArgv: [] } };
  // The ES module build of tsx's API: its CommonJS build cannot find its loader from an eval
  // worker started by a process that itself runs under tsx.
  const api = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href.replace(
    /\.cjs$/,
    ".mjs",
  );
  const source = new URL("./worker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return { url: bootstrap, options: { eval: true, execArgv: ["--conditions=covnet-source"] } };
}
