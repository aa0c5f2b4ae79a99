import { add, matmul, sum, tensor } from "@covnet/core";
import { describe, expect, it } from "vitest";
import { webgpuSetup } from "./helpers.js";

const gpu = await webgpuSetup();

describe.runIf(gpu.ok)("smoke", () => {
  it("adds", async () => {
    if (!gpu.ok) return;
    const a = tensor(gpu.engine, [1, 2, 3]);
    const b = tensor(gpu.engine, [10, 20, 30]);
    const c = add(a, b);
    expect(Array.from(await c.data())).toEqual([11, 22, 33]);
    const m = matmul(
      tensor(gpu.engine, [
        [1, 2],
        [3, 4],
      ]),
      tensor(gpu.engine, [
        [5, 6],
        [7, 8],
      ]),
    );
    expect(Array.from(await m.data())).toEqual([19, 22, 43, 50]);
    expect(Array.from(await sum(m).data())).toEqual([134]);
  });
});
