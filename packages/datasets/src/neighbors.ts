/**
 * Neighbour lists within a cutoff radius (no periodic boundaries).
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";

/** Directed neighbour pairs: for each k, atom `dst[k]` lies within the cutoff of `src[k]`. */
export interface NeighborList {
  readonly src: Int32Array;
  readonly dst: Int32Array;
}

/** Systems with at most this many atoms use the O(n^2) pair loop, which is faster there. */
export const BRUTE_FORCE_MAX_ATOMS = 64;

/**
 * Lists all ordered pairs (i, j), i != j, with |x_i - x_j| <= cutoff. Both directions appear and
 * pairs are sorted by src, then dst. Uses a cell list (cells of edge `cutoff`, O(n) for bounded
 * density) above {@link BRUTE_FORCE_MAX_ATOMS} atoms, or when `method` says so.
 *
 * @param positions `[n, 3]` flattened, Angstrom.
 * @throws ArgumentError when `positions.length` is not a multiple of 3, the cutoff is not a
 *   positive finite number, or a position is not finite.
 */
export function neighborList(
  positions: Float64Array,
  cutoff: number,
  method: "auto" | "brute-force" | "cell-list" = "auto",
): NeighborList {
  if (positions.length % 3 !== 0) {
    throw new ArgumentError(`positions length ${positions.length} is not a multiple of 3`);
  }
  if (!(cutoff > 0) || !Number.isFinite(cutoff)) {
    throw new ArgumentError(`cutoff ${cutoff} must be a positive finite number`);
  }
  const n = positions.length / 3;
  for (let i = 0; i < positions.length; i++) {
    if (!Number.isFinite(positions[i])) {
      throw new ArgumentError(
        `position of atom ${Math.floor(i / 3)} is not finite (${positions[i]})`,
      );
    }
  }
  const useCells = method === "cell-list" || (method === "auto" && n > BRUTE_FORCE_MAX_ATOMS);
  return useCells ? cellList(positions, n, cutoff) : bruteForce(positions, n, cutoff);
}

function bruteForce(p: Float64Array, n: number, cutoff: number): NeighborList {
  const c2 = cutoff * cutoff;
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = p[3 * i] as number;
    const yi = p[3 * i + 1] as number;
    const zi = p[3 * i + 2] as number;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = (p[3 * j] as number) - xi;
      const dy = (p[3 * j + 1] as number) - yi;
      const dz = (p[3 * j + 2] as number) - zi;
      if (dx * dx + dy * dy + dz * dz <= c2) {
        src.push(i);
        dst.push(j);
      }
    }
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
}

function cellList(p: Float64Array, n: number, cutoff: number): NeighborList {
  if (n === 0) return { src: new Int32Array(0), dst: new Int32Array(0) };
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < 3; d++) {
      const v = p[3 * i + d] as number;
      lo[d] = Math.min(lo[d] as number, v);
      hi[d] = Math.max(hi[d] as number, v);
    }
  }
  // Cap the grid at about 2n cells so sparse clouds cost O(n) memory.
  let edge = cutoff;
  const cellsFor = (e: number) => lo.map((l, d) => Math.floor(((hi[d] as number) - l) / e) + 1);
  let dims = cellsFor(edge);
  while ((dims[0] as number) * (dims[1] as number) * (dims[2] as number) > 2 * n + 27) {
    edge *= 1.5;
    dims = cellsFor(edge);
  }
  const [nx, ny, nz] = dims as [number, number, number];
  const reach = Math.ceil(cutoff / edge);
  const cellOf = new Int32Array(n);
  const counts = new Int32Array(nx * ny * nz + 1);
  for (let i = 0; i < n; i++) {
    const cx = Math.floor(((p[3 * i] as number) - (lo[0] as number)) / edge);
    const cy = Math.floor(((p[3 * i + 1] as number) - (lo[1] as number)) / edge);
    const cz = Math.floor(((p[3 * i + 2] as number) - (lo[2] as number)) / edge);
    const c = (cx * ny + cy) * nz + cz;
    cellOf[i] = c;
    counts[c + 1] = (counts[c + 1] as number) + 1;
  }
  for (let c = 0; c < nx * ny * nz; c++)
    counts[c + 1] = (counts[c + 1] as number) + (counts[c] as number);
  const start = counts.slice();
  const members = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = cellOf[i] as number;
    members[start[c] as number] = i;
    start[c] = (start[c] as number) + 1;
  }
  const c2 = cutoff * cutoff;
  const src: number[] = [];
  const dst: number[] = [];
  const found: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cellOf[i] as number;
    const cx = Math.floor(c / (ny * nz));
    const cy = Math.floor(c / nz) % ny;
    const cz = c % nz;
    const xi = p[3 * i] as number;
    const yi = p[3 * i + 1] as number;
    const zi = p[3 * i + 2] as number;
    found.length = 0;
    for (let ax = Math.max(0, cx - reach); ax <= Math.min(nx - 1, cx + reach); ax++) {
      for (let ay = Math.max(0, cy - reach); ay <= Math.min(ny - 1, cy + reach); ay++) {
        for (let az = Math.max(0, cz - reach); az <= Math.min(nz - 1, cz + reach); az++) {
          const cell = (ax * ny + ay) * nz + az;
          for (let k = counts[cell] as number; k < (counts[cell + 1] as number); k++) {
            const j = members[k] as number;
            if (j === i) continue;
            const dx = (p[3 * j] as number) - xi;
            const dy = (p[3 * j + 1] as number) - yi;
            const dz = (p[3 * j + 2] as number) - zi;
            if (dx * dx + dy * dy + dz * dz <= c2) found.push(j);
          }
        }
      }
    }
    found.sort((a, b) => a - b);
    for (const j of found) {
      src.push(i);
      dst.push(j);
    }
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
}
