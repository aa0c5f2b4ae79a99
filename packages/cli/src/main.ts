/**
 * The `covnet` command line.
 *
 * @module
 */
import { Command, ValidationError } from "@effect/cli";
import { NodeContext, NodeRuntime } from "@effect/platform-node";
import { Effect } from "effect";
import { evalCommand } from "./commands/eval.js";
import { exportCommand } from "./commands/export.js";
import { predictCommand } from "./commands/predict.js";
import { trainCommand } from "./commands/train.js";
import { CliError } from "./runtime.js";

/** Version printed by `covnet --version`. */
export const VERSION = "0.1.0";

/** The root command with every subcommand. */
export const covnetCommand = Command.make("covnet").pipe(
  Command.withDescription(
    "Covariant neural networks for molecules: train, evaluate, predict and export models.",
  ),
  Command.withSubcommands([trainCommand, evalCommand, predictCommand, exportCommand]),
);

function describeError(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error)
    return String((error as { message: unknown }).message);
  return String(error);
}

/**
 * Runs the command line on `argv` (as `process.argv`). Errors are printed as one line on standard
 * error and set a non-zero exit code.
 */
export function runCli(argv: readonly string[]): void {
  const cli = Command.run(covnetCommand, { name: "covnet", version: VERSION });
  const program = cli(argv).pipe(
    Effect.catchAll((error) =>
      Effect.sync(() => {
        // Usage errors were already printed by the parser.
        if (!ValidationError.isValidationError(error))
          process.stderr.write(`covnet: error: ${describeError(error)}\n`);
        process.exitCode = 1;
      }),
    ),
    Effect.provide(NodeContext.layer),
  );
  NodeRuntime.runMain(program, { disableErrorReporting: true });
}
