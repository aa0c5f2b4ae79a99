import { type Engine, formatShape, shapesEqual, type Tensor } from "@covnet/core";
import type { TensorRecord } from "../module.js";

/** Copies a tensor into a JSON-ready record (synchronous read, so not on WebGPU). */
export function toRecord(t: Tensor): TensorRecord {
  return { shape: [...t.shape], dtype: t.dtype, data: Array.from(t.dataSync()) };
}

/**
 * Copies a tensor into a JSON-ready record with an asynchronous read, which every backend
 * supports. The tensor's shape and dtype are taken before the read starts.
 */
export async function toRecordAsync(t: Tensor): Promise<TensorRecord> {
  const shape = [...t.shape];
  const dtype = t.dtype;
  return { shape, dtype, data: Array.from(await t.data()) };
}

/**
 * Reads a map of tensors into records. Every read is started before the first is awaited, so
 * a GPU backend serves them from one queue flush.
 */
export async function toRecordsAsync(
  tensors: Iterable<readonly [string, Tensor]>,
): Promise<Record<string, TensorRecord>> {
  const entries = [...tensors];
  const records = await Promise.all(entries.map(([, t]) => toRecordAsync(t)));
  const out: Record<string, TensorRecord> = {};
  entries.forEach(([name], i) => {
    out[name] = records[i] as TensorRecord;
  });
  return out;
}

/**
 * Makes a kept tensor from a record, checking it against the expected shape.
 *
 * @returns The tensor, or an error message naming `what`.
 */
export function fromRecord(
  engine: Engine,
  record: TensorRecord | undefined,
  like: Tensor,
  what: string,
): Tensor | string {
  if (record === undefined || record === null || !Array.isArray(record.data))
    return `missing ${what}`;
  if (!Array.isArray(record.shape) || !shapesEqual(record.shape, like.shape)) {
    return `${what} has shape ${formatShape(record.shape ?? [])}, expected ${formatShape(like.shape)}`;
  }
  if (record.data.length !== like.size)
    return `${what} has ${record.data.length} values, expected ${like.size}`;
  return engine.keep(engine.makeTensor(record.data, like.shape, like.dtype));
}
