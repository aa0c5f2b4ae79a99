/**
 * `covnet eval`: errors of a saved model on a dataset.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { loadDataset, loadGraphDataset } from "@covnet/datasets";
import { ccnSplit, evaluateCcn, loadCcn, readSavedCcn } from "@covnet/models-ccn";
import {
  evaluateCormorant,
  loadCormorant,
  readSavedCormorant,
  resolveModelPath,
} from "@covnet/models-cormorant";
import { Command, Options } from "@effect/cli";
import { Effect, Option } from "effect";
import { CliError, cliLogger, createEngine, emitJson, say, withMeV } from "../runtime.js";
import {
  backendOption,
  dataOption,
  dtypeOption,
  jsonOption,
  targetOption,
  verboseOption,
} from "./options.js";

const evalOptions = {
  checkpoint: Options.text("checkpoint").pipe(
    Options.withDescription(
      "A training output directory, a model.json file (Cormorant or CCN), or pretrained:rmd17/ethanol or pretrained:rmd17/aspirin.",
    ),
  ),
  dataset: Options.text("dataset").pipe(
    Options.optional,
    Options.withDescription(
      "Dataset id to evaluate on (default: the one the model was trained on).",
    ),
  ),
  data: dataOption,
  target: targetOption,
  split: Options.choice("split", ["test", "train", "all"] as const).pipe(
    Options.withDefault("test" as const),
    Options.withDescription(
      "Which molecules: the dataset's test split (a CCN's own seeded split; the whole set when there is none), its training split, or all.",
    ),
  ),
  limit: Options.integer("limit").pipe(
    Options.withDefault(0),
    Options.withDescription("Evaluate only the first N molecules of the split (0: all)."),
  ),
  dtype: dtypeOption("float64"),
  backend: backendOption,
  json: jsonOption,
  verbose: verboseOption,
};

type EvalArgs = {
  readonly [K in keyof typeof evalOptions]: (typeof evalOptions)[K] extends Options.Options<infer A>
    ? A
    : never;
};

/** Reads the `format` field of a JSON model file: undefined when it has none or does not parse. */
function savedFormat(path: string): unknown {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { format?: unknown } | null)?.format;
  } catch {
    return undefined;
  }
}

/**
 * Evaluates a saved CCN on the split it was trained with: the same seeded draw of `limit`
 * molecules and the same 80/10/10 cut, so `--split test` gives the test molecules of training.
 */
async function evalCcn(path: string, a: EvalArgs): Promise<void> {
  const saved = readSavedCcn(path);
  const id = Option.getOrElse(a.dataset, () => saved.dataset.id);
  if (id !== "hcep" && id !== "qm9") {
    throw new CliError(`invalid dataset "${id}" for a CCN model: expected hcep or qm9`);
  }
  // The saved target applies only to the dataset the model was trained on.
  let target: string | undefined;
  if (Option.isSome(a.target)) target = a.target.value;
  else if (id === saved.dataset.id) target = saved.dataset.target;
  const full = await loadGraphDataset(id, {
    ...(Option.isSome(a.data) ? { dataPath: a.data.value } : {}),
    ...(target === undefined || id === "hcep" ? {} : { target }),
  });

  const { dataset, split } = ccnSplit(full, saved.split);
  let indices: Int32Array =
    a.split === "all" ? Int32Array.from({ length: dataset.size }, (_, i) => i) : split[a.split];
  if (a.limit > 0) indices = indices.subarray(0, a.limit);
  if (indices.length === 0)
    throw new CliError(`no molecules to evaluate in the ${a.split} split of ${dataset.id}`);

  const engine = await createEngine(a.backend, a.dtype, cliLogger(a.verbose));
  const model = loadCcn(engine, saved, a.dtype);
  const metrics = await evaluateCcn({
    model,
    dataset,
    indices,
    scale: saved.scale,
    batchSize: 32,
  });
  const order = model.config.order;
  const unit = dataset.unit;
  say(a.json, `covnet: CCN ${order}D, ${dataset.id}, ${a.split} split, ${metrics.count} molecules`);
  say(
    a.json,
    `  ${dataset.target} MAE ${metrics.mae.toFixed(4)} ${unit}, RMSE ${metrics.rmse.toFixed(4)} ${unit}`,
  );
  emitJson(a.json, {
    command: "eval",
    model: "ccn",
    order,
    dataset: dataset.id,
    target: dataset.target,
    unit,
    split: a.split,
    metrics: { mae: metrics.mae, rmse: metrics.rmse },
    count: metrics.count,
    moleculesPerSecond: metrics.moleculesPerSecond,
    backend: engine.backendName,
    dtype: a.dtype,
  });
}

/** `covnet eval`. */
export const evalCommand = Command.make("eval", evalOptions, (a) =>
  Effect.tryPromise({
    try: async () => {
      const path = resolveModelPath(a.checkpoint);
      if (savedFormat(path) === "covnet-ccn-model") return evalCcn(path, a);
      const saved = readSavedCormorant(path);
      const id = Option.getOrElse(a.dataset, () => saved.dataset.id);
      const ds = await loadDataset(id, {
        ...(Option.isSome(a.data) ? { dataPath: a.data.value } : {}),
        ...(Option.isSome(a.target) ? { target: a.target.value } : {}),
      });
      const all = Int32Array.from({ length: ds.size }, (_, i) => i);
      let indices: Int32Array = all;
      if (a.split !== "all" && ds.predefinedSplit !== undefined)
        indices = ds.predefinedSplit[a.split];
      if (a.limit > 0) indices = indices.subarray(0, a.limit);
      if (indices.length === 0)
        throw new CliError(`no molecules to evaluate in the ${a.split} split of ${ds.id}`);
      const engine = await createEngine(a.backend, a.dtype, cliLogger(a.verbose));
      const model = loadCormorant(engine, saved, a.dtype);
      const m = await evaluateCormorant(model, ds, indices);
      say(a.json, `covnet: ${ds.id}, ${a.split} split, ${m.count} molecules`);
      say(
        a.json,
        `  energy MAE ${withMeV(m.energy.mae, m.energy.unit)}, RMSE ${withMeV(m.energy.rmse, m.energy.unit)}`,
      );
      if (m.forces !== undefined) {
        say(
          a.json,
          `  force  MAE ${withMeV(m.forces.mae, m.forces.unit)}, RMSE ${withMeV(m.forces.rmse, m.forces.unit)}`,
        );
      }
      emitJson(a.json, {
        command: "eval",
        dataset: ds.id,
        split: a.split,
        metrics: { energy: m.energy, ...(m.forces ? { forces: m.forces } : {}) },
        count: m.count,
        backend: engine.backendName,
        dtype: a.dtype,
      });
    },
    catch: (e) => e,
  }),
).pipe(
  Command.withDescription(
    "Report the errors of a saved model on a dataset: energy and force MAE and RMSE for Cormorant, target MAE and RMSE for a CCN.",
  ),
);
