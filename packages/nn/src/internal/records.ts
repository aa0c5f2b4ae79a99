import { type Engine, formatShape, shapesEqual, type Tensor } from "@covnet/core";
import type { TensorRecord } from "../module.js";

/** Copies a tensor into a JSON-ready record (synchronous read). */
export function toRecord(t: Tensor): TensorRecord {
  return { shape: [...t.shape], dtype: t.dtype, data: Array.from(t.dataSync()) };
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
