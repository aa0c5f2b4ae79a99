/**
 * Weisfeiler-Lehman count features with ridge regression on the HCEP split of the CCN benchmark:
 * a baseline that shows how hard this subset is, beside the published table.
 *
 *   npm run bench:baseline -w packages/models-ccn -- [radius] [features]
 *
 * Atom labels start from element, aromaticity, hydrogens, degree and charge, and each of
 * `radius` rounds relabels an atom by its label and the sorted multiset of (bond type,
 * neighbour label). A molecule's features are the counts of every label of every round; the
 * `features` most frequent labels of the training molecules are kept. The ridge weight is chosen
 * on the validation molecules. Same split as `bench/hcep.ts`: all 29,978 molecules, seed 1,
 * 80/10/10.
 */
import { cpus } from "node:os";
import { loadGraphDataset, type MolecularGraph } from "@covnet/datasets";
import { ccnSplit } from "../src/index.js";

const radius = Number(process.argv[2] ?? 3);
const maxFeatures = Number(process.argv[3] ?? 3000);
const started = performance.now();
const full = await loadGraphDataset("hcep");
const { dataset, split } = ccnSplit(full, { seed: 1, fractions: [0.8, 0.1, 0.1] });

/** Labels of every atom for rounds 0..radius, as strings. */
function labels(g: MolecularGraph): string[] {
  const n = g.atoms.length;
  const neighbours: [number, number][][] = Array.from({ length: n }, () => []);
  for (let b = 0; b < g.bondTypes.length; b++) {
    const u = g.bonds[2 * b] as number;
    const v = g.bonds[2 * b + 1] as number;
    neighbours[u]?.push([v, g.bondTypes[b] as number]);
    neighbours[v]?.push([u, g.bondTypes[b] as number]);
  }
  let current = Array.from(
    { length: n },
    (_, i) =>
      `${g.atoms[i]}:${g.aromatic[i]}:${g.hydrogens[i]}:${neighbours[i]?.length}:${g.formalCharges[i]}`,
  );
  const all = [...current];
  for (let r = 1; r <= radius; r++) {
    current = current.map((own, i) => {
      const around = (neighbours[i] ?? []).map(([w, t]) => `${t}-${current[w]}`).sort();
      return `(${own}|${around.join(",")})`;
    });
    all.push(...current);
  }
  return all;
}

const perMolecule = Array.from({ length: dataset.size }, (_, i) => {
  const counts = new Map<string, number>();
  for (const label of labels(dataset.graph(i))) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
});
const frequency = new Map<string, number>();
for (const i of split.train) {
  for (const label of (perMolecule[i] as Map<string, number>).keys()) {
    frequency.set(label, (frequency.get(label) ?? 0) + 1);
  }
}
const vocabulary = [...frequency.entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, maxFeatures)
  .map(([label]) => label);
const column = new Map(vocabulary.map((label, j) => [label, j]));
const d = vocabulary.length + 1;

/** Dense feature rows (counts, then a constant 1 for the intercept). */
function features(indices: Int32Array): Float64Array {
  const x = new Float64Array(indices.length * d);
  indices.forEach((m, r) => {
    for (const [label, count] of perMolecule[m] as Map<string, number>) {
      const j = column.get(label);
      if (j !== undefined) x[r * d + j] = count;
    }
    x[r * d + d - 1] = 1;
  });
  return x;
}

const targetsOf = (indices: Int32Array) =>
  Float64Array.from(indices, (i) => dataset.graph(i).target);
const xTrain = features(split.train);
const yTrain = targetsOf(split.train);
const gram = new Float64Array(d * d);
const rhs = new Float64Array(d);
for (let r = 0; r < split.train.length; r++) {
  const row = xTrain.subarray(r * d, (r + 1) * d);
  const nonzero: number[] = [];
  for (let j = 0; j < d; j++) if (row[j] !== 0) nonzero.push(j);
  for (const a of nonzero) {
    const va = row[a] as number;
    rhs[a] = (rhs[a] as number) + va * (yTrain[r] as number);
    for (const b of nonzero)
      gram[a * d + b] = (gram[a * d + b] as number) + va * (row[b] as number);
  }
}

/** Solves `(gram + lambda I) w = rhs` by Cholesky (the intercept is not penalised). */
function ridge(lambda: number): Float64Array {
  const l = Float64Array.from(gram);
  for (let j = 0; j < d - 1; j++) l[j * d + j] = (l[j * d + j] as number) + lambda;
  for (let j = 0; j < d; j++) {
    let s = l[j * d + j] as number;
    for (let k = 0; k < j; k++) s -= (l[j * d + k] as number) ** 2;
    const pivot = Math.sqrt(Math.max(s, 1e-12));
    l[j * d + j] = pivot;
    for (let i = j + 1; i < d; i++) {
      let t = l[i * d + j] as number;
      for (let k = 0; k < j; k++) t -= (l[i * d + k] as number) * (l[j * d + k] as number);
      l[i * d + j] = t / pivot;
    }
  }
  const z = Float64Array.from(rhs);
  for (let i = 0; i < d; i++) {
    let t = z[i] as number;
    for (let k = 0; k < i; k++) t -= (l[i * d + k] as number) * (z[k] as number);
    z[i] = t / (l[i * d + i] as number);
  }
  for (let i = d - 1; i >= 0; i--) {
    let t = z[i] as number;
    for (let k = i + 1; k < d; k++) t -= (l[k * d + i] as number) * (z[k] as number);
    z[i] = t / (l[i * d + i] as number);
  }
  return z;
}

function errors(w: Float64Array, indices: Int32Array): { mae: number; rmse: number } {
  const x = features(indices);
  const y = targetsOf(indices);
  let abs = 0;
  let sq = 0;
  for (let r = 0; r < indices.length; r++) {
    let p = 0;
    for (let j = 0; j < d; j++) p += (x[r * d + j] as number) * (w[j] as number);
    const e = p - (y[r] as number);
    abs += Math.abs(e);
    sq += e * e;
  }
  return { mae: abs / indices.length, rmse: Math.sqrt(sq / indices.length) };
}

let best: { lambda: number; valid: { mae: number; rmse: number }; w: Float64Array } = {
  lambda: 0,
  valid: { mae: Infinity, rmse: Infinity },
  w: new Float64Array(0),
};
for (const lambda of [0.3, 1, 3, 10, 30, 100]) {
  const w = ridge(lambda);
  const valid = errors(w, split.valid);
  if (valid.mae < best.valid.mae) best = { lambda, valid, w };
}
const test = errors(best.w, split.test);
process.stdout.write(
  `${JSON.stringify({
    model: "WL counts + ridge",
    radius,
    features: vocabulary.length,
    lambda: best.lambda,
    validMae: best.valid.mae,
    testMae: test.mae,
    testRmse: test.rmse,
    train: split.train.length,
    test: split.test.length,
    seconds: (performance.now() - started) / 1000,
    machine: `${cpus()[0]?.model ?? "cpu"} x${cpus().length}`,
  })}\n`,
);
