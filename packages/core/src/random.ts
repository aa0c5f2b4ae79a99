/**
 * Seeded pseudo-random numbers. Every random draw in covnet takes a generator (or a seed)
 * explicitly, and a generator's state can be saved and restored, so runs are reproducible and
 * resumable.
 *
 * @module
 */

/** Serialisable state of a {@link Random} generator. */
export interface RandomState {
  readonly algorithm: "xoshiro128**";
  readonly s: readonly [number, number, number, number];
  /** A cached second normal deviate from Box-Muller, or null. */
  readonly spareNormal: number | null;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * The xoshiro128** generator (Blackman and Vigna), seeded through splitmix32. Period 2^128 - 1;
 * `uniform()` returns 53-bit doubles in [0, 1).
 */
export class Random {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spare: number | null = null;

  /** Creates a generator from an integer seed (any 32-bit value). */
  constructor(seed: number) {
    const next = splitmix32(Math.trunc(seed));
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** Restores a generator from {@link Random.state}. */
  static fromState(state: RandomState): Random {
    const r = new Random(0);
    r.setState(state);
    return r;
  }

  /** Returns the next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.#s1 << 9) >>> 0;
    this.#s2 = (this.#s2 ^ this.#s0) >>> 0;
    this.#s3 = (this.#s3 ^ this.#s1) >>> 0;
    this.#s1 = (this.#s1 ^ this.#s2) >>> 0;
    this.#s0 = (this.#s0 ^ this.#s3) >>> 0;
    this.#s2 = (this.#s2 ^ t) >>> 0;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** Returns a uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Returns a standard normal deviate (Box-Muller transform). */
  normal(): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Returns a uniform integer in `[0, n)`, without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0)
      throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A generator for a sub-task, seeded from this one; advances this generator once. */
  fork(): Random {
    return new Random(this.nextUint32());
  }

  /** Returns the generator's state, for checkpoints. */
  state(): RandomState {
    return {
      algorithm: "xoshiro128**",
      s: [this.#s0, this.#s1, this.#s2, this.#s3],
      spareNormal: this.#spare,
    };
  }

  /** Restores a state from {@link Random.state}. */
  setState(state: RandomState): void {
    [this.#s0, this.#s1, this.#s2, this.#s3] = state.s;
    this.#spare = state.spareNormal;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
