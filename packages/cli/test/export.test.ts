import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, initEngine, Random } from "@covnet/core";
import { loadDataset, neighborList } from "@covnet/datasets";
import {
  CONVENTION_VERSION,
  Cormorant,
  type ExportedCormorant,
  MODEL_FORMAT,
  type SavedCormorant,
  saveCormorant,
  toAtomsInput,
} from "@covnet/models-cormorant";
import type { StateDict } from "@covnet/nn";
import { describe, expect, it } from "vitest";
import {
  encodeFloat32Base64,
  exportCormorant,
  parseFrameSelection,
} from "../src/commands/export.js";

const bin = new URL("../src/bin.ts", import.meta.url).pathname;

function run(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--conditions=covnet-source", "--import", "tsx", bin, ...args],
      {
        env: { ...process.env, COVNET_LOG_LEVEL: "warn", NO_COLOR: "1" },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function decodeFloat32Base64(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) =>
    view.getFloat32(4 * i, true),
  );
}

async function cpuEngine(): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat: "float64" });
}

const config = {
  maxl: 1,
  levels: 1,
  channels: 3,
  species: [1, 6, 8],
  chargePower: 2,
  cutoff: 4,
  numRadial: 4,
  radialHidden: 8,
  readoutHidden: [8],
  activationBound: "soft",
} as const;

/** Saves a randomly initialised float64 model as `model.json` in a fresh folder. */
async function savedModel(
  engine: Engine,
): Promise<{ dir: string; saved: SavedCormorant; model: Cormorant }> {
  const model = new Cormorant(engine, config, new Random(7), "float64");
  model.setEnergyStatistics(2.5, { 1: -0.5, 6: -37.8, 8: -75.1 });
  const state: StateDict = await model.stateDict();
  const saved: SavedCormorant = {
    format: MODEL_FORMAT,
    formatVersion: 1,
    conventionVersion: CONVENTION_VERSION,
    config,
    dtype: "float64",
    energyStatistics: model.energyStatistics(),
    units: { energy: "kcal/mol", length: "angstrom", forces: "kcal/mol/A" },
    dataset: { id: "rmd17/ethanol" },
    state,
  };
  const dir = mkdtempSync(join(tmpdir(), "covnet-export-"));
  saveCormorant(dir, saved);
  return { dir, saved, model };
}

describe("parseFrameSelection", () => {
  it("reads ranges and single indices", () => {
    expect(parseFrameSelection("rmd17/ethanol:0-3")).toEqual({
      dataset: "rmd17/ethanol",
      indices: [0, 1, 2, 3],
    });
    expect(parseFrameSelection("rmd17/aspirin:7,2-3,3")).toEqual({
      dataset: "rmd17/aspirin",
      indices: [2, 3, 7],
    });
  });

  it("rejects malformed selections", () => {
    expect(() => parseFrameSelection("rmd17/ethanol")).toThrow(/expected DATASET:RANGES/);
    expect(() => parseFrameSelection("rmd17/ethanol:")).toThrow(/expected DATASET:RANGES/);
    expect(() => parseFrameSelection("rmd17/ethanol:a-b")).toThrow(/"a-b" is not an index/);
    expect(() => parseFrameSelection("rmd17/ethanol:5-2")).toThrow(/runs backwards/);
  });
});

describe("encodeFloat32Base64", () => {
  it("round-trips float32 values", () => {
    const values = [0, 1, -2.5, 1e-30, 3.4e38, Math.PI];
    expect(Array.from(decodeFloat32Base64(encodeFloat32Base64(values)))).toEqual(
      Array.from(Float32Array.from(values)),
    );
  });
});

describe("covnet export", () => {
  // Each case starts the command in a new Node.js process (several seconds), so they overlap.
  it.concurrent("writes weights, statistics and frames", async () => {
    const engine = await cpuEngine();
    const { dir, saved, model } = await savedModel(engine);
    const out = join(dir, "export", "model.json");
    const r = await run([
      "export",
      "--checkpoint",
      dir,
      "--out",
      out,
      "--frames",
      "rmd17/ethanol:3-5",
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as {
      frames: number;
      encoding: string;
    };
    expect(summary.frames).toBe(3);
    expect(summary.encoding).toBe("float32-base64");

    const file = JSON.parse(readFileSync(out, "utf8")) as ExportedCormorant;
    expect(file.format).toBe("covnet-cormorant-export");
    expect(file.formatVersion).toBe(1);
    expect(file.conventionVersion).toBe(CONVENTION_VERSION);
    expect(file.config).toEqual(config);
    expect(file.energyStatistics).toEqual(saved.energyStatistics);
    expect(file.units).toEqual(saved.units);
    expect(file.weights.encoding).toBe("float32-base64");
    expect(Object.keys(file.weights.tensors).sort()).toEqual(Object.keys(saved.state).sort());
    const state: Record<string, { shape: readonly number[]; dtype: "float32"; data: number[] }> =
      {};
    for (const [name, tensor] of Object.entries(file.weights.tensors)) {
      const record = saved.state[name];
      expect(tensor.shape).toEqual(record?.shape);
      const values = decodeFloat32Base64(tensor.data as string);
      expect(Array.from(values)).toEqual(Array.from(Float32Array.from(record?.data ?? [])));
      state[name] = { shape: tensor.shape, dtype: "float32", data: Array.from(values) };
    }

    const ds = await loadDataset("rmd17/ethanol");
    expect(file.frames?.dataset).toBe("rmd17/ethanol");
    expect(file.frames?.units).toEqual({
      length: "angstrom",
      energy: "kcal/mol",
      forces: "kcal/mol/angstrom",
    });
    expect(file.frames?.items.map((f) => f.index)).toEqual([3, 4, 5]);
    const frame = file.frames?.items[1];
    const reference = ds.molecule(4);
    expect(frame?.charges).toEqual(Array.from(reference.charges));
    expect(frame?.positions).toEqual(Array.from(reference.positions));
    expect(frame?.energy).toBe(reference.energy);
    expect(frame?.forces).toEqual(Array.from(reference.forces ?? []));

    // The float32 weights give the float64 model's energy to float32 accuracy.
    const restored = new Cormorant(engine, file.config, new Random(0), "float64");
    await restored.loadStateDict(state);
    restored.setEnergyStatistics(file.energyStatistics.scale, file.energyStatistics.offsets);
    const n = reference.charges.length;
    const edges = neighborList(reference.positions, config.cutoff);
    const batch = {
      numMolecules: 1,
      numAtoms: n,
      charges: reference.charges,
      positions: reference.positions,
      moleculeIndex: new Int32Array(n),
      edgeSrc: edges.src,
      edgeDst: edges.dst,
    };
    const options = {
      species: config.species,
      chargePower: config.chargePower,
      dtype: "float64" as const,
    };
    const expected = model.energies(toAtomsInput(engine, batch, options)).item();
    const actual = restored.energies(toAtomsInput(engine, batch, options)).item();
    expect(Math.abs(actual - expected)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected)));
    expect(actual).not.toBe(expected);
  });

  it.concurrent("rejects a frame outside the dataset", async () => {
    const engine = await cpuEngine();
    const { dir } = await savedModel(engine);
    const r = await run([
      "export",
      "--checkpoint",
      dir,
      "--out",
      join(dir, "x.json"),
      "--frames",
      "rmd17/ethanol:1999-2000",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^covnet: error: .*frame 2000 is outside rmd17\/ethanol, which has 2000 frames$/,
    );
  });

  it("keeps full precision with numbers encoding", async () => {
    const engine = await cpuEngine();
    const { saved } = await savedModel(engine);
    const file = exportCormorant(saved, "numbers");
    expect(file.weights.encoding).toBe("numbers");
    expect(file.frames).toBeUndefined();
    for (const [name, tensor] of Object.entries(file.weights.tensors)) {
      expect(tensor.data).toEqual(saved.state[name]?.data);
    }
  });
});
