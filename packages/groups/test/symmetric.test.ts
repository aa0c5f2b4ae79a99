import { readFileSync } from "node:fs";
import { Random } from "@covnet/core";
import { describe, expect, it } from "vitest";
import { SymmetricGroup } from "../src/index.js";

interface CharacterTable {
  n: number;
  irreps: number[][];
  classes: number[][];
  class_sizes: number[];
  centralizer_orders: number[];
  dims: number[];
  characters: number[][];
}
interface YoungIrrep {
  n: number;
  partition: number[];
  dim: number;
  tableaux: number[][][];
  generators: string[][][];
}
const characterFixture = JSON.parse(
  readFileSync(new URL("./fixtures/sn_characters.json", import.meta.url), "utf8"),
) as { tables: CharacterTable[] };
const youngFixture = JSON.parse(
  readFileSync(new URL("./fixtures/sn_young_orthogonal.json", import.meta.url), "utf8"),
) as { irreps: YoungIrrep[] };

function matmulRows(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => {
    row.forEach((v, j) => {
      m = Math.max(m, Math.abs(v - b[i]![j]!));
    });
  });
  return m;
}

describe("SymmetricGroup reference characters", () => {
  for (const table of characterFixture.tables) {
    const group = new SymmetricGroup(table.n);
    it(`character table of S${table.n}`, () => {
      expect(group.partitions()).toEqual(table.irreps);
      const classes = group.classes();
      expect(classes.map((c) => c.cycleType)).toEqual(table.classes);
      expect(classes.map((c) => c.size)).toEqual(table.class_sizes);
      expect(classes.map((c) => c.centralizerOrder)).toEqual(table.centralizer_orders);
      expect(table.irreps.map((p) => group.hookLengthDimension(p))).toEqual(table.dims);
      table.irreps.forEach((p, i) => {
        classes.forEach((c, j) => {
          expect(group.character(p, [...c.representative])).toBe(table.characters[i]![j]);
          expect(group.characterOfClass(p, c.cycleType)).toBe(table.characters[i]![j]);
        });
      });
    });
    if (table.n <= 5) {
      it(`characters are traces in S${table.n}`, () => {
        for (const p of table.irreps) {
          for (const s of group.elements()) {
            const m = group.irrepMatrix(p, s);
            const trace = m.reduce((acc, row, i) => acc + row[i]!, 0);
            expect(Math.abs(trace - group.character(p, s))).toBeLessThan(1e-12);
          }
        }
      });
    }
  }
  it("class sizes match brute-force counts in S5", () => {
    const group = new SymmetricGroup(5);
    expect(group.conjugacyClasses().map((c) => c.length)).toEqual(
      group.classes().map((c) => c.size),
    );
  });
});

describe("SymmetricGroup Young orthogonal form", () => {
  for (const irrep of youngFixture.irreps) {
    const group = new SymmetricGroup(irrep.n);
    it(`tableaux and generators of [${irrep.partition}] in S${irrep.n}`, () => {
      expect(group.standardTableaux(irrep.partition)).toEqual(irrep.tableaux);
      expect(group.hookLengthDimension(irrep.partition)).toBe(irrep.dim);
      irrep.generators.forEach((expected, index) => {
        const actual = group.irrepMatrix(irrep.partition, group.transposition(index + 1));
        for (let i = 0; i < irrep.dim; i++) {
          for (let j = 0; j < irrep.dim; j++) {
            // Bit-exact: the axial-distance formula gives the same doubles.
            expect(actual[i]![j] === Number(expected[i]![j])).toBe(true);
          }
        }
      });
    });
    it(`homomorphism of [${irrep.partition}] in S${irrep.n}`, () => {
      const elements = group.testingElements();
      for (const s of elements) {
        for (const t of elements) {
          const st = group.irrepMatrix(irrep.partition, group.compose(s, t));
          const product = matmulRows(
            group.irrepMatrix(irrep.partition, s),
            group.irrepMatrix(irrep.partition, t),
          );
          expect(maxDiff(st, product)).toBeLessThan(1e-12);
        }
      }
    });
  }

  it("reversed product fails for a non-abelian irrep", () => {
    const group = new SymmetricGroup(3);
    const s = [2, 1, 3];
    const t = [1, 3, 2];
    const st = group.irrepMatrix([2, 1], group.compose(s, t));
    const reversed = matmulRows(group.irrepMatrix([2, 1], t), group.irrepMatrix([2, 1], s));
    expect(maxDiff(st, reversed)).toBeGreaterThan(0.5);
  });

  it("orthogonal in S9 without enumerating the group", () => {
    const group = new SymmetricGroup(9);
    const random = new Random(3);
    for (let trial = 0; trial < 3; trial++) {
      const s = group.random(random);
      const m = group.irrepMatrix([4, 3, 2], s);
      const mt = m[0]!.map((_, j) => m.map((row) => row[j]!));
      const eye = m.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
      expect(maxDiff(matmulRows(m, mt), eye)).toBeLessThan(1e-12);
      expect(
        Math.abs(m.reduce((a, row, i) => a + row[i]!, 0) - group.character([4, 3, 2], s)),
      ).toBeLessThan(1e-10);
    }
  });
});

describe("SymmetricGroup permutations", () => {
  const group = new SymmetricGroup(5);

  it("composes right to left", () => {
    const s = [2, 3, 1, 4, 5];
    const t = [1, 2, 4, 5, 3];
    expect(group.compose(s, t)).toEqual(t.map((v) => s[v - 1]));
    expect(group.compose(s, t)).toEqual([2, 3, 4, 5, 1]);
  });

  it("cycle notation in and out", () => {
    const s = group.fromCycles("(1 2 3)(4 5)");
    expect(s).toEqual([2, 3, 1, 5, 4]);
    expect(group.toCycleNotation(s)).toBe("(1 2 3)(4 5)");
    expect(group.toCycleNotation(group.identity())).toBe("()");
    expect(
      group.fromCycles([
        [1, 2],
        [2, 3],
      ]),
    ).toEqual(group.compose([2, 1, 3, 4, 5], [1, 3, 2, 4, 5]));
    expect(group.fromCycles("(1, 4)")).toEqual([4, 2, 3, 1, 5]);
    expect(() => group.fromCycles("(1 2")).toThrow('invalid cycle notation "(1 2"');
    expect(() => group.fromCycles("(1 6)")).toThrow(
      "invalid cycle (1 6) of S5: expected distinct letters in 1..5",
    );
  });

  it("sign and cycle type", () => {
    expect(group.sign(group.fromCycles("(1 2 3)(4 5)"))).toBe(-1);
    expect(group.sign(group.fromCycles("(1 2 3)"))).toBe(1);
    expect(group.cycleType(group.fromCycles("(2 4)"))).toEqual([2, 1, 1, 1]);
  });

  it("adjacent transposition words are reduced and correct", () => {
    for (const s of group.elements()) {
      const word = group.adjacentTranspositionWord(s);
      expect(group.fromAdjacentTranspositionWord(word)).toEqual(s);
      let inversions = 0;
      for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) if (s[i]! > s[j]!) inversions++;
      expect(word.length).toBe(inversions);
      expect(group.sign(s)).toBe(inversions % 2 === 0 ? 1 : -1);
    }
  });

  it("rejects invalid permutations and partitions", () => {
    expect(() => group.irrepMatrix([3, 2], [1, 1, 2, 3, 4])).toThrow(
      "invalid permutation [1, 1, 2, 3, 4] of S5: expected each of 1..5 exactly once",
    );
    expect(() => group.character([2, 3], [1, 2, 3, 4, 5])).toThrow(
      "invalid partition [2, 3] of 5: expected positive integers in non-increasing order summing to 5",
    );
    expect(() => new SymmetricGroup(0)).toThrow("invalid symmetric group degree 0");
  });
});

describe("SymmetricGroup branching", () => {
  it("restriction to S_(n-1) is block diagonal", () => {
    const group = new SymmetricGroup(5);
    const smaller = new SymmetricGroup(4);
    for (const p of group.partitions()) {
      const blocks = group.branching(p);
      expect(blocks.reduce((a, b) => a + b.dim, 0)).toBe(group.hookLengthDimension(p));
      for (const s of smaller.elements()) {
        const m = group.irrepMatrix(p, [...s, 5]);
        const expected = m.map((row) => row.map(() => 0));
        for (const block of blocks) {
          const sub = smaller.irrepMatrix([...block.partition], s);
          sub.forEach((row, i) => {
            row.forEach((v, j) => {
              expected[block.offset + i]![block.offset + j] = v;
            });
          });
        }
        expect(maxDiff(m, expected)).toBe(0);
      }
    }
  });

  it("branching of [3, 2, 1]", () => {
    expect(new SymmetricGroup(6).branching([3, 2, 1])).toEqual([
      { partition: [3, 2], offset: 0, dim: 5 },
      { partition: [3, 1, 1], offset: 5, dim: 6 },
      { partition: [2, 2, 1], offset: 11, dim: 5 },
    ]);
  });

  it("Kronecker coefficients of S4", () => {
    const group = new SymmetricGroup(4);
    expect(group.tensorProductMultiplicities([3, 1], [3, 1])).toEqual([
      { label: [4], multiplicity: 1 },
      { label: [3, 1], multiplicity: 1 },
      { label: [2, 2], multiplicity: 1 },
      { label: [2, 1, 1], multiplicity: 1 },
    ]);
    expect(group.tensorProductMultiplicities([1, 1, 1, 1], [3, 1])).toEqual([
      { label: [2, 1, 1], multiplicity: 1 },
    ]);
  });
});
