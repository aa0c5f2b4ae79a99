import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  broadcastedAxes,
  broadcastShapes,
  normalizeAxes,
  normalizeAxis,
  ShapeError,
  sizeOf,
  stridesOf,
} from "../src/index.js";

describe("shape arithmetic", () => {
  it.each([
    [[], 1],
    [[0, 3], 0],
    [[2, 3, 4], 24],
  ])("sizeOf(%j) = %i", (shape, size) => {
    expect(sizeOf(shape)).toBe(size);
  });

  it("stridesOf is row-major", () => {
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
  });

  it.each([
    [[3], [2, 3], [2, 3]],
    [
      [2, 1],
      [1, 4],
      [2, 4],
    ],
    [
      [5, 1, 3],
      [4, 1],
      [5, 4, 3],
    ],
    [[], [2, 2], [2, 2]],
  ])("broadcastShapes(%j, %j) = %j", (a, b, out) => {
    expect(broadcastShapes(a, b)).toEqual(out);
  });

  it("broadcastShapes names both shapes and the axis", () => {
    expect(() => broadcastShapes([2, 3], [4, 3], "add")).toThrow(
      new ShapeError("add: shapes [2, 3] and [4, 3] cannot be broadcast (axis -2 has 2 and 4)"),
    );
  });

  it.each([
    [[3], [2, 3], [0]],
    [[2, 1], [2, 4], [1]],
    [[1, 1], [3, 1], [0]],
    [[2, 3], [2, 3], []],
  ])("broadcastedAxes(%j, %j) = %j", (inShape, outShape, axes) => {
    expect(broadcastedAxes(inShape, outShape)).toEqual(axes);
  });

  it("normalizeAxis counts negative axes from the end", () => {
    expect(normalizeAxis(-1, 3)).toBe(2);
    expect(() => normalizeAxis(3, 3, "sum")).toThrow(
      new ArgumentError("sum: axis 3 is out of range for a tensor of rank 3 (expected -3..2)"),
    );
  });

  it("normalizeAxes sorts and rejects repeats", () => {
    expect(normalizeAxes([2, -3], 3)).toEqual([0, 2]);
    expect(normalizeAxes(undefined, 2)).toEqual([0, 1]);
    expect(() => normalizeAxes([1, -2], 3, "sum")).toThrow(
      new ArgumentError("sum: axis 1 is repeated in [1, -2]"),
    );
  });
});
