/** Engine module of the worker-pool tests: each worker gets a CPU engine. */
import type { Engine, FloatDType } from "@covnet/core";
import { cpuEngine } from "./helpers.js";

export function createEngine(dtype: FloatDType): Promise<Engine> {
  return cpuEngine(dtype);
}
