import { describe, expect, it } from "vitest";
import { backendModule, createContainer, initEngine, reshape, tensor } from "../src/index.js";
import { AssertionError, expectClose, expectNoLeaks, formatValues } from "../src/testing/index.js";
import { StorageBackend } from "./storage_backend.js";

async function storageEngine() {
  const container = createContainer({ logLevel: "silent" });
  container.load(
    backendModule({
      name: "storage",
      priority: 1,
      kernels: [],
      create: () => Promise.resolve(new StorageBackend()),
    }),
  );
  return initEngine(container, { defaultFloat: "float64" });
}

describe("expectClose", () => {
  it("accepts values within atol + rtol |expected|", () => {
    expect(() => expectClose([1, 2.0000001], [1, 2], { rtol: 1e-7, atol: 0 })).not.toThrow();
    expect(() => expectClose(3, 3.05, { rtol: 0, atol: 0.1 })).not.toThrow();
    expect(() => expectClose([Number.NaN, Infinity], [Number.NaN, Infinity])).not.toThrow();
  });

  it("rejects values beyond the tolerance", () => {
    expect(() => expectClose([1, 2.001], [1, 2], { rtol: 1e-6, atol: 1e-9 })).toThrow(
      AssertionError,
    );
    expect(() => expectClose([Infinity], [-Infinity])).toThrow(AssertionError);
    expect(() => expectClose([Number.NaN], [0])).toThrow(AssertionError);
  });

  it("message prints input, actual, expected and tolerance", () => {
    let message = "";
    try {
      expectClose([1, 2, 3.5], [1, 2, 3], {
        rtol: 1e-3,
        atol: 1e-4,
        label: "square",
        // biome-ignore lint/suspicious/noApproximativeNumericConstant: a value printed to four digits.
        input: [1, 1.4142, 1.8708],
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      "square: values differ beyond the tolerance in 1 of 3 elements; worst at flat index 2: " +
        "actual 3.5, expected 3, |difference| 0.5 > 0.0031" +
        "\ninput: [1, 1.4142, 1.8708]" +
        "\nactual:   [1, 2, 3.5]" +
        "\nexpected: [1, 2, 3]" +
        "\ntolerance: rtol 0.001, atol 0.0001",
    );
  });

  it("dtype sets the default tolerance", () => {
    expect(() => expectClose([1 + 1e-9], [1])).toThrow("rtol 1e-12, atol 1e-12");
    expect(() => expectClose(new Float32Array([1 + 1e-6]), [1])).not.toThrow();
  });

  it("compares tensor shapes", async () => {
    const engine = await storageEngine();
    const a = tensor(engine, [1, 2, 3, 4], [2, 2]);
    const b = tensor(engine, [1, 2, 3, 4], [4]);
    expect(() => expectClose(a, [1, 2, 3, 4])).not.toThrow();
    expect(() => expectClose(a, b)).toThrow("values differ: shape [2, 2] is not the expected [4]");
    expect(() => expectClose([1, 2], [1, 2, 3])).toThrow("values differ: 2 values, expected 3");
  });

  it("formatValues truncates long arrays", () => {
    expect(formatValues([1, 2, 3, 4, 5], 3)).toBe("[1, 2, 3, ... (2 more)]");
  });
});

describe("expectNoLeaks", () => {
  it("passes when the function releases what it makes", async () => {
    const engine = await storageEngine();
    expect(() =>
      expectNoLeaks(engine, () => {
        tensor(engine, [1, 2]).dispose();
      }),
    ).not.toThrow();
  });

  it("does not count returned tensors", async () => {
    const engine = await storageEngine();
    const x = tensor(engine, [1, 2, 3, 4]);
    const [y, z] = expectNoLeaks(engine, () => [reshape(x, [2, 2]), tensor(engine, [5])]);
    expect(y?.isDisposed).toBe(true);
    expect(z?.isDisposed).toBe(true);
    // A returned input is not new and stays alive.
    expectNoLeaks(engine, () => x);
    expect(x.isDisposed).toBe(false);
  });

  it("names each count that changed", async () => {
    const engine = await storageEngine();
    expect(() =>
      expectNoLeaks(engine, () => {
        tensor(engine, [1, 2], undefined, "float64");
      }),
    ).toThrow(
      'memory leak on backend "storage": numTensors 0 -> 1, numDataIds 0 -> 1, numBytes 0 -> 16',
    );
  });

  it("checks async functions", async () => {
    const engine = await storageEngine();
    await expect(
      expectNoLeaks(engine, async () => {
        tensor(engine, [1]);
      }),
    ).rejects.toThrow("memory leak");
  });
});
