/**
 * Seeded train / validation / test splits.
 *
 * @module
 */
import { ArgumentError, Random } from "@covnet/core";
import type { AtomsDataset } from "./types.js";

/** Split sizes: a count (integer >= 1 or 0) or a fraction in (0, 1) of the pool it is drawn from. */
export interface SplitSizes {
  readonly train: number;
  readonly valid: number;
  /** Test size; omit to take every remaining index (or the whole predefined test set). */
  readonly test?: number;
  readonly seed: number;
}

/** Indices of a split. */
export interface DatasetSplit {
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
}

function resolveSize(size: number, pool: number, name: string): number {
  if (!Number.isFinite(size) || size < 0) {
    throw new ArgumentError(
      `split size ${name} = ${size} must be a count >= 0 or a fraction in (0, 1)`,
    );
  }
  const n = size > 0 && size < 1 ? Math.round(size * pool) : size;
  if (!Number.isInteger(n)) {
    throw new ArgumentError(
      `split size ${name} = ${size} is neither an integer count nor a fraction in (0, 1)`,
    );
  }
  return n;
}

function shuffled(pool: Int32Array, rng: Random): number[] {
  return rng.shuffle(Array.from(pool));
}

function range(n: number, start = 0): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => start + i);
}

/**
 * Splits a dataset into disjoint train, validation and test index sets, reproducibly for a
 * seed (shuffled with `Random` of `@covnet/core`). When the dataset has a predefined split
 * (rMD17), train and valid are drawn from its training part and test from its test part, and
 * fractions refer to those parts; otherwise all three are drawn from the whole dataset.
 *
 * @throws ArgumentError when a size is invalid or the sizes exceed the pool.
 */
export function splitDataset(ds: AtomsDataset, sizes: SplitSizes): DatasetSplit {
  const rng = new Random(sizes.seed);
  const predefined = ds.predefinedSplit;
  const trainPool = predefined ? predefined.train : range(ds.size);
  const train = resolveSize(sizes.train, trainPool.length, "train");
  const valid = resolveSize(sizes.valid, trainPool.length, "valid");
  const order = shuffled(trainPool, rng);
  if (predefined) {
    if (train + valid > trainPool.length) {
      throw new ArgumentError(
        `train ${train} + valid ${valid} exceed the ${trainPool.length} frames of the predefined training split of ${ds.id}`,
      );
    }
    const testPool = predefined.test;
    const test =
      sizes.test === undefined ? testPool.length : resolveSize(sizes.test, testPool.length, "test");
    if (test > testPool.length) {
      throw new ArgumentError(
        `test ${test} exceeds the ${testPool.length} frames of the predefined test split of ${ds.id}`,
      );
    }
    const testOrder =
      test === testPool.length ? Array.from(testPool) : shuffled(testPool, rng).slice(0, test);
    return {
      train: Int32Array.from(order.slice(0, train)),
      valid: Int32Array.from(order.slice(train, train + valid)),
      test: Int32Array.from(testOrder),
    };
  }
  const test =
    sizes.test === undefined ? ds.size - train - valid : resolveSize(sizes.test, ds.size, "test");
  if (test < 0 || train + valid + test > ds.size) {
    throw new ArgumentError(
      `train ${train} + valid ${valid} + test ${test} exceed the ${ds.size} molecules of ${ds.id}`,
    );
  }
  return {
    train: Int32Array.from(order.slice(0, train)),
    valid: Int32Array.from(order.slice(train, train + valid)),
    test: Int32Array.from(order.slice(train + valid, train + valid + test)),
  };
}
