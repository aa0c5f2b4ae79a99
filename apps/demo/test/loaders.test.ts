import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, initEngine, Random } from "@covnet/core";
import { loadDataset, neighborList } from "@covnet/datasets";
import {
  Cormorant,
  CONVENTION_VERSION as LIBRARY_CONVENTION,
  toAtomsInput,
} from "@covnet/models-cormorant";
import { beforeAll, describe, expect, it } from "vitest";
import { atomicMass, atomicNumber, covalentRadius } from "../src/elements.js";
import {
  CONVENTION_VERSION,
  createModel,
  decodeFloat32Base64,
  decodeWeights,
  type ExportedTensor,
  type ModelFile,
  parseModelFile,
} from "../src/model-file.js";
import { neighborPairs, Predictor } from "../src/predictor.js";
import { findBonds } from "../src/viewer.js";
import { parseXyzFrames, XyzParseError } from "../src/xyz.js";

function encodeFloat32Base64(values: readonly number[]): string {
  return Buffer.from(Float32Array.from(values).buffer).toString("base64");
}

const config = {
  maxl: 1,
  levels: 2,
  channels: 3,
  species: [1, 6, 8],
  chargePower: 2,
  cutoff: 4,
  numRadial: 4,
  radialHidden: 8,
  readoutHidden: [8],
  activationBound: "soft",
} as const;

async function cpuEngine(dtype: "float32" | "float64"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat: dtype });
}

/** Exports a random model the way `covnet export` does. */
async function exportedModel(engine: Engine, encoding: "float32-base64" | "numbers") {
  const model = new Cormorant(engine, config, new Random(11), "float64");
  model.setEnergyStatistics(3, { 1: -0.6, 6: -38, 8: -75 });
  const tensors: Record<string, { shape: number[]; data: string | number[] }> = {};
  for (const [name, record] of Object.entries(await model.stateDict())) {
    const data = encoding === "numbers" ? [...record.data] : encodeFloat32Base64(record.data);
    tensors[name] = { shape: [...record.shape], data };
  }
  const file = {
    format: "covnet-cormorant-export",
    formatVersion: 1,
    conventionVersion: CONVENTION_VERSION,
    config,
    dtype: "float64",
    energyStatistics: model.energyStatistics(),
    units: { energy: "kcal/mol", length: "angstrom", forces: "kcal/mol/A" },
    dataset: { id: "rmd17/ethanol" },
    weights: { encoding, tensors },
  };
  return { model, file };
}

describe("elements", () => {
  it("looks up symbols, masses and radii", () => {
    expect(atomicNumber("C")).toBe(6);
    expect(atomicNumber("cl")).toBe(17);
    expect(atomicMass(8)).toBe(15.999);
    expect(covalentRadius(1)).toBe(0.31);
  });

  it("rejects unknown elements", () => {
    expect(() => atomicNumber("Xx")).toThrow(/unknown element symbol "Xx"/);
    expect(() => atomicMass(0)).toThrow(/atomic number 0 is outside 1\.\.36/);
  });
});

describe("parseXyzFrames", () => {
  it("reads plain and extended XYZ frames", () => {
    const text = [
      "3",
      "water",
      "O 0.0 0.0 0.1",
      "H 0.757 0.586 0.0",
      "1 -0.757 0.586 0.0",
      "",
      "2",
      "Properties=species:S:1:pos:R:3:forces:R:3 energy=-1.5",
      "h 0 0 0 0.1 0.2 0.3",
      "H 0 0 0.74 -0.1 -0.2 -0.3",
    ].join("\n");
    const frames = parseXyzFrames(text, "two.xyz");
    expect(frames).toHaveLength(2);
    expect(Array.from(frames[0]?.charges ?? [])).toEqual([8, 1, 1]);
    expect(Array.from(frames[0]?.positions ?? [])).toEqual([
      0, 0, 0.1, 0.757, 0.586, 0, -0.757, 0.586, 0,
    ]);
    expect(frames[0]?.comment).toBe("water");
    expect(Array.from(frames[1]?.charges ?? [])).toEqual([1, 1]);
    expect(frames[1]?.positions[5]).toBe(0.74);
  });

  it("names the file and line of an error", () => {
    expect(() => parseXyzFrames("2\nx\nO 0 0 0\n", "short.xyz")).toThrow(
      /short\.xyz:1: the frame declares 2 atoms but the file ends first/,
    );
    expect(() => parseXyzFrames("1\nx\nQq 0 0 0\n", "bad.xyz")).toThrow(
      /bad\.xyz:3: unknown element symbol "Qq"/,
    );
    expect(() => parseXyzFrames("1\nx\nO 0 zero 0\n", "nan.xyz")).toThrow(
      /nan\.xyz:3: coordinate "zero" is not a number/,
    );
    expect(() => parseXyzFrames("water\n", "count.xyz")).toThrow(XyzParseError);
    expect(() => parseXyzFrames("\n\n", "empty.xyz")).toThrow(
      /empty\.xyz:1: the file contains no frame/,
    );
  });
});

describe("model files", () => {
  let engine64: Engine;
  let engine32: Engine;
  beforeAll(async () => {
    engine64 = await cpuEngine("float64");
    engine32 = await cpuEngine("float32");
  });

  it("uses the library's convention version", () => {
    expect(CONVENTION_VERSION).toBe(LIBRARY_CONVENTION);
  });

  it("decodes little-endian float32 base64", () => {
    const values = [0, -1.5, 3.25, 1e-7, 65504];
    expect(Array.from(decodeFloat32Base64(encodeFloat32Base64(values)))).toEqual(
      Array.from(Float32Array.from(values)),
    );
  });

  it("rejects other formats and conventions", async () => {
    const { file } = await exportedModel(engine64, "numbers");
    expect(() => parseModelFile([], "a.json")).toThrow(/a\.json: expected a JSON object/);
    expect(() => parseModelFile({ ...file, format: "covnet-cormorant-model" }, "b.json")).toThrow(
      /b\.json: format is "covnet-cormorant-model", expected "covnet-cormorant-export"/,
    );
    expect(() => parseModelFile({ ...file, formatVersion: 2 }, "c.json")).toThrow(
      /formatVersion 2 is not supported/,
    );
    expect(() => parseModelFile({ ...file, conventionVersion: "other" }, "d.json")).toThrow(
      /conventionVersion is "other", but this demo uses "covnet-so3-real-v1"/,
    );
    expect(() =>
      parseModelFile({ ...file, weights: { encoding: "f16", tensors: {} } }, "e.json"),
    ).toThrow(/weights\.encoding "f16" is unknown/);
    const { config: _dropped, ...withoutConfig } = file;
    expect(() => parseModelFile(withoutConfig, "f.json")).toThrow(/missing object field "config"/);
  });

  it("rejects weights whose size does not match the shape", async () => {
    const { file } = await exportedModel(engine64, "numbers");
    const parsed = parseModelFile(file, "g.json");
    const [name, tensor] = Object.entries(parsed.weights.tensors)[0] as [string, ExportedTensor];
    const broken: ModelFile = {
      ...parsed,
      weights: {
        ...parsed.weights,
        tensors: { ...parsed.weights.tensors, [name]: { ...tensor, shape: [1, 1, 1000] } },
      },
    };
    expect(() => decodeWeights(broken, "g.json")).toThrow(
      /g\.json: weight ".*" has \d+ values, but its shape \[1, 1, 1000\] needs 1000/,
    );
  });

  it("rebuilds the exported model", async () => {
    const ds = await loadDataset("rmd17/ethanol");
    const frame = ds.molecule(1000);
    const n = frame.charges.length;
    const edges = neighborList(frame.positions, config.cutoff);
    const batch = {
      numMolecules: 1,
      numAtoms: n,
      charges: frame.charges,
      positions: frame.positions,
      moleculeIndex: new Int32Array(n),
      edgeSrc: edges.src,
      edgeDst: edges.dst,
    };
    const options = { species: config.species, chargePower: 2, dtype: "float64" as const };
    for (const encoding of ["numbers", "float32-base64"] as const) {
      const { model, file } = await exportedModel(engine64, encoding);
      const rebuilt = await createModel(
        engine64,
        parseModelFile(file, "model.json"),
        "float64",
        "model.json",
      );
      const expected = model.energiesAndForces(toAtomsInput(engine64, batch, options));
      const actual = await new Predictor(engine64, rebuilt, frame.charges).predict(frame.positions);
      const tolerance = encoding === "numbers" ? 1e-9 : 1e-4;
      expect(Math.abs(actual.energy - expected.energies.item())).toBeLessThan(
        tolerance * Math.abs(actual.energy),
      );
      const forces = expected.forces.dataSync();
      for (let i = 0; i < forces.length; i++) {
        expect(Math.abs((actual.forces[i] as number) - (forces[i] as number))).toBeLessThan(
          tolerance * 10,
        );
      }
    }
  });

  it("predicts in float32 close to float64", async () => {
    const { file } = await exportedModel(engine64, "float32-base64");
    const parsed = parseModelFile(file, "model.json");
    const positions = new Float64Array([
      0, 0, 0, 1.09, 0, 0, -0.36, 1.03, 0, -0.36, -0.51, 0.89, -0.36, -0.51, -0.89,
    ]);
    const charges = new Int32Array([6, 1, 1, 1, 1]);
    const p64 = await new Predictor(
      engine64,
      await createModel(engine64, parsed, "float64", "m"),
      charges,
    ).predict(positions);
    const p32 = await new Predictor(
      engine32,
      await createModel(engine32, parsed, "float32", "m"),
      charges,
    ).predict(positions);
    expect(Math.abs(p32.energy - p64.energy)).toBeLessThan(1e-5 * Math.abs(p64.energy));
    let forceSum = 0;
    for (let i = 0; i < 15; i++) forceSum += p64.forces[i] as number;
    expect(Math.abs(forceSum)).toBeLessThan(1e-9);
  });

  it("rejects molecules with elements outside the model", async () => {
    const { file } = await exportedModel(engine64, "numbers");
    const model = await createModel(engine64, parseModelFile(file, "m"), "float64", "m");
    expect(() => new Predictor(engine64, model, new Int32Array([6, 7]))).toThrow(
      /the model embeds the atomic numbers 1, 6, 8, not 7/,
    );
  });
});

describe("geometry", () => {
  it("lists the same neighbour pairs as the datasets package", async () => {
    const ds = await loadDataset("rmd17/aspirin");
    const positions = ds.molecule(0).positions;
    for (const cutoff of [1.5, 3, 5]) {
      const expected = neighborList(positions, cutoff, "brute-force");
      const actual = neighborPairs(positions, cutoff);
      expect(Array.from(actual.src)).toEqual(Array.from(expected.src));
      expect(Array.from(actual.dst)).toEqual(Array.from(expected.dst));
    }
  });

  it("finds the eight bonds of ethanol", async () => {
    const ds = await loadDataset("rmd17/ethanol");
    const frame = ds.molecule(1000);
    const bonds = findBonds(frame.charges, frame.positions);
    expect(bonds).toHaveLength(8);
    const heavy = bonds.filter(([i, j]) => frame.charges[i] !== 1 && frame.charges[j] !== 1);
    expect(heavy).toHaveLength(2);
  });
});
