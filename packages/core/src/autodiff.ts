/**
 * Reverse-mode automatic differentiation of any order.
 *
 * Kernel calls are recorded on a tape while a gradient is being taken through one of their
 * inputs. The backward pass runs each recorded kernel's gradient function, which is itself made of
 * differentiable operations; inside an enclosing gradient computation those operations are
 * recorded too, so gradients of gradients work (forces `-dE/dx` and training on them, Hessian-vector
 * products).
 *
 * @module
 */
import { isFloatDType } from "./dtype.js";
import type { Engine, ScopeResult } from "./engine.js";
import { ArgumentError, GradientError } from "./errors.js";
import { onesLike, zerosLike } from "./ops/creation.js";
import { add } from "./ops/elementwise.js";
import { engineOf } from "./ops/validate.js";
import { formatShape, shapesEqual } from "./shape.js";
import type { Tensor } from "./tensor.js";

/**
 * Cotangents of `xs` for the output `y`, by reverse accumulation over the tape.
 *
 * @param dy Cotangent of `y` (same shape); defaults to ones, which gives the gradient of `sum(y)`.
 * @returns One tensor per entry of `xs`, zeros where `y` does not depend on it.
 */
function backward(engine: Engine, y: Tensor, xs: readonly Tensor[], dy: Tensor): Tensor[] {
  const targets = new Set(xs);
  const order: Tensor[] = [];
  const reaches = new Map<Tensor, boolean>();
  // Iterative post-order walk: a tensor follows all of its inputs in `order`.
  const stack: Array<{ t: Tensor; next: number }> = [{ t: y, next: 0 }];
  const visiting = new Set<Tensor>([y]);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as { t: Tensor; next: number };
    const inputs = frame.t.node?.inputs ?? [];
    if (frame.next < inputs.length) {
      const child = inputs[frame.next++] as Tensor;
      if (!reaches.has(child) && !visiting.has(child)) {
        visiting.add(child);
        stack.push({ t: child, next: 0 });
      }
      continue;
    }
    stack.pop();
    let r = targets.has(frame.t);
    for (const input of inputs) r = r || (reaches.get(input) ?? false);
    reaches.set(frame.t, r);
    order.push(frame.t);
  }
  const cotangents = new Map<Tensor, Tensor>([[y, dy]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i] as Tensor;
    const node = t.node;
    const ct = cotangents.get(t);
    if (node === null || ct === undefined || !reaches.get(t)) continue;
    const needsGradient = node.inputs.map(
      (input) => (reaches.get(input) ?? false) && isFloatDType(input.dtype),
    );
    if (!needsGradient.some(Boolean)) continue;
    const gradFunc = engine.gradients.get(node.kernel);
    const grads = gradFunc(ct, {
      inputs: node.inputs,
      output: t,
      attrs: node.attrs as never,
      needsGradient,
    });
    node.inputs.forEach((input, k) => {
      const g = grads[k];
      if (!needsGradient[k] || g === null || g === undefined) return;
      if (!shapesEqual(g.shape, input.shape)) {
        throw new GradientError(
          `gradient of kernel "${node.kernel}" returned shape ${formatShape(g.shape)} for an input of shape ${formatShape(input.shape)}`,
        );
      }
      const prev = cotangents.get(input);
      cotangents.set(input, prev === undefined ? g : add(prev, g));
    });
  }
  return xs.map((x) => cotangents.get(x) ?? zerosLike(x));
}

function checkTargets(op: string, xs: readonly Tensor[]): Engine {
  const engine = engineOf(op, xs);
  xs.forEach((x, i) => {
    if (!isFloatDType(x.dtype)) {
      throw new GradientError(
        `${op}: input ${i} (${x}) is ${x.dtype}; only float tensors have gradients`,
      );
    }
  });
  return engine;
}

function checkOutput(op: string, y: unknown, engine: Engine): Tensor {
  const t = y as Tensor;
  if (t === null || typeof t !== "object" || !("engine" in t)) {
    throw new ArgumentError(`${op}: the function must return a tensor`);
  }
  if (t.engine !== engine)
    throw new ArgumentError(`${op}: the function returned a tensor of another engine`);
  if (!isFloatDType(t.dtype))
    throw new GradientError(`${op}: the function returned ${t}, not a float tensor`);
  return t;
}

/** Result of {@link valueAndGrads}. */
export interface ValueAndGrads {
  /** The function's value. Inside an enclosing gradient it stays differentiable. */
  readonly value: Tensor;
  /** One gradient per entry of `wrt`, with its shape. */
  readonly grads: Tensor[];
}

/**
 * Evaluates `f()` and the gradients of its output with respect to `wrt`: tensors that `f` reads,
 * parameters and data alike. For a non-scalar output, the gradients are those of its sum, or of
 * `sum(dy * f())` when `dy` is given.
 *
 * Intermediates are released when the call returns, except the value and the gradients. Inside
 * another gradient computation, the results stay connected to the outer tape, so they can be
 * differentiated again.
 *
 * @example
 * ```ts
 * const x = tensor(engine, [1, 2, 3], undefined, "float64");
 * const { value, grads } = valueAndGrads(() => sum(square(x)), [x]); // grads[0] = 2 x
 * ```
 * @throws {GradientError} when an input or the output is not floating point.
 */
export function valueAndGrads(f: () => Tensor, wrt: readonly Tensor[], dy?: Tensor): ValueAndGrads {
  const engine = checkTargets("valueAndGrads", wrt);
  engine.startScope();
  engine.enterGrad(wrt);
  let result: ValueAndGrads | undefined;
  try {
    const y = checkOutput("valueAndGrads", f(), engine);
    if (dy !== undefined && !shapesEqual(dy.shape, y.shape)) {
      throw new ArgumentError(
        `valueAndGrads: dy has shape ${formatShape(dy.shape)}, the output has ${formatShape(y.shape)}`,
      );
    }
    const seed = dy ?? onesLike(y);
    const createGraph = engine.gradDepth > 1;
    const grads = createGraph
      ? backward(engine, y, wrt, seed)
      : engine.noGrad(() => backward(engine, y, wrt, seed));
    const value = createGraph ? y : engine.detach(y);
    result = { value, grads };
    return result;
  } finally {
    engine.exitGrad(wrt);
    engine.endScope(result === undefined ? undefined : [result.value, ...result.grads]);
  }
}

/**
 * `grad(f)` is the function that returns the gradients of `f` (summed over its output) with
 * respect to each of its arguments. `grad(grad(f))`-style nesting works for any order.
 *
 * @example
 * ```ts
 * const dfdx = grad((x) => sum(mul(x, mul(x, x)))); // 3 x^2
 * const d2 = grad((x) => sum(dfdx(x)[0]!));         // 6 x
 * ```
 */
export function grad(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => Tensor[] {
  return (...xs) => valueAndGrads(() => f(...xs), xs).grads;
}

/** Like {@link grad}, also returning the value. */
export function valueAndGrad(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => ValueAndGrads {
  return (...xs) => valueAndGrads(() => f(...xs), xs);
}

/**
 * Vector-Jacobian product: evaluates `f(...primals)` and returns a function mapping a cotangent of
 * the output (same shape) to the cotangents of the primals. The tape is kept until the returned
 * function has been called.
 */
export function vjp(
  f: (...xs: Tensor[]) => Tensor,
  primals: readonly Tensor[],
): { readonly value: Tensor; readonly vjp: (dy: Tensor) => Tensor[] } {
  const engine = checkTargets("vjp", primals);
  engine.enterGrad(primals);
  let y: Tensor;
  try {
    y = checkOutput("vjp", f(...primals), engine);
  } finally {
    engine.exitGrad(primals);
  }
  const out = y;
  return {
    value: out,
    vjp: (dy: Tensor) => {
      if (!shapesEqual(dy.shape, out.shape)) {
        throw new ArgumentError(
          `vjp: cotangent shape ${formatShape(dy.shape)} differs from output ${formatShape(out.shape)}`,
        );
      }
      const createGraph = engine.gradDepth > 0;
      return createGraph
        ? backward(engine, out, primals, dy)
        : engine.noGrad(() => backward(engine, out, primals, dy));
    },
  };
}

/** Returns a constant copy of `x` for autodiff, through which gradients do not flow. */
export function stopGradient(x: Tensor): Tensor {
  return engineOf("stopGradient", [x]).detach(x);
}

export type { ScopeResult };
