/**
 * Cormorant architecture settings.
 *
 * @module
 */
import { ArgumentError } from "@covnet/core";

/** Architecture of a {@link Cormorant} network. */
export interface CormorantConfig {
  /** Largest degree `l` of the covariant activations (`maxl` in the Cormorant paper). */
  readonly maxl: number;
  /** Number of CG layers. */
  readonly levels: number;
  /** Channels `tau` per degree in every layer. */
  readonly channels: number;
  /** Atomic numbers the network embeds (one-hot); other elements are rejected. */
  readonly species: readonly number[];
  /** Highest power `p` in the charge features `onehot(Z) * (Z / Zmax)^p`, p = 0..chargePower. */
  readonly chargePower: number;
  /** Neighbour cutoff radius in Angstrom. */
  readonly cutoff: number;
  /** Number of radial basis functions (Bessel functions with a polynomial envelope). */
  readonly numRadial: number;
  /** Hidden width of the per-level radial networks. */
  readonly radialHidden: number;
  /** Hidden widths of the invariant read-out network. */
  readonly readoutHidden: readonly number[];
  /**
   * Smooth bound on activations after every layer: each part is scaled by
   * `1 / sqrt(1 + mean(|part|^2))`, an invariant factor that keeps repeated CG products from
   * growing without limit. `none` keeps the plain Cormorant layer.
   */
  readonly activationBound: "soft" | "none";
}

/**
 * The reference Cormorant defaults for MD17: maxl 3, 4 CG layers, 10 channels, charge powers up
 * to 2, for the elements H, C, N, O.
 */
export const CORMORANT_DEFAULTS: CormorantConfig = {
  maxl: 3,
  levels: 4,
  channels: 10,
  species: [1, 6, 7, 8],
  chargePower: 2,
  cutoff: 5,
  numRadial: 8,
  radialHidden: 16,
  readoutHidden: [64],
  activationBound: "soft",
};

/**
 * Fills in defaults and checks ranges.
 *
 * @throws {ArgumentError} naming the invalid field.
 */
export function resolveConfig(partial: Partial<CormorantConfig> = {}): CormorantConfig {
  const config: CormorantConfig = { ...CORMORANT_DEFAULTS, ...partial };
  const positiveInt = (name: keyof CormorantConfig, min: number) => {
    const v = config[name] as number;
    if (!Number.isInteger(v) || v < min) {
      throw new ArgumentError(
        `Cormorant config: ${name} = ${v} is invalid; expected an integer >= ${min}`,
      );
    }
  };
  positiveInt("maxl", 0);
  positiveInt("levels", 1);
  positiveInt("channels", 1);
  positiveInt("chargePower", 0);
  positiveInt("numRadial", 1);
  positiveInt("radialHidden", 1);
  if (!(config.cutoff > 0)) {
    throw new ArgumentError(
      `Cormorant config: cutoff = ${config.cutoff} Angstrom must be positive`,
    );
  }
  if (config.species.length === 0 || config.species.some((z) => !Number.isInteger(z) || z < 1)) {
    throw new ArgumentError(
      `Cormorant config: species [${config.species.join(", ")}] must be a non-empty list of atomic numbers`,
    );
  }
  return config;
}
