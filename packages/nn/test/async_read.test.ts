import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Engine, Random, type Tensor, tensor } from "@covnet/core";
import { describe, expect, it } from "vitest";
import {
  Adam,
  type Checkpoint,
  ExponentialMovingAverage,
  Linear,
  MLP,
  mseLoss,
  readCheckpoint,
  Trainer,
  type TrainerOptions,
} from "../src/index.js";
import { asyncReadEngine, cpuEngine } from "./helpers.js";

// The same training runs on the CPU backend and on the CPU backend without synchronous reads
// (as on WebGPU). The kernels are the same, so every number must agree exactly.

interface Batch {
  readonly x: number[];
  readonly y: number[];
  readonly n: number;
}

// y = x . [1, -2, 0.5] + 0.3 + noise: 40 training and 8 validation rows.
function makeBatches(): { train: Batch[]; valid: Batch[] } {
  const rng = new Random(42);
  const rows = Array.from({ length: 48 }, () => {
    const x = [rng.normal(), rng.normal(), rng.normal()];
    return { x, y: x[0]! - 2 * x[1]! + 0.5 * x[2]! + 0.3 + 0.01 * rng.normal() };
  });
  const batch = (from: number, to: number): Batch => ({
    x: rows.slice(from, to).flatMap((r) => r.x),
    y: rows.slice(from, to).map((r) => r.y),
    n: to - from,
  });
  return {
    train: [0, 8, 16, 24, 32].map((start) => batch(start, start + 8)),
    valid: [batch(40, 48)],
  };
}

const data = makeBatches();

/** Builds a model and its trainer. With `plain`, the trainer has no validation, metrics or EMA. */
function setup(
  engine: Engine,
  dir: string | undefined,
  extra: Partial<TrainerOptions<Batch>> = {},
  plain = false,
) {
  const model = new MLP(engine, [3, 6, 1], { rng: new Random(3), activation: "silu" });
  const loss = (b: Batch): Tensor =>
    mseLoss(
      model.forward(tensor(engine, b.x, [b.n, 3], "float64")),
      tensor(engine, b.y, [b.n, 1], "float64"),
    );
  const trainer = new Trainer<Batch>({
    model,
    optimizer: new Adam(model, { lr: 0.03, amsgrad: true }),
    loss,
    trainBatches: (_epoch, rng) => rng.shuffle([...data.train]),
    ...(plain
      ? {}
      : {
          validationBatches: () => data.valid,
          metrics: { mse: loss },
          ema: { decay: 0.8, warmup: true },
        }),
    epochs: 3,
    seed: 5,
    clipGradNorm: 1,
    progress: "none",
    conventionVersion: "test-1",
    ...(dir === undefined ? {} : { checkpointDir: dir, logFile: join(dir, "train.jsonl") }),
    ...extra,
  });
  return { model, trainer };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "covnet-nn-async-"));
}

/** Returns the checkpoint without its time stamp, for comparing two runs. */
function comparable(c: Checkpoint): Omit<Checkpoint, "savedAt"> {
  const { savedAt: _savedAt, ...rest } = c;
  return rest;
}

describe("backend without synchronous reads", () => {
  it("stateDict throws and stateDictAsync reads", async () => {
    const { engine } = await asyncReadEngine();
    const layer = new Linear(engine, 3, 2, { rng: new Random(1) });
    expect(() => layer.stateDict()).toThrow(/no synchronous read/);
    const reference = new Linear(await cpuEngine(), 3, 2, { rng: new Random(1) });
    expect(await layer.stateDictAsync()).toEqual(reference.stateDict());
    expect(await reference.stateDictAsync()).toEqual(reference.stateDict());
  });

  it("optimizer and EMA states read asynchronously", async () => {
    const states = [];
    for (const make of [cpuEngine, async () => (await asyncReadEngine()).engine]) {
      const engine = await make();
      const layer = new Linear(engine, 2, 2, { rng: new Random(2) });
      const optimizer = new Adam(layer, { lr: 0.1 });
      const ema = new ExponentialMovingAverage(layer, { decay: 0.5 });
      optimizer.step([tensor(engine, [1, 2, 3, 4], [2, 2], "float64"), tensor(engine, [1, -1])]);
      ema.update();
      states.push({ optimizer: await optimizer.stateAsync(), ema: await ema.stateAsync() });
    }
    expect(states[1]).toEqual(states[0]);
    expect(Object.keys(states[0]?.optimizer.slots ?? {})).toEqual(["m", "v"]);
  });

  it("trainer matches the synchronous backend exactly", async () => {
    const syncDir = tempDir();
    const asyncDir = tempDir();
    const sync = setup(await cpuEngine(), syncDir);
    const expected = await sync.trainer.fit({ handleSignals: false });
    const async = setup((await asyncReadEngine()).engine, asyncDir);
    const result = await async.trainer.fit({ handleSignals: false });
    expect(result).toEqual(expected);
    expect(Number.isFinite(result.lastMetrics.val_mse)).toBe(true);
    expect(await async.model.stateDictAsync()).toEqual(sync.model.stateDict());
    expect(comparable(readCheckpoint(join(asyncDir, "latest.json")))).toEqual(
      comparable(readCheckpoint(join(syncDir, "latest.json"))),
    );
    const best = (dir: string) => JSON.parse(readFileSync(join(dir, "best.json"), "utf8"));
    expect(best(asyncDir)).toEqual(best(syncDir));
  });

  it("reads the loss only at logged steps", async () => {
    const { engine, backend } = await asyncReadEngine();
    const dir = tempDir();
    const { trainer } = setup(
      engine,
      undefined,
      { epochs: 4, logFile: join(dir, "train.jsonl"), logEvery: 10 },
      true,
    );
    const result = await trainer.fit({ handleSignals: false });
    expect(result.globalStep).toBe(20);
    // Steps 10 and 20 are logged; each of the 4 epochs reads its loss sum once.
    expect(backend.reads).toBe(2 + 4);
    const steps = readFileSync(join(dir, "train.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; globalStep: number; loss: number })
      .filter((r) => r.type === "step");
    expect(steps.map((r) => r.globalStep)).toEqual([10, 20]);
    for (const r of steps) expect(Number.isFinite(r.loss)).toBe(true);
  });

  it("resumes an interrupted run exactly", async () => {
    const reference = setup((await asyncReadEngine()).engine, tempDir());
    const expected = await reference.trainer.fit({ handleSignals: false });
    const dir = tempDir();
    const controller = new AbortController();
    const first = setup((await asyncReadEngine()).engine, dir, {
      onStep: (info) => {
        if (info.globalStep === 7) controller.abort();
      },
    });
    const partial = await first.trainer.fit({ signal: controller.signal, handleSignals: false });
    expect(partial.stopReason).toBe("interrupted");
    const saved = readCheckpoint(join(dir, "latest.json"));
    expect(saved.reason).toBe("interrupt");
    expect(saved.globalStep).toBe(7);
    expect(saved.batchInEpoch).toBe(2);
    const second = setup((await asyncReadEngine()).engine, dir);
    expect(second.trainer.resume()).toBe(true);
    const result = await second.trainer.fit({ handleSignals: false });
    expect(result.lastMetrics).toEqual(expected.lastMetrics);
    expect(await second.model.stateDictAsync()).toEqual(await reference.model.stateDictAsync());
  });
});
