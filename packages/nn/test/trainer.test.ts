import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  add,
  type Engine,
  mean,
  neg,
  Random,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  valueAndGrads,
} from "@covnet/core";
import { Effect, Fiber } from "effect";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Adam,
  CheckpointError,
  type ComputedGradients,
  cosineSchedule,
  type FitResult,
  Linear,
  linearWarmup,
  MLP,
  mseLoss,
  type Parameter,
  ReduceOnPlateau,
  readCheckpoint,
  Trainer,
  type TrainerOptions,
  TrainingError,
} from "../src/index.js";
import { cpuEngine } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine("float64");
});

interface Batch {
  readonly x: number[];
  readonly y: number[];
  readonly n: number;
}

// A fixed regression problem: y = x . [1, -2, 0.5] + 0.3 + noise, 48 rows of 3 features.
function makeData(): { x: number[][]; y: number[] } {
  const rng = new Random(42);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 48; i++) {
    const row = [rng.normal(), rng.normal(), rng.normal()];
    x.push(row);
    y.push(row[0]! - 2 * row[1]! + 0.5 * row[2]! + 0.3 + 0.01 * rng.normal());
  }
  return { x, y };
}

const data = makeData();

function batchesOf(indices: number[], size: number): Batch[] {
  const out: Batch[] = [];
  for (let start = 0; start < indices.length; start += size) {
    const rows = indices.slice(start, start + size);
    out.push({
      x: rows.flatMap((i) => data.x[i]!),
      y: rows.map((i) => data.y[i]!),
      n: rows.length,
    });
  }
  return out;
}

function shuffledBatches(_epoch: number, rng: Random): Batch[] {
  return batchesOf(rng.shuffle(Array.from({ length: 40 }, (_, i) => i)), 8);
}

const validationBatches = () =>
  batchesOf(
    Array.from({ length: 8 }, (_, i) => 40 + i),
    8,
  );

function linearSetup(initSeed = 0) {
  const model = new Linear(engine, 3, 1, { rng: new Random(initSeed) });
  const loss = (b: Batch): Tensor => {
    const x = tensor(engine, b.x, [b.n, 3], "float64");
    const y = tensor(engine, b.y, [b.n, 1], "float64");
    return mseLoss(model.forward(x), y);
  };
  return { model, loss };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "covnet-nn-"));
}

function baseOptions(
  model: Linear,
  loss: (b: Batch) => Tensor,
): Omit<TrainerOptions<Batch>, "optimizer"> {
  return {
    model,
    loss,
    trainBatches: shuffledBatches,
    validationBatches,
    epochs: 4,
    seed: 7,
    progress: "none",
    conventionVersion: "test-1",
  };
}

describe("Trainer", () => {
  it("reduces the loss on a small regression", async () => {
    const { model, loss } = linearSetup();
    const losses: number[] = [];
    const trainer = new Trainer({
      ...baseOptions(model, loss),
      optimizer: new Adam(model, { lr: 0.05 }),
      epochs: 30,
      onEpochEnd: (info) => losses.push(info.metrics.train_loss as number),
    });
    const result = await trainer.fit({ handleSignals: false });
    expect(result.stopReason).toBe("completed");
    expect(result.epochs).toBe(30);
    expect(result.globalStep).toBe(150);
    expect(losses[29]!).toBeLessThan(losses[0]! / 20);
    expect(result.lastMetrics.val_loss).toBeLessThan(0.05);
  });

  it("keeps memory flat across steps with a force loss", async () => {
    // Energy E = sum(mlp(x)); forces F = -dE/dx; the loss fits both, so each step differentiates
    // a gradient (double backward).
    const mlp = new MLP(engine, [3, 8, 1], { rng: new Random(1), activation: "silu" });
    const loss = (b: Batch): Tensor => {
      const x = tensor(engine, b.x, [b.n, 3], "float64");
      const { value: energy, grads } = valueAndGrads(() => sum(mlp.forward(x)), [x]);
      const forces = neg(grads[0] as Tensor);
      const energyError = square(sub(energy, sum(tensor(engine, b.y, [b.n], "float64"))));
      return add(energyError, mean(square(forces)));
    };
    const counts: number[] = [];
    const trainer = new Trainer({
      model: mlp,
      loss,
      optimizer: new Adam(mlp, { lr: 0.01 }),
      trainBatches: shuffledBatches,
      epochs: 4,
      seed: 3,
      progress: "none",
      conventionVersion: "test-1",
      clipGradNorm: 10,
      ema: { decay: 0.9 },
      onStep: () => counts.push(engine.memory().numTensors),
    });
    await trainer.fit({ handleSignals: false });
    expect(counts.length).toBe(20);
    // After the first step (which creates optimizer slots) the count stays the same.
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it("stops early when the metric stops improving", async () => {
    const { model, loss } = linearSetup();
    const trainer = new Trainer({
      ...baseOptions(model, loss),
      optimizer: new Adam(model, { lr: 0 }),
      epochs: 20,
      earlyStopping: { patience: 2 },
    });
    const result = await trainer.fit({ handleSignals: false });
    expect(result.stopReason).toBe("early-stopping");
    // Epoch 1 sets the best value; epochs 2, 3 and 4 do not improve, and 3 > patience.
    expect(result.epochs).toBe(4);
    expect(result.best?.epoch).toBe(1);
  });

  it("writes a complete checkpoint and a best model", async () => {
    const dir = tempDir();
    const { model, loss } = linearSetup();
    const trainer = new Trainer({
      ...baseOptions(model, loss),
      optimizer: new Adam(model, { lr: 0.05 }),
      ema: { decay: 0.5 },
      checkpointDir: dir,
      config: { hidden: 3, note: "unit test" },
      datasetStatistics: { energyMean: -1.5, energyStd: 2 },
    });
    await trainer.fit({ handleSignals: false });
    const c = readCheckpoint(join(dir, "latest.json"), "test-1");
    expect(c.reason).toBe("final");
    expect(c.epoch).toBe(4);
    expect(c.globalStep).toBe(20);
    expect(c.batchInEpoch).toBe(0);
    expect(c.config).toEqual({ hidden: 3, note: "unit test" });
    expect(c.datasetStatistics).toEqual({ energyMean: -1.5, energyStd: 2 });
    expect(Object.keys(c.model)).toEqual(["weight", "bias"]);
    expect(c.model.weight?.data).toEqual(model.weight.value.toArray());
    expect(c.optimizer.kind).toBe("Adam");
    expect(c.optimizer.step).toBe(20);
    expect(Object.keys(c.optimizer.slots)).toEqual(["m", "v"]);
    expect(c.ema?.numUpdates).toBe(20);
    expect(c.rng.algorithm).toBe("xoshiro128**");
    expect(c.monitor.best).not.toBeNull();
    const best = JSON.parse(readFileSync(join(dir, "best.json"), "utf8"));
    expect(best.metric).toBe("val_loss");
    expect(Object.keys(best.model)).toEqual(["weight", "bias"]);
    expect(readdirSync(dir).sort()).toEqual(["best.json", "latest.json"]);
  });

  it("leaves no partial checkpoint after a failed write", async () => {
    const dir = tempDir();
    const { model, loss } = linearSetup();
    let writes = 0;
    const trainer = new Trainer({
      ...baseOptions(model, loss),
      optimizer: new Adam(model, { lr: 0.05 }),
      checkpointDir: dir,
      checkpointHooks: {
        beforeRename: () => {
          writes++;
          if (writes === 2) throw new Error("simulated crash before rename");
        },
      },
    });
    await expect(trainer.fit({ handleSignals: false })).rejects.toThrow(TrainingError);
    const c = readCheckpoint(join(dir, "latest.json"), "test-1");
    expect(c.epoch).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("rejects a checkpoint of another convention version", async () => {
    const dir = tempDir();
    const { model, loss } = linearSetup();
    const options = { ...baseOptions(model, loss), epochs: 1, checkpointDir: dir };
    await new Trainer({ ...options, optimizer: new Adam(model, { lr: 0.05 }) }).fit({
      handleSignals: false,
    });
    const other = new Trainer({
      ...options,
      optimizer: new Adam(model, { lr: 0.05 }),
      conventionVersion: "test-2",
    });
    expect(() => other.resume()).toThrow(CheckpointError);
    expect(() => other.resume()).toThrow(/convention version test-1, this run uses test-2/);
  });

  it("writes JSON lines that parse", async () => {
    const dir = tempDir();
    const logFile = join(dir, "train.jsonl");
    const { model, loss } = linearSetup();
    await new Trainer({
      ...baseOptions(model, loss),
      optimizer: new Adam(model, { lr: 0.05 }),
      epochs: 2,
      logFile,
      logEvery: 2,
      checkpointDir: dir,
    }).fit({ handleSignals: false });
    const lines = readFileSync(logFile, "utf8").trim().split("\n");
    const records = lines.map((line) => JSON.parse(line));
    const types = records.map((r) => r.type);
    expect(types.filter((t) => t === "step").length).toBe(5);
    expect(types.filter((t) => t === "epoch").length).toBe(2);
    expect(types).toContain("checkpoint");
    const epoch = records.find((r) => r.type === "epoch");
    expect(typeof epoch.train_loss).toBe("number");
    expect(typeof epoch.val_loss).toBe("number");
    expect(typeof epoch.time).toBe("string");
  });

  it("prints plain lines when not on a TTY", async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const { model, loss } = linearSetup();
    await new Trainer({
      ...baseOptions(model, loss),
      optimizer: new Adam(model, { lr: 0.05 }),
      epochs: 2,
      progress: "auto",
      progressStream: stream,
    }).fit({ handleSignals: false });
    const text = chunks.join("");
    expect(text).toMatch(/^epoch 1\/2: train_loss [0-9.e+-]+, val_loss [0-9.e+-]+ \([0-9.]+ s\)\n/);
    expect(text).not.toContain("\r");
  });
});

describe("resume", () => {
  // Adam, warmup into cosine, plateau scaling, clipping and an EMA: every piece of state must be
  // restored for the runs to agree bit for bit.
  function makeTrainer(dir: string, initSeed: number, extra: Partial<TrainerOptions<Batch>> = {}) {
    const { model, loss } = linearSetup(initSeed);
    const schedule = new ReduceOnPlateau(
      linearWarmup(cosineSchedule({ lr: 0.05, period: 10, restarts: { periodMultiplier: 2 } }), {
        warmupSteps: 3,
      }),
      // In "max" mode a falling validation loss is no improvement, so the rate halves every
      // epoch and the plateau state matters.
      { patience: 0, factor: 0.5, mode: "max" },
    );
    const trainer = new Trainer<Batch>({
      ...baseOptions(model, loss),
      optimizer: new Adam(model, { lr: 0.05, amsgrad: true }),
      schedule,
      epochs: 5,
      clipGradNorm: 1,
      ema: { decay: 0.8, warmup: true },
      checkpointDir: dir,
      ...extra,
    });
    return { trainer, model };
  }

  function snapshot(model: Linear, trainer: Trainer<Batch>): number[] {
    return [
      ...model.weight.value.toArray(),
      ...(model.bias?.value.toArray() ?? []),
      ...trainer.ema!.averaged("weight").toArray(),
    ];
  }

  async function reference(): Promise<{ values: number[]; result: FitResult }> {
    const { trainer, model } = makeTrainer(tempDir(), 0);
    const result = await trainer.fit({ handleSignals: false });
    return { values: snapshot(model, trainer), result };
  }

  it("continues an interrupted run exactly", async () => {
    const expected = await reference();
    const dir = tempDir();
    const controller = new AbortController();
    const first = makeTrainer(dir, 0, {
      onStep: (info) => {
        if (info.globalStep === 7) controller.abort();
      },
    });
    const partial = await first.trainer.fit({ signal: controller.signal, handleSignals: false });
    expect(partial.stopReason).toBe("interrupted");
    expect(partial.globalStep).toBe(7);
    const saved = readCheckpoint(join(dir, "latest.json"));
    expect(saved.reason).toBe("interrupt");
    expect(saved.epoch).toBe(1);
    expect(saved.batchInEpoch).toBe(2);
    const second = makeTrainer(dir, 99);
    expect(second.trainer.resume()).toBe(true);
    const result = await second.trainer.fit({ handleSignals: false });
    expect(result.globalStep).toBe(25);
    expect(result.lastMetrics).toEqual(expected.result.lastMetrics);
    expect(snapshot(second.model, second.trainer)).toEqual(expected.values);
  });

  it("continues after a crash from the last epoch checkpoint", async () => {
    const expected = await reference();
    const dir = tempDir();
    let steps = 0;
    const crashing = makeTrainer(dir, 0);
    const crashingTrainer = new Trainer<Batch>({
      ...crashing.trainer.options,
      loss: (b) => {
        steps++;
        if (steps === 13) throw new Error("simulated crash");
        return crashing.trainer.options.loss(b);
      },
    });
    await expect(crashingTrainer.fit({ handleSignals: false })).rejects.toThrow(/simulated crash/);
    const saved = readCheckpoint(join(dir, "latest.json"));
    expect(saved.reason).toBe("epoch");
    expect(saved.epoch).toBe(2);
    const second = makeTrainer(dir, 5);
    second.trainer.resume();
    await second.trainer.fit({ handleSignals: false });
    expect(snapshot(second.model, second.trainer)).toEqual(expected.values);
  });

  it("saves on interruption of the Effect program", async () => {
    const dir = tempDir();
    const { trainer } = makeTrainer(dir, 0, { epochs: 1000 });
    const fiber = Effect.runFork(trainer.fitEffect());
    while (trainer.globalStep < 3) await new Promise((resolve) => setTimeout(resolve, 1));
    await Effect.runPromise(Fiber.interrupt(fiber));
    const saved = readCheckpoint(join(dir, "latest.json"));
    expect(saved.reason).toBe("interrupt");
    expect(saved.globalStep).toBe(trainer.globalStep);
    expect(existsSync(join(dir, "latest.json"))).toBe(true);
  });

  it("returns false without a checkpoint", () => {
    const { trainer } = makeTrainer(tempDir(), 0);
    expect(trainer.resume()).toBe(false);
  });
});

describe("gradients computed elsewhere", () => {
  // A stand-in for a worker: its own copy of the model, loaded from host arrays every step, so
  // nothing is shared with the trained model but the numbers passed through the hook.
  function remoteGradients() {
    const { model: copy, loss } = linearSetup(99);
    const params = [...copy.trainableParameters().values()];
    return async (
      b: Batch,
      parameters: ReadonlyMap<string, Parameter>,
    ): Promise<ComputedGradients> => {
      const values = await Promise.all([...parameters.values()].map((p) => p.value.data()));
      engine.startScope();
      try {
        params.forEach((p, i) => {
          p.assign(tensor(engine, values[i] as Float64Array, p.shape, "float64"));
        });
        const { value, grads } = valueAndGrads(
          () => loss(b),
          params.map((p) => p.value),
        );
        return { loss: value.item(), grads: grads.map((g) => g.dataSync()) };
      } finally {
        engine.endScope(undefined);
      }
    };
  }

  // The validation counterpart: the copy's loss at the weights it is sent.
  function remoteLoss() {
    const { model: copy, loss } = linearSetup(98);
    const params = [...copy.trainableParameters().values()];
    return async (b: Batch, parameters: ReadonlyMap<string, Parameter>): Promise<number> => {
      const values = await Promise.all([...parameters.values()].map((p) => p.value.data()));
      return engine.scope(() => {
        params.forEach((p, i) => {
          p.assign(tensor(engine, values[i] as Float64Array, p.shape, "float64"));
        });
        return loss(b).item();
      });
    };
  }

  it("trains to the same weights and metrics as differentiating on this thread", async () => {
    const runs: { weights: number[]; result: FitResult }[] = [];
    let validations = 0;
    const countedLoss = remoteLoss();

    for (const remote of [false, true]) {
      const { model, loss } = linearSetup();
      const trainer = new Trainer({
        ...baseOptions(model, loss),
        optimizer: new Adam(model, { lr: 0.05 }),
        schedule: cosineSchedule({ lr: 0.05, minLr: 0.001, period: 20 }),
        clipGradNorm: 1,
        ema: { decay: 0.5 },
        metrics: { copy: loss },
        ...(remote
          ? {
              gradients: remoteGradients(),
              validationLoss: (b: Batch, p: ReadonlyMap<string, Parameter>) => {
                validations++;
                return countedLoss(b, p);
              },
            }
          : {}),
      });
      const result = await trainer.fit({ handleSignals: false });
      runs.push({
        weights: [
          ...model.weight.value.toArray().flat(),
          ...model.bias!.value.toArray(),
        ] as number[],
        result,
      });
    }

    const [local, remote] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(remote.result.globalStep).toBe(20);
    // One validation batch per epoch went through the hook.
    expect(validations).toBe(4);
    remote.weights.forEach((w, i) => expect(w).toBeCloseTo(local.weights[i] as number, 12));

    expect(Object.keys(remote.result.lastMetrics).sort()).toEqual([
      "train_loss",
      "val_copy",
      "val_loss",
    ]);
    for (const [name, value] of Object.entries(local.result.lastMetrics)) {
      expect(remote.result.lastMetrics[name]).toBeCloseTo(value, 12);
    }
    // The remote validation loss is that of the averaged weights, like the local metric.
    expect(remote.result.lastMetrics.val_loss).toBeCloseTo(
      remote.result.lastMetrics.val_copy as number,
      12,
    );
  });

  it("resumes a run stopped between steps to the same weights", async () => {
    const dir = tempDir();
    const make = () => {
      const { model, loss } = linearSetup();
      const trainer = new Trainer({
        ...baseOptions(model, loss),
        optimizer: new Adam(model, { lr: 0.05 }),
        gradients: remoteGradients(),
        checkpointDir: dir,
      });
      return { model, trainer };
    };
    const stop = new AbortController();
    const first = make();
    let steps = 0;
    const interrupted = new Trainer({
      ...first.trainer.options,
      onStep: () => {
        steps++;
        if (steps === 7) stop.abort();
      },
    });
    expect((await interrupted.fit({ handleSignals: false, signal: stop.signal })).stopReason).toBe(
      "interrupted",
    );
    const second = make();
    expect(second.trainer.resume()).toBe(true);
    const resumed = await second.trainer.fit({ handleSignals: false });
    const straight = make();
    const expected = await new Trainer({
      ...straight.trainer.options,
      checkpointDir: tempDir(),
    }).fit({ handleSignals: false });
    expect(resumed.lastMetrics.train_loss).toBeCloseTo(
      expected.lastMetrics.train_loss as number,
      12,
    );
    expect(second.model.weight.value.toArray()).toEqual(straight.model.weight.value.toArray());
  });

  it("rejects gradients that do not match the parameters, naming the parameter", async () => {
    const { model, loss } = linearSetup();
    const wrongCount = new Trainer({
      ...baseOptions(model, loss),
      optimizer: new Adam(model, { lr: 0.05 }),
      gradients: async () => ({ loss: 1, grads: [new Float64Array(3)] }),
    });
    await expect(wrongCount.fit({ handleSignals: false })).rejects.toThrow(
      /returned 1 arrays for 2 parameters/,
    );
    const wrongSize = new Trainer({
      ...baseOptions(model, loss),
      optimizer: new Adam(model, { lr: 0.05 }),
      gradients: async () => ({ loss: 1, grads: [new Float64Array(2), new Float64Array(1)] }),
    });
    await expect(wrongSize.fit({ handleSignals: false })).rejects.toThrow(
      /gradient of weight has 2 elements, expected 3/,
    );
  });

  it("reports a failed gradient computation as a training error", async () => {
    const { model, loss } = linearSetup();
    const trainer = new Trainer({
      ...baseOptions(model, loss),
      optimizer: new Adam(model, { lr: 0.05 }),
      gradients: async () => {
        throw new Error("worker exited");
      },
    });
    const failed = trainer.fit({ handleSignals: false });
    await expect(failed).rejects.toThrow(TrainingError);
    await expect(failed).rejects.toThrow(/training step 1 failed: worker exited/);
  });
});
