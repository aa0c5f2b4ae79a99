/**
 * Options shared by several commands.
 *
 * @module
 */
import { Options } from "@effect/cli";
import { BACKEND_CHOICES } from "../runtime.js";

/** `--backend`: which backend computes. */
export const backendOption = Options.choice("backend", BACKEND_CHOICES).pipe(
  Options.withDefault("cpu" as const),
  Options.withDescription("Backend that runs the kernels: cpu, webgpu (float32 only) or cuda."),
);

/** `--dtype`: float precision of the computation. */
export const dtypeOption = (fallback: "float32" | "float64") =>
  Options.choice("dtype", ["float32", "float64"] as const).pipe(
    Options.withDefault(fallback),
    Options.withDescription("Floating-point precision of parameters and activations."),
  );

/** `--json`: print one JSON object with the results as the last line of standard output. */
export const jsonOption = Options.boolean("json").pipe(
  Options.withDescription(
    "Print the results as one JSON object on the last line of standard output.",
  ),
);

/** `--verbose`: log progress details to standard error. */
export const verboseOption = Options.boolean("verbose").pipe(
  Options.withDescription("Log details (backend, dataset, timings) to standard error."),
);

/** `--dataset`: an embedded dataset id. */
export const datasetOption = Options.text("dataset").pipe(
  Options.withDescription(
    "Dataset id: rmd17/<molecule> (aspirin, azobenzene, benzene, ethanol, malonaldehyde, naphthalene, paracetamol, salicylic, toluene, uracil), md17/ethanol or qm9.",
  ),
);

/** `--data`: a file or folder in the dataset's upstream format. */
export const dataOption = Options.text("data").pipe(
  Options.optional,
  Options.withDescription(
    "Read the dataset from this path in its upstream format (npz, extended XYZ, QM9 tar.bz2 or folder) instead of the embedded copy.",
  ),
);

/** `--target`: the target property for datasets with several (QM9). */
export const targetOption = Options.text("target").pipe(
  Options.optional,
  Options.withDescription(
    "Target property for datasets with several, e.g. U0 or homo for qm9 (default U0).",
  ),
);
