import { describe, expect, it } from "vitest";
import { Random, symmetricEigen } from "../src/index.js";

describe("symmetricEigen", () => {
  it("diagonalises a random symmetric matrix", () => {
    const n = 6;
    const rng = new Random(4);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const v = rng.normal();
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    }
    const { values, vectors } = symmetricEigen(a, n);
    for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1] as number);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += (a[i * n + j] as number) * (vectors[j * n + k] as number);
        expect(Math.abs(av - (values[k] as number) * (vectors[i * n + k] as number))).toBeLessThan(
          1e-12,
        );
      }
    }
    for (let k = 0; k < n; k++) {
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let i = 0; i < n; i++)
          dot += (vectors[i * n + k] as number) * (vectors[i * n + l] as number);
        expect(Math.abs(dot - (k === l ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });
});
