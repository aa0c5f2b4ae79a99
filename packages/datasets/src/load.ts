/**
 * Dataset ids, the loader for embedded copies and upstream files, and the catalog.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { Cause, Effect, Exit } from "effect";
import { DatasetError, datasetError } from "./errors.js";
import { parseCsv } from "./formats/csv.js";
import { parseQm9Xyz, type Qm9Record, readQm9Archive } from "./formats/qm9.js";
import { parseSdf } from "./formats/sdf.js";
import { parseXyz } from "./formats/xyz.js";
import { PROVENANCE } from "./internal/catalog.js";
import { loadEmbedded, member } from "./internal/embedded.js";
import {
  concatFrames,
  framesFromXyz,
  type MdFrames,
  mdDataset,
  RMD17_MOLECULES,
  readMdNpz,
  selectFrames,
} from "./internal/md17.js";
import {
  type Qm9Raw,
  qm9CsvRows,
  qm9Dataset,
  qm9FromXyzFrame,
  qm9TargetUnits,
} from "./internal/qm9.js";
import type { AtomsDataset, DatasetInfo } from "./types.js";
import { type EnergyUnit, isEnergyUnit } from "./units.js";

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /**
   * Reads the dataset from upstream files instead of the embedded copy: a file or a folder.
   * rMD17: an `.npz`, or a folder with `rmd17_<molecule>_train_01.npz` and `..._test_01.npz`, or
   * the figshare folder (`npz_data/rmd17_<molecule>.npz` with `splits/index_{train,test}_01.csv`).
   * MD17: an extended XYZ file or an sGDML `.npz`. QM9: a `.tar.bz2` of `dsgdb9nsd_*.xyz`, a
   * folder holding one (and optionally a MoleculeNet CSV), a folder of loose `dsgdb9nsd` files,
   * an SDF (with `<file>.csv` beside it) or an extended XYZ with QM9 keys.
   */
  readonly dataPath?: string;
  /** QM9 target copied to `Molecule.energy` (default `U0`); MD datasets accept only `energy`. */
  readonly target?: string;
  /** rMD17 frames: the rMD17 labels (default) or the original MD17 labels. */
  readonly labels?: "rmd17" | "md17";
  /** Energy unit of energies, forces (per Angstrom) and QM9 energy targets. */
  readonly energyUnit?: EnergyUnit;
  /** QM9: a MoleculeNet CSV to join on `mol_id` (overrides the one found in `dataPath`). */
  readonly csvPath?: string;
}

const QM9_EMBEDDED_SIZE = 14170;

/** Returns the ids that {@link loadDataset} accepts, with sizes, units and provenance. */
export function listDatasets(): DatasetInfo[] {
  const md = (energy: EnergyUnit) => ({
    length: "angstrom" as const,
    energy,
    force: `${energy}/angstrom`,
    targets: { energy },
  });
  const rmd17: DatasetInfo[] = RMD17_MOLECULES.map((name) => ({
    id: `rmd17/${name}`,
    description: `rMD17 ${name}, split 01: 1000 training then 1000 test frames (labels "md17" gives the original MD17 labels)`,
    size: 2000,
    embedded: true,
    formats: ["rMD17 npz", "sGDML npz (labels md17)"],
    units: md("kcal/mol"),
    provenance: PROVENANCE.rmd17,
  }));
  return [
    ...rmd17,
    {
      id: "md17/ethanol",
      description: "MD17 ethanol, 2000 frames with the original MD17 labels",
      size: 2000,
      embedded: true,
      formats: ["extended XYZ", "sGDML npz", "rMD17 npz (old_* keys)"],
      units: md("kcal/mol"),
      provenance: PROVENANCE.md17,
    },
    {
      id: "qm9",
      description:
        "QM9 subset of 14,170 molecules with 15 targets (U0, U, H, G as atomisation energies)",
      size: QM9_EMBEDDED_SIZE,
      embedded: true,
      formats: [
        "dsgdb9nsd xyz (loose or tar.bz2) + MoleculeNet CSV",
        "MoleculeNet SDF + CSV",
        "extended XYZ",
      ],
      units: { length: "angstrom", energy: "eV", targets: qm9TargetUnits("eV") },
      provenance: PROVENANCE.qm9,
    },
  ];
}

const guard = <A>(thunk: () => A, file: string): Effect.Effect<A, DatasetError> =>
  Effect.try({
    try: thunk,
    catch: (e) =>
      e instanceof DatasetError ? e : datasetError(file, (e as Error).message ?? String(e)),
  });

const readBytes = (path: string): Effect.Effect<Uint8Array, DatasetError> =>
  Effect.tryPromise({
    try: () => readFile(path),
    catch: (e) => datasetError(path, `cannot read file: ${(e as Error).message}`),
  });

const readText = (path: string) => Effect.map(readBytes(path), (b) => new TextDecoder().decode(b));

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Finds files under `dir` (depth <= 2) whose names match `pattern`, sorted. */
function findFiles(dir: string, pattern: RegExp, depth = 2): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth > 0) out.push(...findFiles(path, pattern, depth - 1));
    else if (entry.isFile() && pattern.test(entry.name)) out.push(path);
  }
  return out.sort();
}

function parseIndexFile(text: string, file: string): number[] {
  return text
    .split(/\s+/)
    .filter((s) => s.length > 0)
    .map((s, i) => {
      const v = Number(s);
      if (!Number.isInteger(v))
        throw datasetError(file, `"${s}" is not an integer index`, { record: `entry ${i}` });
      return v;
    });
}

function loadMdFromPath(
  id: string,
  molecule: string,
  path: string,
  labels: "rmd17" | "md17",
): Effect.Effect<{ frames: MdFrames; trainCount?: number }, DatasetError> {
  return Effect.gen(function* () {
    if (!isDirectory(path)) {
      if (/\.xyz$/i.test(path)) {
        const text = yield* readText(path);
        return { frames: yield* guard(() => framesFromXyz(parseXyz(text, path), path), path) };
      }
      const bytes = yield* readBytes(path);
      return { frames: yield* guard(() => readMdNpz(bytes, path, labels), path) };
    }
    for (const dir of [path, join(path, "rmd17-npz")]) {
      const train = join(dir, `rmd17_${molecule}_train_01.npz`);
      const test = join(dir, `rmd17_${molecule}_test_01.npz`);
      if (existsSync(train) && existsSync(test)) {
        const a = yield* guard(() => readMdNpz(readFileSyncBytes(train), train, labels), train);
        const b = yield* guard(() => readMdNpz(readFileSyncBytes(test), test, labels), test);
        return {
          frames: yield* guard(() => concatFrames(a, b, test), test),
          trainCount: a.energies.length,
        };
      }
    }
    const full = join(path, "npz_data", `rmd17_${molecule}.npz`);
    if (existsSync(full)) {
      const all = yield* guard(() => readMdNpz(readFileSyncBytes(full), full, labels), full);
      const trainFile = join(path, "splits", "index_train_01.csv");
      const testFile = join(path, "splits", "index_test_01.csv");
      if (!existsSync(trainFile) || !existsSync(testFile)) return { frames: all };
      const trainIdx = yield* guard(
        () => parseIndexFile(readFileSyncText(trainFile), trainFile),
        trainFile,
      );
      const testIdx = yield* guard(
        () => parseIndexFile(readFileSyncText(testFile), testFile),
        testFile,
      );
      const frames = yield* guard(
        () =>
          concatFrames(
            selectFrames(all, trainIdx, trainFile),
            selectFrames(all, testIdx, testFile),
            testFile,
          ),
        testFile,
      );
      return { frames, trainCount: trainIdx.length };
    }
    const named = findFiles(path, new RegExp(`^(md17_${molecule}\\.npz|${molecule}.*\\.xyz)$`), 1);
    const first = named[0];
    if (first !== undefined) return yield* loadMdFromPath(id, molecule, first, labels);
    return yield* Effect.fail(
      datasetError(
        path,
        `no ${id} files found (expected rmd17_${molecule}_{train,test}_01.npz, npz_data/rmd17_${molecule}.npz, md17_${molecule}.npz or ${molecule}*.xyz)`,
      ),
    );
  });
}

function readFileSyncBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw datasetError(path, `cannot read file: ${(e as Error).message}`);
  }
}

function readFileSyncText(path: string): string {
  return new TextDecoder().decode(readFileSyncBytes(path));
}

function loadQm9FromPath(
  path: string,
  csvPath: string | undefined,
): Effect.Effect<{ molecules: Qm9Raw[]; note: string }, DatasetError> {
  return Effect.gen(function* () {
    let csv = csvPath;
    let geometry = path;
    if (isDirectory(path)) {
      const archives = findFiles(path, /\.(tar\.bz2|tbz2?|tar)$/i);
      const loose = findFiles(path, /^dsgdb9nsd_\d+\.xyz$/, 1);
      if (csv === undefined) {
        const tables = findFiles(path, /\.csv$/i).filter((f) => !f.endsWith(".sdf.csv"));
        csv = tables[0];
      }
      if (archives[0] !== undefined) geometry = archives[0];
      else if (loose.length > 0) {
        const records = [];
        for (const file of loose) {
          const text = yield* readText(file);
          records.push(yield* guard(() => parseQm9Xyz(text, file), file));
        }
        return yield* joinQm9(records, csv, path);
      } else {
        return yield* Effect.fail(
          datasetError(path, "no QM9 archive (*.tar.bz2) or dsgdb9nsd_*.xyz files found"),
        );
      }
    }
    if (/\.(tar\.bz2|tbz2?|tar)$/i.test(geometry)) {
      const records = yield* Effect.tryPromise({
        try: () => readQm9Archive(geometry),
        catch: (e) => (e instanceof DatasetError ? e : datasetError(geometry, String(e))),
      });
      return yield* joinQm9(records, csv, geometry);
    }
    if (/\.sdf$/i.test(geometry)) {
      const text = yield* readText(geometry);
      const sdf = yield* guard(() => parseSdf(text, geometry), geometry);
      const table = csv ?? (existsSync(`${geometry}.csv`) ? `${geometry}.csv` : undefined);
      if (table === undefined) {
        return yield* Effect.fail(
          datasetError(
            geometry,
            "SDF files carry no targets; give the MoleculeNet CSV (csvPath or <file>.csv)",
          ),
        );
      }
      const csvText = yield* readText(table);
      const rows = yield* guard(() => qm9CsvRows(parseCsv(csvText, table), table), table);
      const molecules: Qm9Raw[] = [];
      for (const m of sdf) {
        const row = rows.get(m.name);
        if (row === undefined) {
          return yield* Effect.fail(
            datasetError(table, `no row for SDF molecule "${m.name}"`, { field: "mol_id" }),
          );
        }
        molecules.push({
          name: m.name,
          charges: m.charges,
          positions: m.positions,
          properties: row.properties,
          ...(row.smiles ? { smiles: row.smiles } : {}),
        });
      }
      return { molecules, note: `${basename(geometry)} joined with ${basename(table)}` };
    }
    if (/dsgdb9nsd_\d+\.xyz$/.test(geometry)) {
      const text = yield* readText(geometry);
      const record = yield* guard(() => parseQm9Xyz(text, geometry), geometry);
      return yield* joinQm9([record], csv, geometry);
    }
    const text = yield* readText(geometry);
    const frames = yield* guard(() => parseXyz(text, geometry), geometry);
    const molecules = yield* guard(
      () => frames.map((f, i) => qm9FromXyzFrame(f, i, geometry)),
      geometry,
    );
    return { molecules, note: basename(geometry) };
  });
}

function joinQm9(
  records: readonly Qm9Record[],
  csv: string | undefined,
  source: string,
): Effect.Effect<{ molecules: Qm9Raw[]; note: string }, DatasetError> {
  return Effect.gen(function* () {
    const rows =
      csv === undefined
        ? undefined
        : yield* Effect.flatMap(readText(csv), (t) =>
            guard(() => qm9CsvRows(parseCsv(t, csv), csv), csv),
          );
    const molecules: Qm9Raw[] = [];
    let dropped = 0;
    for (const r of records) {
      const name = `gdb_${r.index}`;
      const row = rows?.get(name);
      const properties = row?.properties ?? r.properties;
      if (properties === undefined) {
        dropped++;
        continue;
      }
      const smiles = row?.smiles ?? r.smiles;
      molecules.push({
        name,
        charges: r.charges,
        positions: r.positions,
        properties,
        ...(smiles ? { smiles } : {}),
      });
    }
    if (molecules.length === 0) {
      return yield* Effect.fail(
        datasetError(
          source,
          `none of the ${records.length} molecules has targets (no property line, and ${csv === undefined ? "no CSV was given" : `no mol_id match in ${csv}`})`,
        ),
      );
    }
    const note = `${basename(source)}${csv ? ` joined with ${basename(csv)}` : ""}; ${molecules.length} molecules${dropped > 0 ? `, ${dropped} without targets left out` : ""}`;
    return { molecules, note };
  });
}

function embeddedMd(_id: string, molecule: string, labels: "rmd17" | "md17") {
  const name = `rmd17_${molecule}.npz`;
  const file = loadEmbedded(name);
  const int = (k: string) => Int32Array.from(member(file, k, name).data);
  const f64 = (k: string) => member(file, k, name).data as Float64Array;
  const frames: MdFrames = {
    charges: int("nuclear_charges"),
    positions: f64("coords"),
    energies: f64(labels === "md17" ? "old_energies" : "energies"),
    forces: f64(labels === "md17" ? "old_forces" : "forces"),
  };
  return { frames, trainCount: Number(file.meta.trainCount) };
}

/**
 * Loads a dataset by id, from the embedded copy or from upstream files at `options.dataPath`.
 * Ids: `rmd17/<molecule>` (aspirin, azobenzene, benzene, ethanol, malonaldehyde, naphthalene,
 * paracetamol, salicylic, toluene, uracil), `md17/ethanol` (and `md17/<molecule>` with a
 * `dataPath`), `qm9`.
 *
 * Energies and forces of MD datasets are in kcal/mol and kcal/mol/Angstrom unless
 * `energyUnit` says otherwise; QM9 energy targets are in eV by default.
 *
 * @returns an Effect that fails with a {@link DatasetError} naming file, record and field.
 */
export function loadDatasetEffect(
  id: string,
  options: LoadDatasetOptions = {},
): Effect.Effect<AtomsDataset, DatasetError> {
  return Effect.gen(function* () {
    const [family, molecule] = id.split("/");
    if (options.energyUnit !== undefined && !isEnergyUnit(options.energyUnit)) {
      return yield* Effect.fail(
        datasetError(
          id,
          `unknown energy unit "${options.energyUnit}" (kcal/mol, eV, meV, hartree)`,
          { field: "energyUnit" },
        ),
      );
    }
    if (family === "rmd17" || family === "md17") {
      if (molecule === undefined || molecule.length === 0) {
        return yield* Effect.fail(
          datasetError(id, `dataset id needs a molecule: ${family}/<molecule>`),
        );
      }
      if (options.target !== undefined && options.target !== "energy") {
        return yield* Effect.fail(
          datasetError(id, `unknown target "${options.target}" (MD datasets have only "energy")`, {
            field: "target",
          }),
        );
      }
      const energyUnit = options.energyUnit ?? "kcal/mol";
      if (family === "rmd17") {
        const labels = options.labels ?? "rmd17";
        if (
          options.dataPath === undefined &&
          !(RMD17_MOLECULES as readonly string[]).includes(molecule)
        ) {
          return yield* Effect.fail(
            datasetError(
              id,
              `unknown rMD17 molecule "${molecule}" (known: ${RMD17_MOLECULES.join(", ")})`,
            ),
          );
        }
        const loaded =
          options.dataPath === undefined
            ? yield* guard(() => embeddedMd(id, molecule, labels), id)
            : yield* loadMdFromPath(id, molecule, options.dataPath, labels);
        const provenance = labels === "md17" ? PROVENANCE.md17OfRmd17 : PROVENANCE.rmd17;
        return yield* guard(
          () =>
            mdDataset(loaded.frames, {
              id,
              provenance:
                options.dataPath === undefined
                  ? provenance
                  : `${provenance} Read from ${options.dataPath}.`,
              energyUnit,
              ...(loaded.trainCount !== undefined ? { trainCount: loaded.trainCount } : {}),
            }),
          id,
        );
      }
      if (options.dataPath === undefined) {
        if (molecule !== "ethanol") {
          return yield* Effect.fail(
            datasetError(
              id,
              `only md17/ethanol is embedded; give dataPath for ${id}, or use rmd17/${molecule} with labels "md17"`,
            ),
          );
        }
        const file = yield* guard(() => loadEmbedded("md17_ethanol.npz"), id);
        const frames = yield* guard(
          (): MdFrames => ({
            charges: Int32Array.from(member(file, "z", "md17_ethanol.npz").data),
            positions: member(file, "R", "md17_ethanol.npz").data as Float64Array,
            energies: member(file, "E", "md17_ethanol.npz").data as Float64Array,
            forces: member(file, "F", "md17_ethanol.npz").data as Float64Array,
          }),
          id,
        );
        return yield* guard(
          () => mdDataset(frames, { id, provenance: PROVENANCE.md17, energyUnit }),
          id,
        );
      }
      const loaded = yield* loadMdFromPath(id, molecule, options.dataPath, "md17");
      return yield* guard(
        () =>
          mdDataset(loaded.frames, {
            id,
            provenance: `MD17 ${molecule} read from ${options.dataPath}.`,
            energyUnit,
          }),
        id,
      );
    }
    if (family === "qm9" && molecule === undefined) {
      const energyUnit = options.energyUnit ?? "eV";
      const target = options.target ?? "U0";
      if (options.dataPath === undefined) {
        const molecules = yield* guard(() => embeddedQm9(), id);
        return yield* guard(
          () => qm9Dataset(molecules, { id, provenance: PROVENANCE.qm9, energyUnit, target }),
          id,
        );
      }
      const { molecules, note } = yield* loadQm9FromPath(options.dataPath, options.csvPath);
      return yield* guard(
        () =>
          qm9Dataset(molecules, {
            id,
            provenance: `QM9 (Ramakrishnan et al. 2014) read from ${note}.`,
            energyUnit,
            target,
          }),
        id,
      );
    }
    return yield* Effect.fail(
      datasetError(
        id,
        `unknown dataset id (known: ${listDatasets()
          .map((d) => d.id)
          .join(", ")}, md17/<molecule> with dataPath)`,
      ),
    );
  });
}

function embeddedQm9(): Qm9Raw[] {
  const name = "qm9.npz";
  const file = loadEmbedded(name);
  const counts = member(file, "atom_counts", name).data;
  const index = member(file, "index", name).data;
  const charges = member(file, "charges", name).data;
  const positions = member(file, "positions", name).data as Float64Array;
  const properties = member(file, "properties", name).data as Float64Array;
  const smiles = file.json.get("smiles") as string[] | undefined;
  const out: Qm9Raw[] = [];
  let atom = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] as number;
    const s = smiles?.[i];
    out.push({
      name: `gdb_${index[i]}`,
      charges: Int32Array.from(charges.subarray(atom, atom + n)),
      positions: positions.subarray(3 * atom, 3 * (atom + n)),
      properties: properties.subarray(15 * i, 15 * (i + 1)),
      ...(s ? { smiles: s } : {}),
    });
    atom += n;
  }
  return out;
}

/**
 * Loads a dataset (see {@link loadDatasetEffect}) as a Promise.
 *
 * @throws DatasetError (as a rejected promise) naming file, record and field.
 */
export async function loadDataset(
  id: string,
  options: LoadDatasetOptions = {},
): Promise<AtomsDataset> {
  const exit = await Effect.runPromiseExit(loadDatasetEffect(id, options));
  if (Exit.isSuccess(exit)) return exit.value;
  throw Cause.squash(exit.cause);
}
