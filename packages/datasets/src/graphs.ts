/**
 * Molecular graphs from SMILES: the Harvard Clean Energy Project (HCEP) subset and QM9 as
 * graphs, for graph-only targets. SMILES are parsed with OpenChemLib.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { Cause, Effect, Exit } from "effect";
import { Molecule } from "openchemlib";
import { DatasetError, datasetError } from "./errors.js";
import { parseCsv } from "./formats/csv.js";
import { loadEmbedded, member } from "./internal/embedded.js";
import { loadDatasetEffect } from "./load.js";

/** Bond type codes of {@link MolecularGraph.bondTypes}. */
export const BOND_TYPES = { single: 1, double: 2, triple: 3, aromatic: 4 } as const;

/** A molecule as a graph of its heavy atoms (hydrogens are counts on their atoms). */
export interface MolecularGraph {
  /** Atomic numbers of the heavy atoms, `[n]`. */
  readonly atoms: Uint8Array;
  /** Hydrogens attached to each heavy atom (implicit and explicit), `[n]`. */
  readonly hydrogens: Uint8Array;
  /** 1 where the atom is aromatic, `[n]`. */
  readonly aromatic: Uint8Array;
  /** Formal charge of each heavy atom, `[n]`. */
  readonly formalCharges: Int8Array;
  /** Bonds as atom index pairs, `[m, 2]` flattened, each pair with the smaller index first. */
  readonly bonds: Uint16Array;
  /** Bond type of each bond (see {@link BOND_TYPES}), `[m]`. */
  readonly bondTypes: Uint8Array;
  /** The SMILES the graph was parsed from. */
  readonly smiles: string;
  /** Scalar target in `GraphDataset.unit`. */
  readonly target: number;
}

/** A random-access collection of molecular graphs with one scalar target. */
export interface GraphDataset {
  /** Dataset id: `hcep` or `qm9`. */
  readonly id: string;
  /** Name of the target copied to `MolecularGraph.target`. */
  readonly target: string;
  /** Unit of the target. */
  readonly unit: string;
  readonly size: number;
  /**
   * Returns graph `i`.
   *
   * @throws RangeError when `i` is out of range.
   */
  graph(i: number): MolecularGraph;
  readonly provenance: string;
}

/** Options of {@link loadGraphDataset}. */
export interface LoadGraphDatasetOptions {
  /** HCEP: read this CEP CSV (`smiles,PCE`) instead of the embedded copy. */
  readonly dataPath?: string;
  /** QM9: the target (default `gap`); HCEP has only `PCE`. */
  readonly target?: string;
  /** Skip rows whose SMILES does not parse instead of failing. Default `false`. */
  readonly skipInvalid?: boolean;
  /** Receives one message per skipped row when `skipInvalid` is set. */
  readonly onSkip?: (message: string) => void;
}

/** Provenance and licence of the HCEP subset. */
export const HCEP_PROVENANCE =
  "Harvard Clean Energy Project subset of 29,978 molecules (Hachmann, Aspuru-Guzik et al.), as " +
  "committed in HIPS/neural-fingerprint data/2015-06-02-cep-pce/cep-processed.csv (Duvenaud " +
  "et al. 2015; MIT licence, no separate data licence). Target PCE: power conversion efficiency " +
  "in percent (Scharber-model estimate).";

/**
 * Parses one SMILES into a heavy-atom graph with OpenChemLib.
 *
 * @param where Location for the error message, for example `cep.csv, line 12`.
 * @throws {DatasetError} when the SMILES does not parse or has no heavy atom.
 */
export function smilesToGraph(
  smiles: string,
  target: number,
  where: { readonly file: string; readonly record: string },
): MolecularGraph {
  let molecule: Molecule;
  try {
    molecule = Molecule.fromSmiles(smiles);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw datasetError(where.file, `invalid SMILES "${smiles}": ${reason}`, {
      record: where.record,
      field: "smiles",
    });
  }
  molecule.ensureHelperArrays(Molecule.cHelperRings);
  const n = molecule.getAtoms();
  if (n === 0) {
    throw datasetError(where.file, `SMILES "${smiles}" has no heavy atom`, {
      record: where.record,
      field: "smiles",
    });
  }
  const atoms = new Uint8Array(n);
  const hydrogens = new Uint8Array(n);
  const aromatic = new Uint8Array(n);
  const formalCharges = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    atoms[i] = molecule.getAtomicNo(i);
    hydrogens[i] = molecule.getAllHydrogens(i);
    aromatic[i] = molecule.isAromaticAtom(i) ? 1 : 0;
    formalCharges[i] = molecule.getAtomCharge(i);
  }
  const pairs: number[] = [];
  const types: number[] = [];
  for (let b = 0; b < molecule.getBonds(); b++) {
    const u = molecule.getBondAtom(0, b);
    const v = molecule.getBondAtom(1, b);
    if (u >= n || v >= n) continue;
    pairs.push(Math.min(u, v), Math.max(u, v));
    types.push(molecule.isAromaticBond(b) ? BOND_TYPES.aromatic : molecule.getBondOrder(b));
  }
  return {
    atoms,
    hydrogens,
    aromatic,
    formalCharges,
    bonds: Uint16Array.from(pairs),
    bondTypes: Uint8Array.from(types),
    smiles,
    target,
  };
}

/**
 * Parses a CEP CSV (`smiles,PCE` header) into graphs. Line numbers in errors are 1-based and
 * count the header.
 *
 * @throws {DatasetError} naming the line of the first invalid SMILES or PCE value, unless
 *   `skipInvalid` is set, in which case such rows are reported through `onSkip` and left out.
 */
export function parseHcepCsv(
  text: string,
  file: string,
  options: Pick<LoadGraphDatasetOptions, "skipInvalid" | "onSkip"> = {},
): MolecularGraph[] {
  const table = parseCsv(text, file);
  const smilesColumn = table.header.indexOf("smiles");
  const pceColumn = table.header.indexOf("PCE");
  if (smilesColumn < 0 || pceColumn < 0) {
    throw datasetError(
      file,
      `expected columns "smiles" and "PCE", found ${table.header.join(", ")}`,
      {
        record: "line 1",
      },
    );
  }
  const out: MolecularGraph[] = [];
  table.rows.forEach((row, i) => {
    const record = `line ${i + 2}`;
    try {
      const smiles = row[smilesColumn] ?? "";
      const pce = Number(row[pceColumn]);
      if (row[pceColumn] === undefined || row[pceColumn] === "" || !Number.isFinite(pce)) {
        throw datasetError(file, `PCE "${row[pceColumn] ?? ""}" is not a number`, {
          record,
          field: "PCE",
        });
      }
      out.push(smilesToGraph(smiles, pce, { file, record }));
    } catch (e) {
      if (options.skipInvalid === true && e instanceof DatasetError) {
        options.onSkip?.(e.message);
        return;
      }
      throw e;
    }
  });
  return out;
}

function graphDataset(
  id: string,
  target: string,
  unit: string,
  graphs: readonly MolecularGraph[],
  provenance: string,
): GraphDataset {
  return {
    id,
    target,
    unit,
    size: graphs.length,
    provenance,
    graph(i: number): MolecularGraph {
      const g = graphs[i];
      if (g === undefined)
        throw new RangeError(`graph ${i} is outside 0..${graphs.length - 1} of ${id}`);
      return g;
    },
  };
}

/** Decodes an embedded graph file written by the build script (see `encodeGraphs`). */
export function decodeGraphs(name: string, targets: ArrayLike<number>): MolecularGraph[] {
  const file = loadEmbedded(name);
  const counts = member(file, "atom_counts", name).data;
  const bondCounts = member(file, "bond_counts", name).data;
  const atoms = member(file, "atoms", name).data;
  const hydrogens = member(file, "hydrogens", name).data;
  const aromatic = member(file, "aromatic", name).data;
  const charges = member(file, "formal_charges", name).data;
  const bonds = member(file, "bonds", name).data;
  const bondTypes = member(file, "bond_types", name).data;
  const smiles = file.json.get("smiles") as string[] | undefined;
  if (smiles === undefined || smiles.length !== counts.length || targets.length !== counts.length) {
    throw datasetError(name, `expected ${counts.length} SMILES and targets`, { field: "smiles" });
  }
  const out: MolecularGraph[] = [];
  let a = 0;
  let b = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] as number;
    const m = bondCounts[i] as number;
    out.push({
      atoms: Uint8Array.from(atoms.subarray(a, a + n)),
      hydrogens: Uint8Array.from(hydrogens.subarray(a, a + n)),
      aromatic: Uint8Array.from(aromatic.subarray(a, a + n)),
      formalCharges: Int8Array.from(charges.subarray(a, a + n), (c) => c - 8),
      bonds: Uint16Array.from(bonds.subarray(2 * b, 2 * (b + m))),
      bondTypes: Uint8Array.from(bondTypes.subarray(b, b + m)),
      smiles: smiles[i] as string,
      target: targets[i] as number,
    });
    a += n;
    b += m;
  }
  return out;
}

/** Flat arrays of many graphs, as stored in the embedded files. */
export function encodeGraphs(graphs: readonly MolecularGraph[]): Record<string, Uint8Array> {
  const atoms = graphs.reduce((s, g) => s + g.atoms.length, 0);
  const bonds = graphs.reduce((s, g) => s + g.bondTypes.length, 0);
  const out = {
    atom_counts: new Uint8Array(graphs.length),
    bond_counts: new Uint8Array(graphs.length),
    atoms: new Uint8Array(atoms),
    hydrogens: new Uint8Array(atoms),
    aromatic: new Uint8Array(atoms),
    formal_charges: new Uint8Array(atoms),
    bonds: new Uint8Array(2 * bonds),
    bond_types: new Uint8Array(bonds),
  };
  let a = 0;
  let b = 0;
  graphs.forEach((g, i) => {
    if (g.atoms.length > 255 || g.bondTypes.length > 255) {
      throw new RangeError(`graph ${i} has more than 255 atoms or bonds`);
    }
    out.atom_counts[i] = g.atoms.length;
    out.bond_counts[i] = g.bondTypes.length;
    out.atoms.set(g.atoms, a);
    out.hydrogens.set(g.hydrogens, a);
    out.aromatic.set(g.aromatic, a);
    out.formal_charges.set(
      Uint8Array.from(g.formalCharges, (c) => c + 8),
      a,
    );
    out.bonds.set(g.bonds, 2 * b);
    out.bond_types.set(g.bondTypes, b);
    a += g.atoms.length;
    b += g.bondTypes.length;
  });
  return out;
}

const QM9_GRAPH_TARGETS_DEFAULT = "gap";

/**
 * Loads a graph dataset: `hcep` (target `PCE`, percent) from the embedded copy or a CEP CSV at
 * `dataPath`, or `qm9` (any QM9 target, default `gap`) with bonds from the SMILES of the QM9
 * CSV, in the units of `loadDataset("qm9")`.
 *
 * @returns an Effect failing with a {@link DatasetError} that names the file and row.
 */
export function loadGraphDatasetEffect(
  id: string,
  options: LoadGraphDatasetOptions = {},
): Effect.Effect<GraphDataset, DatasetError> {
  return Effect.gen(function* () {
    if (id === "hcep") {
      if (options.target !== undefined && options.target !== "PCE") {
        return yield* Effect.fail(
          datasetError(id, `unknown target "${options.target}" (HCEP has only "PCE")`, {
            field: "target",
          }),
        );
      }
      const path = options.dataPath;
      if (path !== undefined) {
        const text = yield* Effect.tryPromise({
          try: () => readFile(path, "utf8"),
          catch: (e) => datasetError(path, `cannot read file: ${(e as Error).message}`),
        });
        const graphs = yield* guard(() => parseHcepCsv(text, path, options), path);
        return graphDataset(id, "PCE", "percent", graphs, `${HCEP_PROVENANCE} Read from ${path}.`);
      }
      const graphs = yield* guard(() => {
        const file = loadEmbedded("hcep.npz");
        return decodeGraphs("hcep.npz", member(file, "pce", "hcep.npz").data);
      }, "hcep.npz");
      return graphDataset(id, "PCE", "percent", graphs, HCEP_PROVENANCE);
    }
    if (id === "qm9") {
      if (options.dataPath !== undefined) {
        return yield* Effect.fail(
          datasetError(
            id,
            "qm9 graphs come from the embedded copy only; dataPath is not supported",
            {
              field: "dataPath",
            },
          ),
        );
      }
      const target = options.target ?? QM9_GRAPH_TARGETS_DEFAULT;
      const atoms = yield* loadDatasetEffect("qm9", { target });
      const values = new Float64Array(atoms.size);
      for (let i = 0; i < atoms.size; i++) values[i] = atoms.molecule(i).energy ?? Number.NaN;
      const graphs = yield* guard(() => decodeGraphs("qm9_graphs.npz", values), "qm9_graphs.npz");
      return graphDataset(
        id,
        target,
        atoms.units.targets[target] ?? "",
        graphs,
        `${atoms.provenance} Bonds from the CSV SMILES, parsed with OpenChemLib.`,
      );
    }
    return yield* Effect.fail(datasetError(id, "unknown graph dataset id (known: hcep, qm9)"));
  });
}

/**
 * Loads a graph dataset (see {@link loadGraphDatasetEffect}) as a Promise.
 *
 * @throws DatasetError (as a rejected promise) naming the file and row.
 */
export async function loadGraphDataset(
  id: string,
  options: LoadGraphDatasetOptions = {},
): Promise<GraphDataset> {
  const exit = await Effect.runPromiseExit(loadGraphDatasetEffect(id, options));
  if (Exit.isSuccess(exit)) return exit.value;
  throw Cause.squash(exit.cause);
}

function guard<A>(thunk: () => A, file: string): Effect.Effect<A, DatasetError> {
  return Effect.try({
    try: thunk,
    catch: (e) =>
      e instanceof DatasetError
        ? e
        : datasetError(file, e instanceof Error ? e.message : String(e)),
  });
}
