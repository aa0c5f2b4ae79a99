/**
 * Element indexing and multiplication tables of finite groups.
 */
import { ArgumentError } from "@covnet/core";
import type { FiniteGroup } from "@covnet/groups";

/** Index tables of a finite group, in the order of `elements()`. */
export interface ElementTable<E> {
  readonly elements: readonly E[];
  /** `indexOf(g)` is the position of `g` in `elements`. */
  indexOf(g: E): number;
  /** Index of `elements[a] elements[b]`, from a table for groups of order <= 2048. */
  compose(a: number, b: number): number;
  /** `inverse[a]` is the index of `elements[a]^-1`. */
  readonly inverse: Int32Array;
}

/** Largest order with a full multiplication table (16 MiB of int32). */
const MAX_TABLE_ORDER = 2048;

const tables = new WeakMap<object, ElementTable<unknown>>();

/** Builds (once per group object) the index, product and inverse tables. */
export function elementTable<E, L>(group: FiniteGroup<E, L>): ElementTable<E> {
  const cached = tables.get(group);
  if (cached !== undefined) return cached as ElementTable<E>;
  const elements = group.elements();
  const order = elements.length;
  const keys = new Map<string, number>();
  elements.forEach((g, i) => keys.set(JSON.stringify(g), i));
  const indexOf = (g: E): number => {
    const i = keys.get(JSON.stringify(g));
    if (i !== undefined && group.equals(elements[i] as E, g)) return i;
    const j = elements.findIndex((h) => group.equals(h, g));
    if (j < 0) {
      throw new ArgumentError(`element ${JSON.stringify(g)} is not an element of ${group.name}`);
    }
    return j;
  };
  const inverse = new Int32Array(order);
  for (let a = 0; a < order; a++) inverse[a] = indexOf(group.inverse(elements[a] as E));
  const composeDirect = (a: number, b: number): number =>
    indexOf(group.compose(elements[a] as E, elements[b] as E));
  let compose = composeDirect;
  if (order <= MAX_TABLE_ORDER) {
    const product = new Int32Array(order * order);
    for (let a = 0; a < order; a++) {
      for (let b = 0; b < order; b++) product[a * order + b] = composeDirect(a, b);
    }
    compose = (a, b) => product[a * order + b] as number;
  }
  const table: ElementTable<E> = { elements, indexOf, compose, inverse };
  tables.set(group, table as ElementTable<unknown>);
  return table;
}
