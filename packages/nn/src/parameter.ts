/**
 * Trainable parameters.
 *
 * @module
 */
import {
  ArgumentError,
  type DType,
  type Engine,
  formatShape,
  type Shape,
  shapesEqual,
  type Tensor,
} from "@covnet/core";

/** Options of a {@link Parameter}. */
export interface ParameterOptions {
  /**
   * Whether optimizers update this parameter. A non-trainable parameter is a buffer (for
   * example normalisation statistics): it is saved in state dicts but gets no gradient.
   * Default `true`.
   */
  readonly trainable?: boolean;
}

/**
 * A mutable holder of one tensor. The tensor is marked with `engine.keep`, so no scope disposes
 * it; optimizers update the parameter by {@link Parameter.assign}, which swaps in a new tensor
 * and disposes the old one. Hold the `Parameter`, not its `value`, across updates.
 */
export class Parameter {
  readonly trainable: boolean;
  #value: Tensor;

  /**
   * Takes ownership of `value`: the parameter disposes it when it is replaced or disposed.
   *
   * @throws {ArgumentError} when `value` is disposed.
   */
  constructor(value: Tensor, options: ParameterOptions = {}) {
    value.assertLive();
    this.#value = value.engine.keep(value);
    this.trainable = options.trainable ?? true;
  }

  /** The current tensor. It is disposed by the next {@link Parameter.assign}. */
  get value(): Tensor {
    return this.#value;
  }

  get shape(): Shape {
    return this.#value.shape;
  }

  get dtype(): DType {
    return this.#value.dtype;
  }

  get engine(): Engine {
    return this.#value.engine;
  }

  /** Number of elements. */
  get size(): number {
    return this.#value.size;
  }

  /**
   * Replaces the tensor by `next` (taking ownership) and disposes the previous one. Assigning
   * the current tensor again does nothing.
   *
   * @param options.allowReshape Accept a `next` of another shape (used by dtype conversion and
   *   loading); by default the shape must stay the same.
   * @throws {ArgumentError} when `next` has another shape, or belongs to another engine.
   */
  assign(next: Tensor, options: { readonly allowReshape?: boolean } = {}): void {
    if (next === this.#value) return;
    next.assertLive();
    if (next.engine !== this.#value.engine) {
      throw new ArgumentError(`Parameter.assign: ${next} belongs to another engine`);
    }
    if (options.allowReshape !== true && !shapesEqual(next.shape, this.#value.shape)) {
      throw new ArgumentError(
        `Parameter.assign: new value has shape ${formatShape(next.shape)}, the parameter has ${formatShape(this.#value.shape)}`,
      );
    }
    const previous = this.#value;
    this.#value = next.engine.keep(next);
    previous.dispose();
  }

  /**
   * Replaces the tensor by `next` (taking ownership) and returns the previous tensor without
   * disposing it; the caller owns it from then on. Used to swap averaged weights in and out.
   *
   * @throws {ArgumentError} when `next` has another shape.
   */
  swap(next: Tensor): Tensor {
    if (!shapesEqual(next.shape, this.#value.shape)) {
      throw new ArgumentError(
        `Parameter.swap: new value has shape ${formatShape(next.shape)}, the parameter has ${formatShape(this.#value.shape)}`,
      );
    }
    const previous = this.#value;
    this.#value = next.engine.keep(next);
    return previous;
  }

  /**
   * @internal Runs `fn` with `value` standing in for the parameter's tensor, then restores the
   * tensor. Nothing is disposed. Used to evaluate a module as a function of its parameters.
   */
  withValue<T>(value: Tensor, fn: () => T): T {
    const saved = this.#value;
    this.#value = value;
    try {
      return fn();
    } finally {
      this.#value = saved;
    }
  }

  /** Disposes the tensor. The parameter must not be used afterwards. */
  dispose(): void {
    this.#value.dispose();
  }
}
