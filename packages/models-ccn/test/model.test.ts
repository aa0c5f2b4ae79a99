import { type Engine, Random, square, sum, type Tensor, valueAndGrads } from "@covnet/core";
import { smilesToGraph } from "@covnet/datasets";
import { countReductions } from "@covnet/permutation";
import { beforeAll, describe, expect, it } from "vitest";
import { CCN, ccnReductions, prepareBatch } from "../src/index.js";
import { cpuEngine, relabel } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine("float64");
});

const smiles = ["c1ccc(O)cc1C(=O)N", "C1=CC=C[SiH2]1", "[nH]1cccc1-c1cccs1"];
const graphs = smiles.map((s, i) => smilesToGraph(s, i, { file: "test", record: `${i}` }));
// Larger conjugated molecules from HCEP, whose level-2 fields hold up to a dozen atoms.
const hcep = [
  "c1cc2c3cocc3c3c4[SiH2]C(=Cc4ncc3c2[se]1)c1scc2C=CCc12",
  "C1C=Cc2ncc3c4[se]c(cc4c4=C[SiH2]C=c4c3c12)-c1cccnc1",
].map((s, i) => smilesToGraph(s, i, { file: "test", record: `hcep ${i}` }));

describe("CCN", () => {
  it("reduction counts are fixed by the partition enumeration", () => {
    // Reductions with both adjacency indices in one block are those of order m - 1.
    expect(countReductions(4, 1) - countReductions(3, 1)).toBe(27);
    expect(countReductions(5, 2) - countReductions(4, 2)).toBe(258);
    expect(ccnReductions(1).length).toBe(15);
    expect(ccnReductions(2).length).toBe(135);
  });

  it.each([
    [1, "mean"],
    [2, "mean"],
    [1, "vertex"],
    [2, "vertex"],
  ] as const)("order %i with %s readout is invariant under relabelling atoms", (order, readout) => {
    const model = new CCN(engine, { order, levels: 2, channels: 3, hidden: 8, seed: 1, readout });
    const base = model.forward(prepareBatch(graphs, 2, [order])).toArray();
    const rng = new Random(7);
    for (let trial = 0; trial < 2; trial++) {
      const moved = graphs.map((g) =>
        relabel(g, rng.shuffle(Array.from({ length: g.atoms.length }, (_, i) => i))),
      );
      const out = model.forward(prepareBatch(moved, 2, [order])).toArray();
      out.forEach((v, i) => {
        expect(Math.abs(v - (base[i] as number))).toBeLessThan(1e-12 * Math.max(1, Math.abs(v)));
      });
    }
    // The output depends on the molecule, so the check above can fail.
    expect(Math.abs((base[0] as number) - (base[1] as number))).toBeGreaterThan(1e-6);
  });

  it.each([1, 2] as const)("order %i sparse and dense levels agree", (order) => {
    const config = {
      order,
      levels: 2,
      channels: 3,
      hidden: 8,
      seed: 4,
      readout: "vertex",
    } as const;
    const sparse = new CCN(engine, { ...config, implementation: "sparse" });
    const dense = new CCN(engine, { ...config, implementation: "dense" });
    const batch = prepareBatch([...graphs, ...hcep], 2, [order]);

    const a = sparse.forward(batch).toArray();
    const b = dense.forward(batch).toArray();
    expect(a.length).toBe(graphs.length + hcep.length);
    a.forEach((x, i) => {
      expect(Math.abs(x - (b[i] as number))).toBeLessThan(1e-12 * Math.max(1, Math.abs(x)));
    });

    // Gradients of the weights agree too: the two paths are one function.
    const wrt = (m: CCN) => [...m.parameters().values()].map((p) => p.value);
    const ga = valueAndGrads(() => sum(square(sparse.forward(batch))), wrt(sparse)).grads;
    const gb = valueAndGrads(() => sum(square(dense.forward(batch))), wrt(dense)).grads;
    ga.forEach((g, i) => {
      const x = g.toArray();
      const y = (gb[i] as Tensor).toArray();
      x.forEach((value, j) => {
        expect(Math.abs(value - (y[j] as number))).toBeLessThan(
          1e-10 * Math.max(1, Math.abs(value)),
        );
      });
    });
  });

  it("batching does not change predictions", () => {
    const model = new CCN(engine, { order: 2, levels: 2, channels: 2, hidden: 4, seed: 3 });
    const together = model.forward(prepareBatch(graphs, 2, [2])).toArray();
    graphs.forEach((g, i) => {
      const alone = model.forward(prepareBatch([g], 2, [2])).toArray();
      expect(Math.abs((alone[0] as number) - (together[i] as number))).toBeLessThan(1e-12);
    });
  });

  it("buckets hold fields of one size", () => {
    const batch = prepareBatch(graphs, 2, [1, 2]);
    batch.levels.forEach((level, l) => {
      let vertices = 0;
      for (const bucket of level.buckets) {
        vertices += bucket.vertices.length;
        for (const field of bucket.fields.fields) expect(field.length).toBe(bucket.fields.size);
        for (const order of l === 0 ? [] : [1, 2]) {
          const table = bucket.promotion.get(order) as Int32Array;
          const previousRows = batch.levels[l - 1]?.rows.get(order) as number;
          expect(table.length).toBe(bucket.vertices.length * bucket.fields.size ** (order + 1));
          expect(Math.max(...table)).toBe(previousRows);
        }
      }
      expect(vertices).toBe(batch.numVertices);
    });
  });
});
