/**
 * Batched matrix product: a cache-blocked GEMM that packs both operands into contiguous panels,
 * so that a 4x4 register-blocked micro-kernel reads them with unit stride.
 */
import {
  broadcastShapes,
  defineKernel,
  type KernelConfig,
  type KernelFunction,
  type TypedArray,
} from "@covnet/core";
import type { CpuBackend } from "../backend.js";
import { broadcastStrides, forEachBroadcastRun } from "./broadcast.js";

/** Rows of `A` and columns of `B` per micro-kernel call: a 4x4 block of `C` in registers. */
const MR = 4;
const NR = 4;
/** Depth of a packed block: one micro-panel of `A` and one of `B` (8 KiB each) stay in L1. */
const KC = 256;
/** Rows of the packed block of `A` (128 KiB), kept in L2 while the panels of `B` stream past. */
const MC = 64;
/** Columns of the packed block of `B` (2 MiB at most), kept in L2 or L3. */
const NC = 1024;
/** Below this many multiply-adds a plain loop beats packing. */
const SMALL = 8 * 8 * 8;

// Packing buffers are float64 whatever the dtype, so the micro-kernel reads one array type and
// float32 products accumulate in float64. They grow on demand and are reused across calls.
let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * NR * 64);
const edgeTile = new Float64Array(MR * NR);

/** A strided matrix view: element `(i, j)` is `data[offset + i * rowStride + j * colStride]`. */
export interface MatrixView {
  readonly data: TypedArray;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/**
 * `C[m, n] += A[m, k] B[k, n]` with `A` and `B` given as strided views (so transposed operands need
 * no copy) and `C` a row-major float64 array at `cOff`.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: MatrixView,
  b: MatrixView,
  c: Float64Array,
  cOff: number,
): void {
  if (m === 0 || n === 0 || k === 0) return;
  if (m * n * k <= SMALL) {
    gemmSmall(m, n, k, a, b, c, cOff);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const nPanels = Math.ceil(nc / NR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelsB(b, pc, kc, jc, nc, nPanels);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const mPanels = Math.ceil(mc / MR);
        packPanelsA(a, ic, mc, pc, kc, mPanels);
        for (let jp = 0; jp < nPanels; jp++) {
          const j0 = jc + jp * NR;
          const nr = Math.min(NR, n - j0);
          for (let ip = 0; ip < mPanels; ip++) {
            const i0 = ic + ip * MR;
            const mr = Math.min(MR, m - i0);
            microKernel(
              packA,
              ip * MR * kc,
              packB,
              jp * NR * kc,
              kc,
              c,
              cOff + i0 * n + j0,
              n,
              mr,
              nr,
            );
          }
        }
      }
    }
  }
}

function gemmSmall(
  m: number,
  n: number,
  k: number,
  a: MatrixView,
  b: MatrixView,
  c: Float64Array,
  cOff: number,
): void {
  const { data: av, offset: ao, rowStride: ars, colStride: acs } = a;
  const { data: bv, offset: bo, rowStride: brs, colStride: bcs } = b;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ia = ao + i * ars;
      let ib = bo + j * bcs;
      for (let p = 0; p < k; p++, ia += acs, ib += brs)
        s += (av[ia] as number) * (bv[ib] as number);
      c[cOff + i * n + j] = (c[cOff + i * n + j] as number) + s;
    }
  }
}

/** Packs rows `pc..pc+kc` and columns `jc..jc+nc` of `B` into `NR`-wide panels, zero-padded. */
function packPanelsB(
  b: MatrixView,
  pc: number,
  kc: number,
  jc: number,
  nc: number,
  nPanels: number,
): void {
  const need = nPanels * NR * kc;
  if (packB.length < need) packB = new Float64Array(need);
  const { data, offset, rowStride, colStride } = b;
  const end = jc + nc;
  for (let jp = 0; jp < nPanels; jp++) {
    let dst = jp * NR * kc;
    const j0 = jc + jp * NR;
    if (j0 + NR <= end) {
      const s0 = offset + j0 * colStride;
      for (let p = 0; p < kc; p++) {
        const src = s0 + (pc + p) * rowStride;
        packB[dst] = data[src] as number;
        packB[dst + 1] = data[src + colStride] as number;
        packB[dst + 2] = data[src + 2 * colStride] as number;
        packB[dst + 3] = data[src + 3 * colStride] as number;
        dst += NR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = offset + (pc + p) * rowStride;
        for (let jj = 0; jj < NR; jj++) {
          const j = j0 + jj;
          packB[dst + jj] = j < end ? (data[src + j * colStride] as number) : 0;
        }
        dst += NR;
      }
    }
  }
}

/** Packs rows `ic..ic+mc` and columns `pc..pc+kc` of `A` into `MR`-tall panels, zero-padded. */
function packPanelsA(
  a: MatrixView,
  ic: number,
  mc: number,
  pc: number,
  kc: number,
  mPanels: number,
): void {
  const need = mPanels * MR * kc;
  if (packA.length < need) packA = new Float64Array(need);
  const { data, offset, rowStride, colStride } = a;
  const end = ic + mc;
  for (let ip = 0; ip < mPanels; ip++) {
    const base = ip * MR * kc;
    for (let ii = 0; ii < MR; ii++) {
      const i = ic + ip * MR + ii;
      let dst = base + ii;
      if (i < end) {
        let src = offset + i * rowStride + pc * colStride;
        for (let p = 0; p < kc; p++, src += colStride, dst += MR) packA[dst] = data[src] as number;
      } else {
        for (let p = 0; p < kc; p++, dst += MR) packA[dst] = 0;
      }
    }
  }
}

/**
 * `C[mr, nr] += Apanel[kc, MR]^T Bpanel[kc, NR]`: sixteen accumulators in locals, one pass over
 * the packed panels. Edge tiles (`mr < MR` or `nr < NR`) are computed in full on zero padding
 * and only their valid part is added.
 */
function microKernel(
  pa: Float64Array,
  ao: number,
  pb: Float64Array,
  bo: number,
  kc: number,
  c: Float64Array,
  cOff: number,
  ldc: number,
  mr: number,
  nr: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < kc; p++) {
    const b0 = pb[bo] as number;
    const b1 = pb[bo + 1] as number;
    const b2 = pb[bo + 2] as number;
    const b3 = pb[bo + 3] as number;
    let a = pa[ao] as number;
    c00 += a * b0;
    c01 += a * b1;
    c02 += a * b2;
    c03 += a * b3;
    a = pa[ao + 1] as number;
    c10 += a * b0;
    c11 += a * b1;
    c12 += a * b2;
    c13 += a * b3;
    a = pa[ao + 2] as number;
    c20 += a * b0;
    c21 += a * b1;
    c22 += a * b2;
    c23 += a * b3;
    a = pa[ao + 3] as number;
    c30 += a * b0;
    c31 += a * b1;
    c32 += a * b2;
    c33 += a * b3;
    ao += MR;
    bo += NR;
  }
  if (mr === MR && nr === NR) {
    let r = cOff;
    c[r] = (c[r] as number) + c00;
    c[r + 1] = (c[r + 1] as number) + c01;
    c[r + 2] = (c[r + 2] as number) + c02;
    c[r + 3] = (c[r + 3] as number) + c03;
    r += ldc;
    c[r] = (c[r] as number) + c10;
    c[r + 1] = (c[r + 1] as number) + c11;
    c[r + 2] = (c[r + 2] as number) + c12;
    c[r + 3] = (c[r + 3] as number) + c13;
    r += ldc;
    c[r] = (c[r] as number) + c20;
    c[r + 1] = (c[r + 1] as number) + c21;
    c[r + 2] = (c[r + 2] as number) + c22;
    c[r + 3] = (c[r + 3] as number) + c23;
    r += ldc;
    c[r] = (c[r] as number) + c30;
    c[r + 1] = (c[r + 1] as number) + c31;
    c[r + 2] = (c[r + 2] as number) + c32;
    c[r + 3] = (c[r + 3] as number) + c33;
    return;
  }
  const t = edgeTile;
  t[0] = c00;
  t[1] = c01;
  t[2] = c02;
  t[3] = c03;
  t[4] = c10;
  t[5] = c11;
  t[6] = c12;
  t[7] = c13;
  t[8] = c20;
  t[9] = c21;
  t[10] = c22;
  t[11] = c23;
  t[12] = c30;
  t[13] = c31;
  t[14] = c32;
  t[15] = c33;
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const idx = cOff + i * ldc + j;
      c[idx] = (c[idx] as number) + (t[i * NR + j] as number);
    }
  }
}

const batchMatMulKernel: KernelFunction<"BatchMatMul", CpuBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const a = inputs[0]!;
  const b = inputs[1]!;
  const av = backend.values(a);
  const bv = backend.values(b);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const { transposeA, transposeB } = attrs;
  const m = a.shape[transposeA ? ra - 1 : ra - 2] as number;
  const k = a.shape[transposeA ? ra - 2 : ra - 1] as number;
  const n = b.shape[transposeB ? rb - 2 : rb - 1] as number;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  const { values, info } = backend.allocate([...batch, m, n], a.dtype);
  // float32 and int32 products accumulate in a float64 buffer, converted once at the end.
  const acc = values instanceof Float64Array ? values : new Float64Array(values.length);
  const sa = broadcastStrides(batchA, batch).map((s) => s * m * k);
  const sb = broadcastStrides(batchB, batch).map((s) => s * k * n);
  let outOff = 0;
  const multiply = (aOff: number, bOff: number) => {
    const aView: MatrixView = transposeA
      ? { data: av, offset: aOff, rowStride: 1, colStride: m }
      : { data: av, offset: aOff, rowStride: k, colStride: 1 };
    const bView: MatrixView = transposeB
      ? { data: bv, offset: bOff, rowStride: 1, colStride: k }
      : { data: bv, offset: bOff, rowStride: n, colStride: 1 };
    gemm(m, n, k, aView, bView, acc, outOff);
    outOff += m * n;
  };
  if (batch.length === 0) {
    multiply(0, 0);
  } else {
    forEachBroadcastRun(batch, [sa, sb], (_start, offsets, length, inner) => {
      let ao = offsets[0] as number;
      let bo = offsets[1] as number;
      for (let i = 0; i < length; i++, ao += inner[0] as number, bo += inner[1] as number) {
        multiply(ao, bo);
      }
    });
  }
  if (acc !== values) values.set(acc);
  return info;
};

/** Matrix product kernel list. */
export const MATMUL_KERNELS: readonly KernelConfig[] = [
  defineKernel("BatchMatMul", "cpu", batchMatMulKernel),
];
