/** Compute programs: a cache key, the binding layout and a lazily built WGSL source. */

/** How a program binds one resource: read-only storage, read-write storage, or uniform. */
export type BindingKind = "read" | "write" | "uniform";

/**
 * A compute program. `key` must change whenever anything baked into the shader text changes
 * (dtype, operator, flags, constants); the backend caches one pipeline per key.
 */
export interface ProgramSpec {
  readonly key: string;
  readonly bindings: readonly BindingKind[];
  /** Builds the WGSL source, with entry point `main`; called once per key. */
  readonly source: () => string;
}

/** A resource bound to a program: a buffer, or `u32` words uploaded as the parameter block. */
export type ProgramResource = GPUBuffer | Uint32Array;
