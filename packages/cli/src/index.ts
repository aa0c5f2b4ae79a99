/**
 * `@covnet/cli`: the `covnet` command. Run `covnet --help` for the commands and their options.
 *
 * @module
 */
export { covnetCommand, runCli, VERSION } from "./main.js";
export { BACKEND_CHOICES, type BackendChoice, CliError, createEngine } from "./runtime.js";
