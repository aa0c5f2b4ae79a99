import { type Engine, reshape, slice, type Tensor } from "@covnet/core";
import { beforeAll, describe, expect, it } from "vitest";
import { type ChildRef, FieldBatch, promote, promoteAndStack } from "../src/index.js";
import { cpuEngine, maxDiff, randomTensor } from "./helpers.js";

let engine: Engine;
beforeAll(async () => {
  engine = await cpuEngine();
});

describe("padded field batches", () => {
  const childFields = new FieldBatch([[0, 1], [1, 2, 3], [3]], 3);
  const parentFields = new FieldBatch(
    [
      [0, 1, 2, 3],
      [1, 2, 3],
    ],
    4,
  );
  const children: ChildRef[][] = [
    [
      { child: 0, position: 0 },
      { child: 1, position: 2 },
    ],
    [{ child: 2, position: 2 }],
  ];

  it("promoteAndStack equals promoting each child on its own", () => {
    const x = randomTensor(engine, [3, 3, 3, 2], 1);
    const stacked = promoteAndStack(x, 2, childFields, parentFields, children);
    expect(stacked.shape).toEqual([2, 4, 4, 4, 2]);
    children.forEach((refs, b) => {
      const parent = parentFields.fields[b] as number[];
      for (const { child, position } of refs) {
        const field = childFields.fields[child] as number[];
        const k = field.length;
        const own: Tensor = slice(x, [child, 0, 0, 0], [1, k, k, 2]);
        const expected = promote(reshape(own, [k, k, 2]), 2, field, parent);
        const p = parent.length;
        const got = slice(stacked, [b, position, 0, 0, 0], [1, 1, p, p, 2]);
        expect(maxDiff(reshape(got, [p, p, 2]), expected)).toBe(0);
      }
    });
  });

  it("masks padding", () => {
    const mask = parentFields.mask(engine, 2);
    expect(Array.from(mask.dataSync()).reduce((a, b) => a + b, 0)).toBe(16 + 9);
  });

  it("rejects a child outside its parent", () => {
    expect(() =>
      promoteAndStack(
        randomTensor(engine, [3, 3, 1], 2),
        1,
        childFields,
        new FieldBatch([[1, 2]]),
        [[{ child: 0, position: 0 }]],
      ),
    ).toThrow(/not inside parent/);
  });
});
