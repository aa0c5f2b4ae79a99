/**
 * The optimizer base class.
 *
 * @module
 */
import { ArgumentError, type Engine, formatShape, shapesEqual, type Tensor } from "@covnet/core";
import { StateDictError } from "../errors.js";
import { fromRecord, toRecord, toRecordsAsync } from "../internal/records.js";
import { Module, type TensorRecord } from "../module.js";
import type { Parameter } from "../parameter.js";

/** Serialisable state of an {@link Optimizer}, for checkpoints. */
export interface OptimizerState {
  /** Optimizer class, checked on load. */
  readonly kind: string;
  /** Number of steps taken. */
  readonly step: number;
  /** Learning rate in effect. */
  readonly lr: number;
  /** Per-parameter buffers: slot name, then parameter name. */
  readonly slots: { readonly [slot: string]: { readonly [parameter: string]: TensorRecord } };
}

/** Parameters to optimize: a module's trainable parameters, or an explicit ordered map. */
export type ParameterSource = Module | ReadonlyMap<string, Parameter>;

function parameterMap(source: ParameterSource): Map<string, Parameter> {
  const map = source instanceof Module ? source.trainableParameters() : new Map(source);
  if (map.size === 0) throw new ArgumentError("optimizer: there are no trainable parameters");
  return map;
}

/**
 * Base class of the optimizers. {@link Optimizer.step} takes one gradient per parameter, in
 * the order of {@link Optimizer.parameters}, and updates every parameter in place (by
 * `Parameter.assign`) without recording on the autodiff tape. Per-parameter buffers ("slots",
 * such as momentum) are created lazily at the first step.
 */
export abstract class Optimizer {
  /** The parameters, in the order gradients are expected. */
  readonly parameters: ReadonlyMap<string, Parameter>;
  /** Learning rate used by the next step; schedules set it. */
  lr: number;
  #step = 0;
  readonly #slots = new Map<string, Map<string, Tensor>>();

  /** @throws {ArgumentError} when there are no parameters or `lr` is negative. */
  constructor(parameters: ParameterSource, lr: number) {
    if (!(lr >= 0)) throw new ArgumentError(`optimizer: learning rate must be >= 0, got ${lr}`);
    this.parameters = parameterMap(parameters);
    this.lr = lr;
  }

  /** Name stored in {@link OptimizerState.kind}. */
  abstract get kind(): string;

  /** Number of steps taken. */
  get stepCount(): number {
    return this.#step;
  }

  /** Tensors of the parameters, in order: the `wrt` list for `valueAndGrads`. */
  tensors(): Tensor[] {
    return [...this.parameters.values()].map((p) => p.value);
  }

  /**
   * Applies one update from `grads` (one per parameter, same shapes and order). The gradients
   * are not disposed.
   *
   * @throws {ArgumentError} when the number or shapes of the gradients do not match.
   */
  step(grads: readonly Tensor[]): void {
    const params = [...this.parameters.entries()];
    if (grads.length !== params.length) {
      throw new ArgumentError(
        `optimizer.step: expected ${params.length} gradients, got ${grads.length}`,
      );
    }
    params.forEach(([name, p], i) => {
      const g = grads[i] as Tensor;
      if (!shapesEqual(g.shape, p.shape)) {
        throw new ArgumentError(
          `optimizer.step: gradient ${i} has shape ${formatShape(g.shape)}, parameter "${name}" has ${formatShape(p.shape)}`,
        );
      }
    });
    this.#step++;
    const engine = (params[0] as [string, Parameter])[1].engine;
    engine.noGrad(() => {
      params.forEach(([name, p], i) => {
        engine.startScope();
        try {
          this.update(name, p, grads[i] as Tensor, this.#step);
        } finally {
          engine.endScope(undefined);
        }
      });
    });
  }

  /**
   * Updates one parameter. Runs inside a scope without gradient recording: store results with
   * `p.assign` and {@link Optimizer.setSlot}, which keep them.
   *
   * @param step The 1-based step number.
   */
  protected abstract update(name: string, p: Parameter, grad: Tensor, step: number): void;

  /** Returns a slot of a parameter, or undefined before it is first set. */
  protected getSlot(slot: string, name: string): Tensor | undefined {
    return this.#slots.get(slot)?.get(name);
  }

  /** Stores a slot value (kept), disposing the previous one. */
  protected setSlot(slot: string, name: string, value: Tensor): void {
    let bySlot = this.#slots.get(slot);
    if (bySlot === undefined) {
      bySlot = new Map();
      this.#slots.set(slot, bySlot);
    }
    const previous = bySlot.get(name);
    bySlot.set(name, value.engine.keep(value));
    if (previous !== undefined && previous !== value) previous.dispose();
  }

  /**
   * Copies the optimizer's state into plain JSON with synchronous reads.
   *
   * @throws {Error} on backends without synchronous reads (WebGPU); use
   *   {@link Optimizer.stateAsync} there.
   */
  state(): OptimizerState {
    const slots: Record<string, Record<string, TensorRecord>> = {};
    for (const [slot, byName] of this.#slots) {
      const records: Record<string, TensorRecord> = {};
      for (const [name, t] of byName) records[name] = toRecord(t);
      slots[slot] = records;
    }
    return { kind: this.kind, step: this.#step, lr: this.lr, slots };
  }

  /**
   * Copies the optimizer's state into plain JSON with asynchronous reads, which every backend
   * supports. The result equals {@link Optimizer.state}. Take no step before the promise settles.
   */
  async stateAsync(): Promise<OptimizerState> {
    const kind = this.kind;
    const step = this.#step;
    const lr = this.lr;
    const slotNames = [...this.#slots.keys()];
    const records = await Promise.all(
      [...this.#slots.values()].map((byName) => toRecordsAsync(byName)),
    );
    const slots: Record<string, Record<string, TensorRecord>> = {};
    slotNames.forEach((slot, i) => {
      slots[slot] = records[i] as Record<string, TensorRecord>;
    });
    return { kind, step, lr, slots };
  }

  /**
   * Restores a state saved by {@link Optimizer.state} on an optimizer of the same kind over
   * parameters of the same names and shapes.
   *
   * @throws {StateDictError} naming the mismatched kind, slot or parameter; nothing is changed
   *   when any entry fails.
   */
  loadState(state: OptimizerState): void {
    if (state.kind !== this.kind) {
      throw new StateDictError(
        `optimizer state is for ${state.kind}, this optimizer is ${this.kind}`,
      );
    }
    const loaded = new Map<string, Map<string, Tensor>>();
    const problems: string[] = [];
    for (const [slot, records] of Object.entries(state.slots)) {
      const bySlot = new Map<string, Tensor>();
      loaded.set(slot, bySlot);
      for (const [name, record] of Object.entries(records)) {
        const p = this.parameters.get(name);
        if (p === undefined) {
          problems.push(`slot "${slot}" names unknown parameter "${name}"`);
          continue;
        }
        const t = fromRecord(p.engine, record, p.value, `slot "${slot}" of "${name}"`);
        if (typeof t === "string") problems.push(t);
        else bySlot.set(name, t);
      }
    }
    if (problems.length > 0) {
      for (const bySlot of loaded.values()) for (const t of bySlot.values()) t.dispose();
      throw new StateDictError(`cannot load optimizer state:\n  ${problems.join("\n  ")}`);
    }
    this.#disposeSlots();
    for (const [slot, bySlot] of loaded) this.#slots.set(slot, bySlot);
    this.#step = state.step;
    this.lr = state.lr;
  }

  /** Disposes the slot buffers (not the parameters). */
  dispose(): void {
    this.#disposeSlots();
  }

  /** Engine of the parameters. */
  protected get engine(): Engine {
    return ([...this.parameters.values()][0] as Parameter).engine;
  }

  #disposeSlots(): void {
    for (const bySlot of this.#slots.values()) for (const t of bySlot.values()) t.dispose();
    this.#slots.clear();
  }
}
