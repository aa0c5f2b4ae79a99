import { type DType, isFloatDType } from "../dtype.js";
import type { Engine } from "../engine.js";
import { ArgumentError, DTypeError } from "../errors.js";
import type { Tensor } from "../tensor.js";

/** A tensor or a number that stands for a scalar of the other operand's dtype. */
export type TensorLike = Tensor | number;

/** Checks that all tensors are live and on one engine; returns it. */
export function engineOf(op: string, tensors: readonly Tensor[]): Engine {
  const first = tensors[0];
  if (first === undefined) throw new ArgumentError(`${op}: expected at least one tensor`);
  for (const t of tensors) {
    t.assertLive();
    if (t.engine !== first.engine) {
      throw new ArgumentError(
        `${op}: ${t} and ${first} belong to different engines (backends "${t.engine.backendName}" and "${first.engine.backendName}")`,
      );
    }
  }
  return first.engine;
}

/** @throws {DTypeError} unless both tensors share a dtype. */
export function assertSameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`${op}: dtypes differ: ${a.dtype} and ${b.dtype}; cast one operand first`);
  }
}

/** @throws {DTypeError} unless the tensor is float32 or float64. */
export function assertFloat(op: string, t: Tensor): void {
  if (!isFloatDType(t.dtype)) {
    throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${t.dtype}`);
  }
}

/** @throws {DTypeError} unless the tensor is int32. */
export function assertInt(op: string, what: string, t: Tensor): void {
  if (t.dtype !== "int32") {
    throw new DTypeError(`${op}: ${what} must be int32, got ${t.dtype}`);
  }
}

/** @throws {ArgumentError} unless `n` is a non-negative integer. */
export function assertNonNegativeInt(op: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new ArgumentError(`${op}: ${what} must be a non-negative integer, got ${n}`);
  }
}

/** Turns numbers into scalars matching the dtype of the tensor operands. */
export function toTensors(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (typeof a === "number" && typeof b === "number") {
    throw new ArgumentError(`${op}: at least one operand must be a tensor`);
  }
  const ta = typeof a === "number" ? scalarLike(a, b as Tensor) : a;
  const tb = typeof b === "number" ? scalarLike(b, ta) : b;
  return [ta, tb];
}

function scalarLike(value: number, like: Tensor): Tensor {
  like.assertLive();
  return like.engine.makeTensor([value], [], like.dtype);
}

/** Float dtype given, or the engine's default. */
export function floatDtype(engine: Engine, dtype: DType | undefined): DType {
  return dtype ?? engine.defaultFloat;
}
