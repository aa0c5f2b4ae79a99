// Worker of the two-thread measurement in speed.mjs: builds the same model as the main thread
// (same seed), and for each request computes the energy-and-force loss gradient of its share of
// the batch, returning the gradients as transferable typed arrays.
import { parentPort, workerData } from "node:worker_threads";
import { cpuBackendModule } from "@covnet/backend-cpu";
import {
  add,
  createContainer,
  initEngine,
  mean,
  mul,
  Random,
  square,
  sub,
  valueAndGrads,
} from "@covnet/core";
import { loadDataset, makeBatch } from "@covnet/datasets";
import { Cormorant, toAtomsInput } from "@covnet/models-cormorant";

const { dtype, indices, config } = workerData;
const container = createContainer({ logLevel: "silent" });
container.load(cpuBackendModule());
const engine = await initEngine(container, { backend: "cpu", defaultFloat: dtype });
const ds = await loadDataset("rmd17/ethanol");
const batch = makeBatch(ds, indices, { cutoff: 5 });
const model = new Cormorant(engine, config, new Random(1), dtype);
const opts = { species: model.config.species, chargePower: model.config.chargePower, dtype };
const params = [...model.trainableParameters().values()].map((p) => p.value);

parentPort.on("message", () => {
  const grads = engine.scope(() => {
    const input = toAtomsInput(engine, batch, opts);
    const eRef = engine.makeTensor(batch.energies, [batch.numMolecules], dtype);
    const fRef = engine.makeTensor(batch.forces, [batch.numAtoms, 3], dtype);
    const { grads } = valueAndGrads(() => {
      const { energies, forces } = model.energiesAndForces(input);
      return add(mean(square(sub(energies, eRef))), mul(mean(square(sub(forces, fRef))), 10));
    }, params);
    return grads.map((g) => g.dataSync());
  });
  parentPort.postMessage(
    grads,
    grads.map((g) => g.buffer),
  );
});
parentPort.postMessage("ready");
