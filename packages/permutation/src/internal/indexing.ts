/** Index tables for partition maps, as plain arrays cached by their key. */

/** A map between field index sets: each input and output index carries a label. */
export interface LabelSpec {
  /** Label of each input field index. */
  readonly inputs: readonly number[];
  /** Label of each output field index. */
  readonly outputs: readonly number[];
}

/** Gather sources and segment targets of a partition map on fields of size `n`. */
export interface PartitionTable {
  readonly sources: Int32Array;
  readonly targets: Int32Array;
}

const cache = new Map<string, PartitionTable>();

/**
 * Enumerates every assignment of values `0..n-1` to the labels and records, for each, the flat
 * input position and the flat output position (row-major, first index slowest).
 */
export function partitionTable(spec: LabelSpec, n: number): PartitionTable {
  const key = `${n}|${spec.inputs.join(",")}|${spec.outputs.join(",")}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const labels = [...new Set([...spec.inputs, ...spec.outputs])];
  const slot = new Map(labels.map((l, i) => [l, i]));
  const count = n ** labels.length;
  const sources = new Int32Array(count);
  const targets = new Int32Array(count);
  const values = new Array<number>(labels.length).fill(0);
  for (let c = 0; c < count; c++) {
    let rest = c;
    for (let i = labels.length - 1; i >= 0; i--) {
      values[i] = rest % n;
      rest = Math.floor(rest / n);
    }
    let src = 0;
    for (const l of spec.inputs) src = src * n + (values[slot.get(l) as number] as number);
    let dst = 0;
    for (const l of spec.outputs) dst = dst * n + (values[slot.get(l) as number] as number);
    sources[c] = src;
    targets[c] = dst;
  }
  const table = { sources, targets };
  if (cache.size > 512) cache.clear();
  cache.set(key, table);
  return table;
}
