/**
 * The module base class: named parameters, nested modules, train/eval modes, state dicts and
 * dtype conversion.
 *
 * @module
 */
import {
  ArgumentError,
  cast,
  type DType,
  type FloatDType,
  formatShape,
  isFloatDType,
  shapesEqual,
  type Tensor,
} from "@covnet/core";
import { StateDictError } from "./errors.js";
import { toRecordsAsync } from "./internal/records.js";
import { Parameter, type ParameterOptions } from "./parameter.js";

/** One saved tensor: shape, dtype and row-major values. */
export interface TensorRecord {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: readonly number[];
}

/** Plain JSON form of a module's parameters, keyed by dotted parameter name. */
export type StateDict = { readonly [name: string]: TensorRecord };

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /**
   * Reject entries of the state dict that name no parameter of the module. Missing and
   * mis-shaped entries are always rejected. Default `true`.
   */
  readonly strict?: boolean;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$|^[0-9]+$/;

/**
 * Base class of every layer and model. A subclass registers its parameters with
 * {@link Module.registerParameter} and its sub-modules with {@link Module.registerModule} in its
 * constructor, and defines its own forward method (the signature is the subclass's choice).
 *
 * Parameter names are dotted paths in registration order: a module `mlp` holding a `Linear`
 * registered as `layers.0` exposes `layers.0.weight` and `layers.0.bias`.
 *
 * @example
 * ```ts
 * class Affine extends Module {
 *   readonly scale: Parameter;
 *   constructor(engine: Engine) {
 *     super();
 *     this.scale = this.registerParameter("scale", ones(engine, [3], "float64"));
 *   }
 *   forward(x: Tensor): Tensor {
 *     return mul(x, this.scale.value);
 *   }
 * }
 * ```
 */
export class Module {
  readonly #parameters = new Map<string, Parameter>();
  readonly #children = new Map<string, Module>();
  #training = true;

  /**
   * Registers a parameter under `name` (no dots). A tensor is wrapped in a new
   * {@link Parameter}, which takes ownership of it.
   *
   * @throws {ArgumentError} when the name is invalid or already used in this module.
   */
  protected registerParameter(
    name: string,
    value: Tensor | Parameter,
    options: ParameterOptions = {},
  ): Parameter {
    this.#checkName(name);
    const parameter = value instanceof Parameter ? value : new Parameter(value, options);
    this.#parameters.set(name, parameter);
    return parameter;
  }

  /**
   * Registers a sub-module under `name` (no dots); its parameters appear as `name.<param>`.
   *
   * @throws {ArgumentError} when the name is invalid or already used in this module.
   */
  protected registerModule<M extends Module>(name: string, module: M): M {
    this.#checkName(name);
    if ((module as Module) === this)
      throw new ArgumentError(`registerModule: "${name}" is the module itself`);
    this.#children.set(name, module);
    return module;
  }

  /** Collects all parameters: this module's first, then each child's, in registration order. */
  parameters(): Map<string, Parameter> {
    const out = new Map<string, Parameter>();
    for (const [name, p] of this.#parameters) out.set(name, p);
    for (const [childName, child] of this.#children) {
      for (const [name, p] of child.parameters()) out.set(`${childName}.${name}`, p);
    }
    return out;
  }

  /** Returns the parameters that optimizers update, in the order of {@link Module.parameters}. */
  trainableParameters(): Map<string, Parameter> {
    const out = new Map<string, Parameter>();
    for (const [name, p] of this.parameters()) if (p.trainable) out.set(name, p);
    return out;
  }

  /** Returns the direct sub-modules by name. */
  children(): Map<string, Module> {
    return new Map(this.#children);
  }

  /** Number of scalar parameters (trainable only, unless `includeFrozen`). */
  numParameters(options: { readonly includeFrozen?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters().values()) {
      if (p.trainable || options.includeFrozen === true) n += p.size;
    }
    return n;
  }

  /** True in training mode (the default), false after {@link Module.eval}. */
  get training(): boolean {
    return this.#training;
  }

  /** Sets training mode on this module and every sub-module. */
  train(mode = true): this {
    this.#training = mode;
    for (const child of this.#children.values()) child.train(mode);
    return this;
  }

  /** Sets evaluation mode; the same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Copies every parameter into a plain JSON-ready object with synchronous reads.
   *
   * @throws {Error} on backends without synchronous reads (WebGPU); use
   *   {@link Module.stateDictAsync} there.
   */
  stateDict(): StateDict {
    const out: Record<string, TensorRecord> = {};
    for (const [name, p] of this.parameters()) {
      out[name] = { shape: [...p.shape], dtype: p.dtype, data: Array.from(p.value.dataSync()) };
    }
    return out;
  }

  /**
   * Copies every parameter into a plain JSON-ready object, reading with `await tensor.data()`,
   * so it works on every backend. The result equals {@link Module.stateDict}. The parameters
   * must not be reassigned before the promise settles.
   */
  stateDictAsync(): Promise<StateDict> {
    return toRecordsAsync([...this.parameters()].map(([name, p]) => [name, p.value] as const));
  }

  /**
   * Loads values saved by {@link Module.stateDict}. Each value is converted to the parameter's
   * current dtype, so a float64 checkpoint loads into a float32 model and back.
   *
   * @throws {StateDictError} naming every missing, mis-shaped, malformed or (when `strict`)
   *   unexpected entry; nothing is loaded when any entry fails.
   */
  loadStateDict(state: StateDict, options: LoadStateDictOptions = {}): void {
    const strict = options.strict ?? true;
    const parameters = this.parameters();
    const problems: string[] = [];
    for (const [name, p] of parameters) {
      const record = state[name];
      if (record === undefined) {
        problems.push(`missing entry "${name}" (shape ${formatShape(p.shape)})`);
        continue;
      }
      problems.push(...checkRecord(name, record, p));
    }
    if (strict) {
      for (const name of Object.keys(state)) {
        if (!parameters.has(name)) problems.push(`unexpected entry "${name}"`);
      }
    }
    if (problems.length > 0) {
      throw new StateDictError(`cannot load state dict:\n  ${problems.join("\n  ")}`);
    }
    for (const [name, p] of parameters) {
      const record = state[name] as TensorRecord;
      p.assign(p.engine.makeTensor(record.data, record.shape, p.dtype));
    }
  }

  /**
   * Converts every float parameter to `dtype` in place (int32 buffers are left alone).
   */
  toDtype(dtype: FloatDType): this {
    for (const p of this.parameters().values()) {
      if (!isFloatDType(p.dtype) || p.dtype === dtype) continue;
      p.assign(p.engine.noGrad(() => cast(p.value, dtype)));
    }
    return this;
  }

  /** Disposes every parameter of this module and its sub-modules. */
  dispose(): void {
    for (const p of this.parameters().values()) p.dispose();
  }

  #checkName(name: string): void {
    if (!NAME_PATTERN.test(name)) {
      throw new ArgumentError(
        `invalid parameter or module name "${name}": use letters, digits and underscores, not starting with a digit, or a plain index`,
      );
    }
    if (this.#parameters.has(name) || this.#children.has(name)) {
      throw new ArgumentError(`name "${name}" is already registered in this module`);
    }
  }
}

function checkRecord(name: string, record: TensorRecord, p: Parameter): string[] {
  if (record === null || typeof record !== "object" || !Array.isArray(record.shape)) {
    return [`entry "${name}" is not a { shape, dtype, data } record`];
  }
  if (!Array.isArray(record.data)) return [`entry "${name}" has no data array`];
  if (!shapesEqual(record.shape, p.shape)) {
    return [
      `entry "${name}" has shape ${formatShape(record.shape)}, the parameter has ${formatShape(p.shape)}`,
    ];
  }
  if (record.data.length !== p.size) {
    return [
      `entry "${name}" has ${record.data.length} values, shape ${formatShape(p.shape)} needs ${p.size}`,
    ];
  }
  if (isFloatDType(p.dtype) !== isFloatDType(record.dtype)) {
    return [`entry "${name}" has dtype ${record.dtype}, the parameter has ${p.dtype}`];
  }
  return [];
}

/**
 * An ordered list of modules, registered as `0`, `1`, ... so their parameters are named
 * `0.weight`, `1.weight`, ...
 */
export class ModuleList<M extends Module = Module> extends Module {
  readonly #items: M[] = [];

  constructor(modules: readonly M[] = []) {
    super();
    for (const m of modules) this.push(m);
  }

  /** Appends a module under the next index. */
  push(module: M): M {
    this.registerModule(String(this.#items.length), module);
    this.#items.push(module);
    return module;
  }

  get length(): number {
    return this.#items.length;
  }

  /**
   * Returns the module at `index`.
   *
   * @throws {ArgumentError} when `index` is out of range.
   */
  at(index: number): M {
    const m = this.#items[index];
    if (m === undefined) {
      throw new ArgumentError(
        `ModuleList.at: index ${index} out of range [0, ${this.#items.length})`,
      );
    }
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }
}
