/** Batched matrix product. */
import { type KernelConfig,
  defineKernel, type KernelFunction, type TypedArray, broadcastShapes } from "@covnet/core";
import type { CpuBackend } from "../backend.js";
import { broadcastStrides, forEachBroadcastRun } from "./broadcast.js";

/** Column block of `B` and `C` kept hot in cache. */
const BLOCK_N = 256;
/** Row block of `B` (inner dimension) kept hot in cache. */
const BLOCK_K = 128;

/**
 * `C[m, n] += A[m, k] B[k, n]` for row-major `A` (at `aOff`, row stride `k`) and `B` (at `bOff`,
 * row stride `n`), blocked over `k` and `n` so a panel of `B` stays in cache while every row of
 * `A` streams past it.
 */
export function gemmNN(
  a: TypedArray,
  aOff: number,
  b: TypedArray,
  bOff: number,
  c: TypedArray,
  cOff: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let j0 = 0; j0 < n; j0 += BLOCK_N) {
    const j1 = Math.min(n, j0 + BLOCK_N);
    for (let p0 = 0; p0 < k; p0 += BLOCK_K) {
      const p1 = Math.min(k, p0 + BLOCK_K);
      for (let i = 0; i < m; i++) {
        const cRow = cOff + i * n;
        const aRow = aOff + i * k;
        for (let p = p0; p < p1; p++) {
          const av = a[aRow + p] as number;
          if (av === 0) continue;
          const bRow = bOff + p * n;
          for (let j = j0; j < j1; j++) c[cRow + j] = (c[cRow + j] as number) + av * (b[bRow + j] as number);
        }
      }
    }
  }
}

/** `C[m, n] = A[m, k] B[n, k]^T`: dot products of contiguous rows, four columns at a time. */
export function gemmNT(
  a: TypedArray,
  aOff: number,
  b: TypedArray,
  bOff: number,
  c: TypedArray,
  cOff: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    const aRow = aOff + i * k;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = bOff + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const av = a[aRow + p] as number;
        s0 += av * (b[b0 + p] as number);
        s1 += av * (b[b1 + p] as number);
        s2 += av * (b[b2 + p] as number);
        s3 += av * (b[b3 + p] as number);
      }
      c[cOff + i * n + j] = s0;
      c[cOff + i * n + j + 1] = s1;
      c[cOff + i * n + j + 2] = s2;
      c[cOff + i * n + j + 3] = s3;
    }
    for (; j < n; j++) {
      const bRow = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += (a[aRow + p] as number) * (b[bRow + p] as number);
      c[cOff + i * n + j] = s;
    }
  }
}

function transposeInto(src: TypedArray, off: number, rows: number, cols: number, dst: TypedArray): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[off + r * cols + c] as number;
}

const batchMatMulKernel: KernelFunction<"BatchMatMul", CpuBackend> = ({ inputs, attrs, backend }) => {
  const a = inputs[0]!;
  const b = inputs[1]!;
  const av = backend.values(a);
  const bv = backend.values(b);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[attrs.transposeA ? ra - 1 : ra - 2] as number;
  const k = a.shape[attrs.transposeA ? ra - 2 : ra - 1] as number;
  const n = b.shape[attrs.transposeB ? rb - 2 : rb - 1] as number;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  const { values, info } = backend.allocate([...batch, m, n], a.dtype);
  const sa = broadcastStrides(batchA, batch).map((s) => s * m * k);
  const sb = broadcastStrides(batchB, batch).map((s) => s * k * n);
  const aT = attrs.transposeA ? new (av.constructor as new (n: number) => TypedArray)(m * k) : null;
  const bT = attrs.transposeB ? null : new (bv.constructor as new (n: number) => TypedArray)(k * n);
  let outOff = 0;
  const multiply = (aOff: number, bOff: number) => {
    let aSrc = av;
    let aStart = aOff;
    if (aT !== null) {
      transposeInto(av, aOff, k, m, aT);
      aSrc = aT;
      aStart = 0;
    }
    if (attrs.transposeB) {
      gemmNT(aSrc, aStart, bv, bOff, values, outOff, m, k, n);
    } else if (n >= 8 || bT === null) {
      gemmNN(aSrc, aStart, bv, bOff, values, outOff, m, k, n);
    } else {
      // Narrow B: transpose it once so each output is a contiguous dot product.
      transposeInto(bv, bOff, k, n, bT);
      gemmNT(aSrc, aStart, bT, 0, values, outOff, m, k, n);
    }
    outOff += m * n;
  };
  if (batch.length === 0) {
    multiply(0, 0);
  } else {
    forEachBroadcastRun(batch, [sa, sb], (_start, offsets, length, inner) => {
      let ao = offsets[0] as number;
      let bo = offsets[1] as number;
      for (let i = 0; i < length; i++, ao += inner[0] as number, bo += inner[1] as number) multiply(ao, bo);
    });
  }
  return info;
};

/** Matrix product kernel list. */
export const MATMUL_KERNELS: readonly KernelConfig[] = [
  defineKernel("BatchMatMul", "cpu", batchMatMulKernel),
];
