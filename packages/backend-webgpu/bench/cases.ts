/**
 * The benchmark workloads, shared by the Node.js runner (`run.ts`) and the Chromium page
 * (`browser/main.ts`), so both time the same cases. Nothing here imports a Node.js module.
 */
import {
  add,
  type CGPathData,
  type CGPlanData,
  type Engine,
  matmul,
  mean,
  Random,
  square,
  sub,
  type Tensor,
  valueAndGrads,
} from "@covnet/core";
import type { GraphBatch } from "@covnet/datasets";
import { Cormorant, toAtomsInput } from "@covnet/models-cormorant";

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds a `uvu` plan coupling node features `tau x (0 + 1 + 2)` with edge harmonics `1 x (0 + 1 + 2)`
 * into every `l <= 2`. Coefficients are random with the selection-rule sparsity of real CG
 * coefficients (`m` fixed by `m1`, `m2` up to two choices), which is what sets the work.
 */
function edgePlan(tau: number): CGPlanData {
  const next = random(1);
  const paths: CGPathData[] = [];
  const m1: number[] = [];
  const m2: number[] = [];
  const m: number[] = [];
  const coefficients: number[] = [];
  const couplings: [number, number, number][] = [];
  for (let l1 = 0; l1 <= 2; l1++) {
    for (let l2 = 0; l2 <= 2; l2++) {
      for (let l = Math.abs(l1 - l2); l <= Math.min(l1 + l2, 2); l++) couplings.push([l1, l2, l]);
    }
  }
  const pathsPerL = [0, 0, 0];
  for (const [, , l] of couplings) pathsPerL[l] = (pathsPerL[l] as number) + 1;
  const outOffsets = [0, pathsPerL[0]! * tau, pathsPerL[0]! * tau + 3 * pathsPerL[1]! * tau];
  const used = [0, 0, 0];
  let weightDim = 0;
  for (const [l1, l2, l] of couplings) {
    const start = coefficients.length;
    for (let a = 0; a <= 2 * l1; a++) {
      for (let b = 0; b <= 2 * l2; b++) {
        for (let c = 0; c <= 2 * l; c++) {
          const ma = Math.abs(a - l1);
          const mb = Math.abs(b - l2);
          const mc = Math.abs(c - l);
          if (mc !== ma + mb && mc !== Math.abs(ma - mb)) continue;
          m1.push(a);
          m2.push(b);
          m.push(c);
          coefficients.push(next() * 2 - 1);
        }
      }
    }
    paths.push({
      l1,
      l2,
      l,
      offset1: l1 * l1 * tau,
      tau1: tau,
      offset2: l2 * l2,
      tau2: 1,
      offsetOut: outOffsets[l] as number,
      tauOut: (pathsPerL[l] as number) * tau,
      channelOffsetOut: used[l] as number,
      weightOffset: weightDim,
      coefficientStart: start,
      coefficientCount: coefficients.length - start,
      pathWeight: 1,
    });
    used[l] = (used[l] as number) + tau;
    weightDim += tau;
  }
  return {
    key: `bench:uvu:${tau}`,
    mode: "uvu",
    dim1: 9 * tau,
    dim2: 9,
    dimOut: (pathsPerL[0]! + 3 * pathsPerL[1]! + 5 * pathsPerL[2]!) * tau,
    weightDim,
    paths,
    m1: Int32Array.from(m1),
    m2: Int32Array.from(m2),
    m: Int32Array.from(m),
    coefficients: Float64Array.from(coefficients),
  };
}

function filled(engine: Engine, shape: number[], seed: number): Tensor {
  const next = random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return engine.makeTensor(
    Float32Array.from({ length: size }, () => next() * 2 - 1),
    shape,
    "float32",
  );
}

/** Median milliseconds of `run` (which must include the read-back), after one warm-up call. */
async function time(run: () => Promise<void>, repeats: number): Promise<number> {
  await run();
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

async function benchMatmul(engine: Engine, n: number, repeats: number): Promise<number> {
  const a = filled(engine, [n, n], 1);
  const b = filled(engine, [n, n], 2);
  const ms = await time(async () => {
    const c = matmul(a, b);
    await c.data();
    c.dispose();
  }, repeats);
  a.dispose();
  b.dispose();
  return ms;
}

async function benchCG(
  engine: Engine,
  plan: CGPlanData,
  batch: number,
  repeats: number,
): Promise<number> {
  const x1 = filled(engine, [batch, plan.dim1], 3);
  const x2 = filled(engine, [batch, plan.dim2], 4);
  const w = filled(engine, [batch, plan.weightDim], 5);
  const placeholder = engine.makeTensor(new Float32Array(0), [0], "float32");
  const attrs = { plan, target: "out" as const, batch, perItemWeights: true };
  const ms = await time(async () => {
    const out = engine.runKernel("CGProduct", [x1, x2, w, placeholder], attrs);
    await out.data();
    out.dispose();
  }, repeats);
  for (const t of [x1, x2, w, placeholder]) t.dispose();
  return ms;
}

/** Cormorant settings of the benchmark: the defaults of `covnet train cormorant`. */
export const CORMORANT = { maxl: 2, levels: 3, channels: 8 } as const;
export const CORMORANT_FRAMES = 8;

/**
 * Times Cormorant on one batch of ethanol frames. Mode `forces` runs the forward pass and the
 * backward pass to the positions (energies and forces `-dE/dx`). Mode `training` also
 * differentiates a loss on energies and forces with respect to every parameter (a double
 * backward). The upload of the batch is part of each run.
 */
async function benchCormorant(
  engine: Engine,
  batch: GraphBatch,
  mode: "forces" | "training",
  repeats: number,
): Promise<number> {
  const model = new Cormorant(engine, CORMORANT, new Random(1), "float32");
  const options = {
    species: model.config.species,
    chargePower: model.config.chargePower,
    dtype: "float32" as const,
  };
  const parameters = [...model.parameters().values()].map((p) => p.value);
  const ms = await time(async () => {
    const outputs = engine.scope(() => {
      const input = toAtomsInput(engine, batch, options);
      if (mode === "forces") {
        const { energies, forces } = model.energiesAndForces(input);
        return [energies, forces];
      }
      const { grads } = valueAndGrads(() => {
        const { energies, forces } = model.energiesAndForces(input);
        const energyRef = engine.makeTensor(
          batch.energies as Float64Array,
          [batch.numMolecules],
          "float32",
        );
        const forceRef = engine.makeTensor(
          batch.forces as Float64Array,
          [batch.numAtoms, 3],
          "float32",
        );
        return add(mean(square(sub(energies, energyRef))), mean(square(sub(forces, forceRef))));
      }, parameters);
      return grads;
    });
    // The queue runs in order, so the last output's read waits for every earlier kernel.
    await (outputs[outputs.length - 1] as Tensor).data();
    for (const t of outputs) t.dispose();
  }, repeats);
  model.dispose();
  return ms;
}

/** One table row: workload, CPU median (ms), WebGPU median (ms). */
export type BenchRow = [workload: string, cpuMs: number, webgpuMs: number];

/**
 * Runs every workload on both engines, CPU first, and returns one row per workload. `batch` is the
 * first {@link CORMORANT_FRAMES} ethanol frames with a 5 Angstrom cutoff. `onRow` is called
 * with each row as it finishes.
 */
export async function runCases(
  cpu: Engine,
  gpu: Engine,
  batch: GraphBatch,
  repeats: number,
  onRow: (row: BenchRow) => void = () => {},
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const push = (row: BenchRow): void => {
    rows.push(row);
    onRow(row);
  };
  const plan = edgePlan(16);
  for (const n of [256, 512]) {
    push([
      `matmul ${n}x${n} @ ${n}x${n}`,
      await benchMatmul(cpu, n, repeats),
      await benchMatmul(gpu, n, repeats),
    ]);
  }
  for (const size of [1000, 4000]) {
    push([
      `CGProduct uvu 16x(0+1+2) (x) 1x(0+1+2), ${plan.paths.length} paths, batch ${size}`,
      await benchCG(cpu, plan, size, repeats),
      await benchCG(gpu, plan, size, repeats),
    ]);
  }
  const setting = `${CORMORANT_FRAMES} ethanol frames, maxl ${CORMORANT.maxl}, ${CORMORANT.levels} levels, ${CORMORANT.channels} channels`;
  push([
    `Cormorant energies + forces, ${setting}`,
    await benchCormorant(cpu, batch, "forces", repeats),
    await benchCormorant(gpu, batch, "forces", repeats),
  ]);
  push([
    `Cormorant training gradient (energy + force loss), ${setting}`,
    await benchCormorant(cpu, batch, "training", repeats),
    await benchCormorant(gpu, batch, "training", repeats),
  ]);
  return rows;
}

/** Formats the rows as a Markdown table with the CPU / WebGPU ratio. */
export function formatTable(rows: readonly BenchRow[]): string {
  return [
    "| workload | CPU (ms) | WebGPU (ms) | CPU / WebGPU |",
    "| --- | ---: | ---: | ---: |",
    ...rows.map(
      ([name, c, g]) => `| ${name} | ${c.toFixed(2)} | ${g.toFixed(2)} | ${(c / g).toFixed(2)} |`,
    ),
  ].join("\n");
}

type BatchField =
  | "charges"
  | "moleculeIndex"
  | "edgeSrc"
  | "edgeDst"
  | "atomsPerMolecule"
  | "indices";
const INT_FIELDS: readonly BatchField[] = [
  "charges",
  "moleculeIndex",
  "edgeSrc",
  "edgeDst",
  "atomsPerMolecule",
  "indices",
];

/** A {@link GraphBatch} as plain JSON, with every typed array as a number array. */
export type EncodedBatch = Record<string, number | number[]>;

/** Encodes a batch for the page, which cannot read the dataset files itself. */
export function encodeBatch(batch: GraphBatch): EncodedBatch {
  const out: EncodedBatch = {};
  for (const [key, value] of Object.entries(batch)) {
    if (typeof value === "number") out[key] = value;
    else if (ArrayBuffer.isView(value)) out[key] = Array.from(value as Float64Array | Int32Array);
  }
  return out;
}

/**
 * Rebuilds the batch that {@link encodeBatch} encoded.
 *
 * @throws {Error} when a field of a graph batch is missing.
 */
export function decodeBatch(encoded: EncodedBatch): GraphBatch {
  const ints = (key: BatchField): Int32Array => {
    const value = encoded[key];
    if (!Array.isArray(value)) throw new Error(`encoded batch: field ${key} is missing`);
    return Int32Array.from(value);
  };
  const floats = (key: string): Float64Array | undefined => {
    const value = encoded[key];
    return Array.isArray(value) ? Float64Array.from(value) : undefined;
  };
  const positions = floats("positions");
  if (positions === undefined) throw new Error("encoded batch: field positions is missing");
  const [charges, moleculeIndex, edgeSrc, edgeDst, atomsPerMolecule, indices] =
    INT_FIELDS.map(ints);
  const energies = floats("energies");
  const forces = floats("forces");
  const targets = floats("targets");
  return {
    numMolecules: Number(encoded.numMolecules),
    numAtoms: Number(encoded.numAtoms),
    charges: charges as Int32Array,
    positions,
    moleculeIndex: moleculeIndex as Int32Array,
    edgeSrc: edgeSrc as Int32Array,
    edgeDst: edgeDst as Int32Array,
    atomsPerMolecule: atomsPerMolecule as Int32Array,
    indices: indices as Int32Array,
    ...(energies === undefined ? {} : { energies }),
    ...(forces === undefined ? {} : { forces }),
    ...(targets === undefined ? {} : { targets }),
  };
}
