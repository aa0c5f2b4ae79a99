/**
 * Entry point of the worker threads of {@link CcnWorkerPool}. A worker builds its engine with the
 * application's engine module, then the same CCN as the main thread. For each request it loads
 * the weights it is sent and prepares the batch from the molecular graphs. It returns the mean
 * loss, with its gradients as typed arrays unless the request is for the loss only.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Engine, FloatDType } from "@covnet/core";
import { valueAndGrads } from "@covnet/core";
import type { MolecularGraph } from "@covnet/datasets";
import { prepareBatch } from "./graph_batch.js";
import { ccnLoss } from "./loss.js";
import { CCN } from "./model.js";
import type { WorkerReply, WorkerRequest, WorkerSetup } from "./parallel.js";

const port = parentPort;
if (port === null) throw new Error("the CCN worker must run in a worker thread");
const setup = workerData as WorkerSetup;

function fail(id: number, error: unknown): void {
  const reply: WorkerReply = {
    id,
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
  port?.postMessage(reply);
}

try {
  const imported = (await import(setup.engineModule)) as {
    createEngine?: (dtype: FloatDType) => Promise<Engine> | Engine;
  };
  if (typeof imported.createEngine !== "function") {
    throw new Error(`${setup.engineModule} does not export a function createEngine(dtype)`);
  }
  const engine = await imported.createEngine(setup.config.dtype);
  const model = new CCN(engine, setup.config);
  const available = model.trainableParameters();
  const parameters = setup.names.map((name) => {
    const p = available.get(name);
    if (p === undefined) throw new Error(`the worker's CCN has no parameter ${name}`);
    return p;
  });
  port.on("message", (request: WorkerRequest) => {
    try {
      engine.startScope();
      let reply: WorkerReply;
      try {
        parameters.forEach((p, i) => {
          p.assign(engine.makeTensor(request.weights[i] as ArrayLike<number>, p.shape, p.dtype));
        });
        const batch = prepareBatch(request.graphs as MolecularGraph[], setup.config.levels, [
          setup.config.order,
        ]);
        const lossOf = () => ccnLoss(model, batch, setup.scale, setup.loss);
        if (request.gradients) {
          const { value, grads } = valueAndGrads(
            lossOf,
            parameters.map((p) => p.value),
          );
          reply = {
            id: request.id,
            loss: value.item(),
            count: batch.numGraphs,
            grads: grads.map((g) => g.dataSync() as Float32Array | Float64Array),
          };
        } else {
          const loss = engine.noGrad(lossOf).item();
          reply = { id: request.id, loss, count: batch.numGraphs };
        }
      } finally {
        engine.endScope(undefined);
      }
      port.postMessage(reply);
    } catch (error) {
      fail(request.id, error);
    }
  });
  port.postMessage({ id: -1, ready: true } satisfies WorkerReply);
} catch (error) {
  fail(-1, error);
}
