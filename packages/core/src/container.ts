/**
 * Dependency injection: the container, its tokens, and backend selection.
 *
 * Backends, groups and models are inversify `ContainerModule`s that users load into a container
 * made by {@link createContainer}. Registries live in the container, so two containers never
 * share registrations.
 *
 * @module
 */
import { Container, ContainerModule, type ContainerModuleLoadOptions } from "inversify";
import type { Backend, KernelConfig } from "./backend.js";
import { Engine, type EngineOptions } from "./engine.js";
import { ArgumentError, BackendInitError, DuplicateRegistrationError } from "./errors.js";
import { CORE_GRADIENTS } from "./gradients/core_gradients.js";
import { createLogger, type Logger, type LogLevel } from "./logger.js";
import { GradientRegistry, KernelRegistry } from "./registry.js";

/** Describes a backend that the container can initialise. */
export interface BackendDescriptor {
  /** Unique name, such as `cpu`. */
  readonly name: string;
  /** Higher is tried first during automatic selection (cuda 300, webgpu 200, cpu 100). */
  readonly priority: number;
  /** Kernels the backend implements. */
  readonly kernels: readonly KernelConfig[];
  /** Creates the backend; may fail (no device, no driver) by rejecting with a reason. */
  create(options: { readonly logger: Logger }): Promise<Backend>;
}

/** Service identifiers of the core services. */
export const TOKENS = {
  KernelRegistry: Symbol.for("covnet.KernelRegistry"),
  GradientRegistry: Symbol.for("covnet.GradientRegistry"),
  Logger: Symbol.for("covnet.Logger"),
  Backend: Symbol.for("covnet.BackendDescriptor"),
  Kernel: Symbol.for("covnet.KernelConfig"),
  Group: Symbol.for("covnet.Group"),
  Options: Symbol.for("covnet.ContainerOptions"),
} as const;

/** Options of {@link createContainer}. */
export interface ContainerOptions {
  /** Log level of the container's logger; defaults to `COVNET_LOG_LEVEL`, else `warn`. */
  readonly logLevel?: LogLevel;
  /** A logger to use instead of the default one. */
  readonly logger?: Logger;
}

/**
 * Creates a container holding a fresh kernel registry, a gradient registry with the core
 * gradients, and a logger. Load backend and group modules into it, then call {@link initEngine}.
 *
 * @example
 * ```ts
 * const container = createContainer();
 * container.load(cpuBackendModule());
 * const engine = await initEngine(container, { backend: "cpu", defaultFloat: "float64" });
 * ```
 */
export function createContainer(options: ContainerOptions = {}): Container {
  const container = new Container({ defaultScope: "Singleton" });
  const logger =
    options.logger ??
    createLogger(options.logLevel === undefined ? {} : { level: options.logLevel });
  container.bind(TOKENS.Options).toConstantValue(options);
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.KernelRegistry).toConstantValue(new KernelRegistry());
  const gradients = new GradientRegistry();
  for (const g of CORE_GRADIENTS) gradients.register(g);
  container.bind(TOKENS.GradientRegistry).toConstantValue(gradients);
  return container;
}

/**
 * Binds `value` under a multi-binding `token`, and under a name-specific token so that a second
 * registration of the same name fails.
 *
 * @throws {DuplicateRegistrationError} when `name` is already registered for `kind`.
 */
export function bindNamed<T>(
  options: Pick<ContainerModuleLoadOptions, "bind" | "isBound">,
  kind: string,
  token: symbol,
  name: string,
  value: T,
): void {
  const nameToken = Symbol.for(`covnet.${kind}.${name}`);
  if (options.isBound(nameToken)) throw new DuplicateRegistrationError(kind, name);
  options.bind(nameToken).toConstantValue(value);
  options.bind(token).toConstantValue(value);
}

/** Creates a `ContainerModule` that registers a backend descriptor. */
export function backendModule(descriptor: BackendDescriptor): ContainerModule {
  return new ContainerModule((options) => {
    bindNamed(options, "backend", TOKENS.Backend, descriptor.name, descriptor);
  });
}

/**
 * Creates a `ContainerModule` that adds kernels, for example a user's own kernel for an existing
 * backend. They are registered when an engine on that backend is initialised, and a kernel that
 * the backend already implements raises a {@link DuplicateRegistrationError} then.
 */
export function kernelModule(kernels: readonly KernelConfig[]): ContainerModule {
  return new ContainerModule((options) => {
    for (const k of kernels) options.bind(TOKENS.Kernel).toConstantValue(k);
  });
}

/** Backend descriptors registered in a container, highest priority first. */
export function registeredBackends(container: Container): BackendDescriptor[] {
  const all = container.isBound(TOKENS.Backend)
    ? container.getAll<BackendDescriptor>(TOKENS.Backend)
    : [];
  return [...all].sort((a, b) => b.priority - a.priority);
}

/** Options of {@link initEngine}. */
export interface InitEngineOptions extends EngineOptions {
  /** Backend name to use; without it, backends are tried by priority until one initialises. */
  readonly backend?: string;
}

/**
 * Initialises a backend and returns an engine on it. With `backend`, only that backend is tried;
 * otherwise registered backends are tried from the highest priority down, and failures are logged
 * and skipped.
 *
 * @throws {BackendInitError} listing each candidate's failure when none initialises.
 * @throws {ArgumentError} when the named backend is not registered.
 */
export async function initEngine(
  container: Container,
  options: InitEngineOptions = {},
): Promise<Engine> {
  const logger = container.get<Logger>(TOKENS.Logger);
  const kernels = container.get<KernelRegistry>(TOKENS.KernelRegistry);
  const gradients = container.get<GradientRegistry>(TOKENS.GradientRegistry);
  const all = registeredBackends(container);
  let candidates = all;
  if (options.backend !== undefined) {
    candidates = all.filter((d) => d.name === options.backend);
    if (candidates.length === 0) {
      const names = all.map((d) => d.name).join(", ") || "none";
      throw new ArgumentError(
        `backend "${options.backend}" is not registered (registered: ${names})`,
      );
    }
  }
  const failures: { backend: string; reason: string }[] = [];
  for (const d of candidates) {
    try {
      const backend = await d.create({ logger });
      registerBackendKernels(container, kernels, d);
      logger.info(`backend "${d.name}" initialised`);
      const engineOptions: EngineOptions =
        options.defaultFloat === undefined ? {} : { defaultFloat: options.defaultFloat };
      return new Engine(backend, kernels, gradients, logger, engineOptions);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(`backend "${d.name}" failed to initialise: ${reason}`);
      failures.push({ backend: d.name, reason });
    }
  }
  throw new BackendInitError(failures);
}

function registerBackendKernels(
  container: Container,
  kernels: KernelRegistry,
  d: BackendDescriptor,
): void {
  if (kernels.isBackendLoaded(d.name)) return;
  const extra = container.isBound(TOKENS.Kernel)
    ? container.getAll<KernelConfig>(TOKENS.Kernel)
    : [];
  kernels.registerAll(extra.filter((k) => k.backendName === d.name));
  kernels.registerAll(d.kernels);
  kernels.markBackendLoaded(d.name);
}
