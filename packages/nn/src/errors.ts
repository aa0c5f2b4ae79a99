/**
 * Errors raised by `@covnet/nn`, in the vocabulary of `@covnet/core`.
 *
 * @module
 */
import { CovnetError } from "@covnet/core";

/** A state dict does not match a module: a missing, unexpected or mis-shaped entry. */
export class StateDictError extends CovnetError {
  constructor(message: string) {
    super("state-dict", message);
  }
}

/** A checkpoint file is missing, unreadable, or was written under another convention version. */
export class CheckpointError extends CovnetError {
  constructor(message: string) {
    super("checkpoint", message);
  }
}
