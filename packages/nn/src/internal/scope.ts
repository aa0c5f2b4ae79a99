import type { Engine } from "@covnet/core";

/**
 * Runs `fn` in an engine scope and returns its plain (tensor-free) result. Every tensor created
 * inside is released, unless kept with `engine.keep`.
 */
export function runDisposing<T>(engine: Engine, fn: () => T): T {
  engine.startScope();
  try {
    return fn();
  } finally {
    engine.endScope(undefined);
  }
}
