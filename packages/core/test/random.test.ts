import { describe, expect, it } from "vitest";
import { Random } from "../src/index.js";

function draws(r: Random, n: number): number[] {
  return Array.from({ length: n }, () => r.uniform());
}

describe("Random", () => {
  it("same seed gives the same stream", () => {
    expect(draws(new Random(42), 16)).toEqual(draws(new Random(42), 16));
  });

  it("different seeds give different streams", () => {
    expect(draws(new Random(1), 4)).not.toEqual(draws(new Random(2), 4));
  });

  it("state round trip resumes the stream", () => {
    const r = new Random(7);
    draws(r, 5);
    r.normal(); // leaves a spare normal deviate in the state
    const saved = JSON.parse(JSON.stringify(r.state()));
    const expected = [r.normal(), r.normal(), r.uniform(), r.nextUint32()];
    const restored = Random.fromState(saved);
    expect([
      restored.normal(),
      restored.normal(),
      restored.uniform(),
      restored.nextUint32(),
    ]).toEqual(expected);
  });

  it("setState rewinds a generator", () => {
    const r = new Random(3);
    const s = r.state();
    const first = draws(r, 8);
    r.setState(s);
    expect(draws(r, 8)).toEqual(first);
  });

  it("uniform lies in [0, 1) with mean near 1/2", () => {
    const xs = draws(new Random(11), 20000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });

  it("normal has mean 0 and variance 1", () => {
    const r = new Random(5);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it("int covers [0, n) and rejects bad bounds", () => {
    const r = new Random(9);
    const seen = new Set(Array.from({ length: 200 }, () => r.int(5)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(() => r.int(0)).toThrow("int(n) needs a positive integer, got 0");
  });

  it("shuffle is a seeded permutation", () => {
    const a = new Random(4).shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
    const b = new Random(4).shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(a).toEqual(b);
    expect([...a].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("fork is reproducible and advances the parent", () => {
    const p1 = new Random(12);
    const p2 = new Random(12);
    expect(draws(p1.fork(), 3)).toEqual(draws(p2.fork(), 3));
    expect(p1.uniform()).toBe(p2.uniform());
  });
});
