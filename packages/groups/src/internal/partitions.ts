/** Partitions of n in decreasing lexicographic order: `[n]` first, `[1, ..., 1]` last. */
export function partitionsOf(n: number): number[][] {
  const out: number[][] = [];
  const build = (remaining: number, maxPart: number, prefix: number[]) => {
    if (remaining === 0) {
      out.push(prefix.slice());
      return;
    }
    for (let part = Math.min(remaining, maxPart); part >= 1; part--) {
      prefix.push(part);
      build(remaining - part, part, prefix);
      prefix.pop();
    }
  };
  build(n, n, []);
  return out;
}

/** Dimension of the S_n irrep of shape `partition` by the hook-length formula. */
export function hookLengthDimension(partition: readonly number[]): number {
  const n = partition.reduce((a, b) => a + b, 0);
  const columns: number[] = [];
  for (let j = 0; j < (partition[0] ?? 0); j++) columns.push(partition.filter((r) => r > j).length);
  let numerator = 1n;
  for (let k = 2; k <= n; k++) numerator *= BigInt(k);
  let denominator = 1n;
  partition.forEach((rowLength, i) => {
    for (let j = 0; j < rowLength; j++) {
      denominator *= BigInt(rowLength - j + (columns[j] as number) - i - 1);
    }
  });
  return Number(numerator / denominator);
}

/**
 * The character `chi^partition` at a permutation of cycle type `cycleType`, by the
 * Murnaghan-Nakayama rule on beta-numbers (first-column hook lengths). Removing a rim hook of
 * length r moves one beta-number b to b - r when that slot is free, with sign
 * `(-1)^(number of beta-numbers strictly between b - r and b)`.
 */
export function murnaghanNakayama(
  partition: readonly number[],
  cycleType: readonly number[],
): number {
  const k = partition.length;
  const betas = partition.map((part, i) => part + (k - 1 - i));
  const cycles = [...cycleType].sort((a, b) => b - a);
  const memo = new Map<string, number>();
  const recurse = (beta: number[], index: number): number => {
    if (index === cycles.length) return 1;
    const key = `${beta.join(",")}|${index}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    const r = cycles[index] as number;
    const present = new Set(beta);
    let total = 0;
    for (let i = 0; i < beta.length; i++) {
      const b = beta[i] as number;
      const target = b - r;
      if (target < 0 || present.has(target)) continue;
      let between = 0;
      for (const c of beta) if (c > target && c < b) between++;
      const next = beta.slice();
      next[i] = target;
      next.sort((x, y) => y - x);
      total += (between % 2 === 0 ? 1 : -1) * recurse(next, index + 1);
    }
    memo.set(key, total);
    return total;
  };
  return recurse(betas, 0);
}

/**
 * Standard Young tableaux of a shape in last-letter order: sorted by
 * `(row(n), row(n-1), ..., row(1))` decreasing lexicographically, so a tableau with n in a lower
 * row comes first. Each tableau is a list of rows (English notation), entries 1-based.
 */
export function standardTableaux(partition: readonly number[]): number[][][] {
  const n = partition.reduce((a, b) => a + b, 0);
  if (n === 0) return [partition.map(() => [])];
  const out: number[][][] = [];
  for (let row = partition.length - 1; row >= 0; row--) {
    const len = partition[row] as number;
    const below = partition[row + 1] ?? 0;
    if (len === 0 || below >= len) continue;
    const smaller = partition.slice();
    smaller[row] = len - 1;
    const trimmed = smaller.filter((p) => p > 0);
    for (const t of standardTableaux(trimmed)) {
      const full: number[][] = partition.map((_, i) => (t[i] ?? []).slice());
      full[row]?.push(n);
      out.push(full);
    }
  }
  return out;
}
