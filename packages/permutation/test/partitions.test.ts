import { describe, expect, it } from "vitest";
import {
  bellNumber,
  countReductions,
  enumerateReductions,
  setPartitions,
  stirling2,
} from "../src/index.js";

/** Counts set partitions of m elements by brute force over all maps [m] -> [m]. */
function bruteForcePartitions(m: number): Map<string, number> {
  const seen = new Map<string, number>();
  const labels = new Array<number>(m).fill(0);
  const total = m ** m;
  for (let c = 0; c < Math.max(total, 1); c++) {
    let rest = c;
    for (let i = 0; i < m; i++) {
      labels[i] = rest % m;
      rest = Math.floor(rest / m);
    }
    const canon = new Map<number, number>();
    const key = labels.map((l) => {
      if (!canon.has(l)) canon.set(l, canon.size);
      return canon.get(l);
    });
    seen.set(key.join(","), canon.size);
  }
  return seen;
}

/** Reductions counted by brute force: partitions times ordered choices of kept blocks. */
function bruteForceReductions(m: number, l: number): number {
  let total = 0;
  for (const blocks of bruteForcePartitions(m).values()) {
    let falling = 1;
    for (let i = 0; i < l; i++) falling *= blocks - i;
    total += Math.max(falling, 0);
  }
  return total;
}

describe("set partitions", () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 7])("setPartitions(%i) has B(n) distinct entries", (n) => {
    const parts = setPartitions(n);
    expect(parts.length).toBe(bellNumber(n));
    expect(new Set(parts.map((p) => JSON.stringify(p))).size).toBe(parts.length);
    if (n > 0) expect(parts.length).toBe(bruteForcePartitions(n).size);
  });

  it("Bell numbers match the known sequence", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map(bellNumber)).toEqual([
      1, 1, 2, 5, 15, 52, 203, 877, 4140,
    ]);
  });

  it("Stirling numbers sum to Bell numbers", () => {
    for (let n = 0; n <= 8; n++) {
      let s = 0;
      for (let k = 0; k <= n; k++) s += stirling2(n, k);
      expect(s).toBe(bellNumber(n));
    }
  });

  it("rejects an out-of-range size", () => {
    expect(() => setPartitions(13)).toThrow(/0\.\.12/);
  });
});

describe("reduction counts", () => {
  const cases: [number, number, number][] = [
    [1, 1, 1],
    [2, 1, 3],
    [2, 2, 2],
    [3, 1, 10],
    [3, 2, 12],
    [4, 1, 37],
    [4, 2, 62],
    [5, 1, 151],
    [5, 2, 320],
  ];
  it.each(cases)("order %i to %i has %i reductions", (m, l, expected) => {
    expect(enumerateReductions(m, l).length).toBe(expected);
    expect(countReductions(m, l)).toBe(expected);
    expect(bruteForceReductions(m, l)).toBe(expected);
  });

  it("filters vanishing and duplicate reductions of products with A", () => {
    const all = enumerateReductions(4, 1);
    const separated = enumerateReductions(4, 1, { separate: [2, 3] });
    const both = enumerateReductions(4, 1, { separate: [2, 3], symmetric: [2, 3] });
    expect(separated.length).toBe(
      all.filter((r) => !r.blocks.some((b) => b.includes(2) && b.includes(3))).length,
    );
    expect(both.length).toBeLessThan(separated.length);
    expect(both.length).toBeGreaterThanOrEqual(separated.length / 2);
  });
});
