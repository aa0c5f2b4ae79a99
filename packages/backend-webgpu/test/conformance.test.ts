import { cast, type Engine, type Tensor } from "@covnet/core";
import { describe, expect, it } from "vitest";
import { cpuEngine, webgpuRequired, webgpuSetup } from "./helpers.js";
import { CONFORMANCE_VECTORS, type InputSpec, seededRandom, type TestVector } from "./vectors.js";

const gpu = await webgpuSetup();
const cpu = await cpuEngine();

function inputValues(spec: InputSpec, seed: number): Float32Array | Int32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.values !== undefined) {
    return spec.dtype === "int32" && !spec.castOnDevice
      ? Int32Array.from(spec.values)
      : Float32Array.from(spec.values);
  }
  const random = seededRandom(seed);
  const [lo, hi] = spec.range ?? [-2, 2];
  if (spec.dtype === "int32")
    return Int32Array.from({ length: size }, () => lo + Math.floor(random() * (hi - lo + 1)));
  return Float32Array.from({ length: size }, () => lo + random() * (hi - lo));
}

function makeInput(engine: Engine, spec: InputSpec, values: Float32Array | Int32Array): Tensor {
  if (!spec.castOnDevice) return engine.makeTensor(values, spec.shape, spec.dtype);
  const floats = engine.makeTensor(values, spec.shape, "float32");
  const ints = cast(floats, "int32");
  floats.dispose();
  return ints;
}

async function runVector(
  engine: Engine,
  vector: TestVector,
): Promise<{ values: number[]; shape: readonly number[]; dtype: string }> {
  const inputs = vector.inputs.map((spec, k) =>
    makeInput(engine, spec, inputValues(spec, 1000 + k)),
  );
  const out = engine.runKernel(vector.kernel, inputs, vector.attrs as never);
  const values = Array.from(await out.data());
  const result = { values, shape: out.shape, dtype: out.dtype };
  out.dispose();
  for (const t of inputs) t.dispose();
  return result;
}

function assertClose(
  vector: TestVector,
  actual: readonly number[],
  expected: readonly number[],
): void {
  const rtol = vector.rtol ?? 2e-6;
  const atol = vector.atol ?? 1e-6;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    if (Object.is(e, a) || (Number.isNaN(e) && Number.isNaN(a))) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${vector.name}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(atol ${atol}, rtol ${rtol})`,
    );
  }
}

describe("WebGPU conformance", () => {
  if (!gpu.ok) {
    if (webgpuRequired()) {
      it("has a WebGPU adapter (required because CI is set)", () => {
        throw new Error(`no WebGPU adapter, so the conformance suite cannot run: ${gpu.reason}`);
      });
    } else {
      // Printed so that a skipped GPU suite is visible in the test log.
      console.warn(`WebGPU conformance skipped: ${gpu.reason}`);
      it.skip(`WebGPU conformance (skipped: ${gpu.reason})`, () => {});
    }
    return;
  }
  const { engine, backend } = gpu;

  it("names its adapter", () => {
    expect(backend.adapterName.length).toBeGreaterThan(0);
  });

  it.each(CONFORMANCE_VECTORS.map((v) => [v.name, v] as const))("%s", async (_name, vector) => {
    const expected = await runVector(cpu, vector);
    const actual = await runVector(engine, vector);
    expect(actual.shape).toEqual(expected.shape);
    expect(actual.dtype).toBe(expected.dtype);
    assertClose(vector, actual.values, expected.values);
    expect(engine.memory().numDataIds).toBe(0);
    expect(backend.bufferStats().liveBuffers).toBe(0);
  });
});
