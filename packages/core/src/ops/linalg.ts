/**
 * Matrix products.
 *
 * @module
 */
import { ShapeError } from "../errors.js";
import { broadcastShapes, formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { reshape } from "./shape_ops.js";
import { assertSameDtype, engineOf } from "./validate.js";

/**
 * Batched matrix product `a [..., m, k] @ b [..., k, n] -> [..., m, n]`; batch axes broadcast.
 * A 1-D operand is treated as a row (for `a`) or column (for `b`) vector and that axis is removed
 * from the result, as in NumPy.
 *
 * @param options.transposeA Use the transpose of the last two axes of `a`.
 * @param options.transposeB Use the transpose of the last two axes of `b`.
 * @throws {ShapeError} when the inner dimensions differ.
 */
export function matmul(
  a: Tensor,
  b: Tensor,
  options: { readonly transposeA?: boolean; readonly transposeB?: boolean } = {},
): Tensor {
  const engine = engineOf("matmul", [a, b]);
  assertSameDtype("matmul", a, b);
  if (a.rank === 0 || b.rank === 0) throw new ShapeError("matmul: operands must have rank >= 1");
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const a2 = a.rank === 1 ? reshape(a, [1, a.size]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.size, 1]) : b;
  const k1 = a2.shape[a2.rank - (transposeA ? 2 : 1)];
  const k2 = b2.shape[b2.rank - (transposeB ? 1 : 2)];
  if (k1 !== k2) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${formatShape(a.shape)}${transposeA ? "^T" : ""} @ ${formatShape(b.shape)}${transposeB ? "^T" : ""} (${k1} vs ${k2})`,
    );
  }
  broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), "matmul batch");
  const out = engine.runKernel("BatchMatMul", [a2, b2], { transposeA, transposeB });
  if (a.rank > 1 && b.rank > 1) return out;
  const shape = [...out.shape];
  if (b.rank === 1) shape.splice(shape.length - 1, 1);
  if (a.rank === 1) shape.splice(shape.length - (b.rank === 1 ? 1 : 2), 1);
  return reshape(out, shape);
}
