import { cpuBackendModule } from "@covnet/backend-cpu";
import { createContainer, type Engine, initEngine } from "@covnet/core";
import type { MolecularGraph } from "@covnet/datasets";

/** A fresh engine on the CPU backend. */
export async function cpuEngine(defaultFloat: "float32" | "float64" = "float64"): Promise<Engine> {
  const container = createContainer({ logLevel: "silent" });
  container.load(cpuBackendModule());
  return initEngine(container, { backend: "cpu", defaultFloat });
}

/** Relabels the atoms of a graph: atom `i` becomes atom `perm[i]` (0-based). */
export function relabel(g: MolecularGraph, perm: readonly number[]): MolecularGraph {
  const n = g.atoms.length;
  const move = <T extends Uint8Array | Int8Array>(a: T, make: (n: number) => T): T => {
    const out = make(n);
    for (let i = 0; i < n; i++) out[perm[i] as number] = a[i] as number;
    return out;
  };
  const bonds = new Uint16Array(g.bonds.length);
  for (let b = 0; b < g.bondTypes.length; b++) {
    const u = perm[g.bonds[2 * b] as number] as number;
    const v = perm[g.bonds[2 * b + 1] as number] as number;
    bonds[2 * b] = Math.min(u, v);
    bonds[2 * b + 1] = Math.max(u, v);
  }
  return {
    ...g,
    atoms: move(g.atoms, (k) => new Uint8Array(k)),
    hydrogens: move(g.hydrogens, (k) => new Uint8Array(k)),
    aromatic: move(g.aromatic, (k) => new Uint8Array(k)),
    formalCharges: move(g.formalCharges, (k) => new Int8Array(k)),
    bonds,
  };
}
