/**
 * Leak checks on an engine's tensor and storage counts.
 *
 * @module
 */
import type { Engine, EngineMemory } from "../engine.js";
import { Tensor } from "../tensor.js";
import { AssertionError } from "./assertions.js";

function collect(value: unknown, into: Set<Tensor>, seen: Set<unknown>): void {
  if (value instanceof Tensor) {
    into.add(value);
    return;
  }
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  for (const v of Object.values(value)) collect(v, into, seen);
}

/** The id the engine gives its next tensor; tensors with this id or above are new. */
function nextTensorId(engine: Engine): number {
  const probe = engine.makeTensor(new Int32Array(0), [0], "int32");
  const id = probe.id;
  probe.dispose();
  return id + 1;
}

function compare(engine: Engine, before: EngineMemory, result: unknown, firstNewId: number): void {
  const returned = new Set<Tensor>();
  collect(result, returned, new Set());
  for (const t of returned) if (t.id >= firstNewId) t.dispose();
  const after = engine.memory();
  const keys = ["numTensors", "numDataIds", "numBytes"] as const;
  const diffs = keys.filter((k) => after[k] !== before[k]);
  if (diffs.length === 0) return;
  const text = diffs.map((k) => `${k} ${before[k]} -> ${after[k]}`).join(", ");
  throw new AssertionError(
    `memory leak on backend "${engine.backendName}": ${text} (tensors returned by the function are not counted)`,
  );
}

/**
 * Runs `fn` and asserts that it leaves the engine's memory as it found it: the counts of live
 * tensors, storage handles and bytes are compared before and after. Tensors that `fn` creates and
 * returns (alone, or inside arrays and objects) are disposed before the comparison, so an
 * operation may be checked by returning its result. Works with async functions too.
 *
 * @returns What `fn` returned; returned tensors created by `fn` are disposed by then.
 * @throws {AssertionError} naming each count that changed.
 * @example
 * ```ts
 * expectNoLeaks(engine, () => valueAndGrads(() => sum(square(x)), [x]).grads);
 * ```
 */
export function expectNoLeaks<T>(engine: Engine, fn: () => Promise<T>): Promise<T>;
export function expectNoLeaks<T>(engine: Engine, fn: () => T): T;
export function expectNoLeaks<T>(engine: Engine, fn: () => T | Promise<T>): T | Promise<T> {
  const firstNewId = nextTensorId(engine);
  const before = engine.memory();
  const result = fn();
  if (result instanceof Promise) {
    return result.then((value) => {
      compare(engine, before, value, firstNewId);
      return value;
    });
  }
  compare(engine, before, result, firstNewId);
  return result;
}
