/**
 * Errors raised by covnet core. Every error names the failing value and the constraint it broke.
 *
 * @module
 */

/** Base class of every covnet error; `code` is stable and safe to match on. */
export class CovnetError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A tensor shape is invalid for an operation, or two shapes are incompatible. */
export class ShapeError extends CovnetError {
  constructor(message: string) {
    super("shape", message);
  }
}

/** A tensor has a dtype that the operation or backend does not accept. */
export class DTypeError extends CovnetError {
  constructor(message: string) {
    super("dtype", message);
  }
}

/** An argument other than a tensor shape or dtype is invalid. */
export class ArgumentError extends CovnetError {
  constructor(message: string) {
    super("argument", message);
  }
}

/** No kernel of the requested name is registered for the tensor's backend. */
export class KernelNotFoundError extends CovnetError {
  readonly kernel: string;
  readonly backend: string;

  constructor(kernel: string, backend: string) {
    super("kernel-not-found", `kernel "${kernel}" is not registered for backend "${backend}"`);
    this.kernel = kernel;
    this.backend = backend;
  }
}

/** A name (backend, kernel, gradient, group) is registered twice in one container. */
export class DuplicateRegistrationError extends CovnetError {
  constructor(kind: string, name: string) {
    super("duplicate-registration", `${kind} "${name}" is already registered in this container`);
  }
}

/** Backend selection failed: no candidate backend initialised. `failures` lists each reason. */
export class BackendInitError extends CovnetError {
  readonly failures: ReadonlyArray<{ readonly backend: string; readonly reason: string }>;

  constructor(failures: ReadonlyArray<{ readonly backend: string; readonly reason: string }>) {
    const lines = failures.map((f) => `  ${f.backend}: ${f.reason}`);
    const detail = failures.length === 0 ? "  no backend is registered" : lines.join("\n");
    super("backend-init", `no backend could be initialised:\n${detail}`);
    this.failures = failures;
  }
}

/** A tensor was used after `dispose()`. */
export class DisposedTensorError extends CovnetError {
  constructor(id: number) {
    super("disposed", `tensor #${id} was used after it was disposed`);
  }
}

/** Autodiff cannot differentiate a kernel or a requested input. */
export class GradientError extends CovnetError {
  constructor(message: string) {
    super("gradient", message);
  }
}
