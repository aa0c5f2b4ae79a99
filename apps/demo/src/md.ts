/**
 * Molecular dynamics with the velocity Verlet integrator in the units of the models: positions in
 * Angstrom, time in femtoseconds, masses in g/mol (atomic mass units), energies in the model's
 * energy unit and forces in that unit per Angstrom.
 *
 * @module
 */

/** Energy units the integrator converts, in J/mol. */
export const JOULES_PER_MOLE: Readonly<Record<string, number>> = {
  "kcal/mol": 4184,
  "kJ/mol": 1000,
  eV: 96485.33212,
  meV: 96.48533212,
  hartree: 2625499.6394799,
};

/** Molar gas constant in J/(mol K) (CODATA 2018, exact). */
export const GAS_CONSTANT = 8.314462618;

/**
 * Returns the factor that turns (energy unit / Angstrom) / (g/mol) into Angstrom/fs^2, so that
 * `a = factor * F / m`. For kcal/mol it is 4.184e-4.
 *
 * @throws {RangeError} for an energy unit not in {@link JOULES_PER_MOLE}.
 */
export function accelerationFactor(energyUnit: string): number {
  const joules = JOULES_PER_MOLE[energyUnit];
  if (joules === undefined) {
    throw new RangeError(
      `energy unit "${energyUnit}" is not supported; expected one of ${Object.keys(JOULES_PER_MOLE).join(", ")}`,
    );
  }
  // 1 J/mol/Angstrom per g/mol is 1e13 m/s^2, and 1 Angstrom/fs^2 is 1e20 m/s^2.
  return joules * 1e-7;
}

/** Kinetic energy `sum m v^2 / 2` in `energyUnit`; velocities in Angstrom/fs. */
export function kineticEnergy(
  masses: Float64Array,
  velocities: Float64Array,
  energyUnit: string,
): number {
  let sum = 0;
  for (let i = 0; i < masses.length; i++) {
    const vx = velocities[3 * i] as number;
    const vy = velocities[3 * i + 1] as number;
    const vz = velocities[3 * i + 2] as number;
    sum += (masses[i] as number) * (vx * vx + vy * vy + vz * vz);
  }
  return (0.5 * sum) / accelerationFactor(energyUnit);
}

/**
 * Instantaneous temperature in kelvin, `2 K / (dof R)`, with `dof = 3n - 3` degrees of freedom
 * (the centre of mass is at rest).
 */
export function temperature(masses: Float64Array, velocities: Float64Array): number {
  const dof = Math.max(3 * masses.length - 3, 1);
  const kineticJoules = kineticEnergy(masses, velocities, "kJ/mol") * 1000;
  return (2 * kineticJoules) / (dof * GAS_CONSTANT);
}

/** A seeded uniform generator on [0, 1) (mulberry32). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Draws velocities (Angstrom/fs) from the Maxwell-Boltzmann distribution at `kelvin`, removes the
 * centre-of-mass motion and rescales to exactly that temperature.
 */
export function maxwellBoltzmannVelocities(
  masses: Float64Array,
  kelvin: number,
  uniform: () => number,
): Float64Array {
  const n = masses.length;
  const v = new Float64Array(3 * n);
  if (n < 2 || kelvin <= 0) return v;
  const gaussian = () => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  for (let i = 0; i < n; i++) {
    // Standard deviation sqrt(R T / m): J/mol over kg/mol gives (m/s)^2; 1 m/s = 1e-5 Angstrom/fs.
    const sigma = Math.sqrt((GAS_CONSTANT * kelvin) / ((masses[i] as number) * 1e-3)) * 1e-5;
    for (let k = 0; k < 3; k++) v[3 * i + k] = sigma * gaussian();
  }
  const totalMass = masses.reduce((a, b) => a + b, 0);
  for (let k = 0; k < 3; k++) {
    let momentum = 0;
    for (let i = 0; i < n; i++) momentum += (masses[i] as number) * (v[3 * i + k] as number);
    for (let i = 0; i < n; i++) v[3 * i + k] = (v[3 * i + k] as number) - momentum / totalMass;
  }
  const scale = Math.sqrt(kelvin / temperature(masses, v));
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * scale;
  return v;
}

/** Potential energy and forces of a configuration, in the integrator's energy unit. */
export type ForceField = (
  positions: Float64Array,
) => Promise<{ energy: number; forces: Float64Array }>;

/** Energies after one step. */
export interface MdSample {
  readonly step: number;
  /** Simulated time in fs. */
  readonly time: number;
  readonly potential: number;
  readonly kinetic: number;
  readonly total: number;
  /** Kelvin. */
  readonly temperature: number;
}

/** Settings of {@link VelocityVerlet}. */
export interface VelocityVerletOptions {
  /** Masses `[atoms]` in g/mol. */
  readonly masses: Float64Array;
  /** Initial positions `[atoms * 3]`, Angstrom; copied. */
  readonly positions: Float64Array;
  /** Initial velocities `[atoms * 3]`, Angstrom/fs; copied. Default: at rest. */
  readonly velocities?: Float64Array;
  /** Time step in fs. */
  readonly timeStep: number;
  /** Energy unit of the force field, such as kcal/mol. */
  readonly energyUnit: string;
  readonly forceField: ForceField;
}

/**
 * The velocity Verlet integrator: `x += v dt + a dt^2 / 2`, then the forces at the new positions,
 * then `v += (a_old + a_new) dt / 2`. It is symplectic and time-reversible, so the total energy of
 * exact forces only fluctuates and does not drift at small time steps. One force evaluation per
 * step.
 */
export class VelocityVerlet {
  readonly masses: Float64Array;
  readonly positions: Float64Array;
  readonly velocities: Float64Array;
  readonly timeStep: number;
  readonly energyUnit: string;
  #forces: Float64Array | null = null;
  #potential = 0;
  #step = 0;
  readonly #forceField: ForceField;
  readonly #factor: number;

  /**
   * @throws {RangeError} on arrays of mismatched lengths, a non-positive mass or time step, or an
   *   unsupported energy unit.
   */
  constructor(options: VelocityVerletOptions) {
    const n = options.masses.length;
    if (options.positions.length !== 3 * n) {
      throw new RangeError(
        `positions have ${options.positions.length} values; ${n} atoms need ${3 * n}`,
      );
    }
    if (options.velocities !== undefined && options.velocities.length !== 3 * n) {
      throw new RangeError(
        `velocities have ${options.velocities.length} values; ${n} atoms need ${3 * n}`,
      );
    }
    if (!(options.timeStep > 0))
      throw new RangeError(`time step ${options.timeStep} fs must be positive`);
    if (options.masses.some((m) => !(m > 0))) throw new RangeError("every mass must be positive");
    this.#factor = accelerationFactor(options.energyUnit);
    this.masses = options.masses;
    this.positions = Float64Array.from(options.positions);
    this.velocities = options.velocities
      ? Float64Array.from(options.velocities)
      : new Float64Array(3 * n);
    this.timeStep = options.timeStep;
    this.energyUnit = options.energyUnit;
    this.#forceField = options.forceField;
  }

  /** Forces at the current positions, or null before the first {@link VelocityVerlet.start}. */
  get forces(): Float64Array | null {
    return this.#forces;
  }

  /** Evaluates the forces at the initial positions and returns the step-0 sample. */
  async start(): Promise<MdSample> {
    const { energy, forces } = await this.#forceField(this.positions);
    this.#forces = forces;
    this.#potential = energy;
    this.#step = 0;
    return this.#sample();
  }

  /** Advances one time step; calls {@link VelocityVerlet.start} first when needed. */
  async step(): Promise<MdSample> {
    if (this.#forces === null) await this.start();
    const dt = this.timeStep;
    const x = this.positions;
    const v = this.velocities;
    const old = this.#forces as Float64Array;
    for (let i = 0; i < this.masses.length; i++) {
      const scale = this.#factor / (this.masses[i] as number);
      for (let k = 3 * i; k < 3 * i + 3; k++) {
        const a = scale * (old[k] as number);
        x[k] = (x[k] as number) + (v[k] as number) * dt + 0.5 * a * dt * dt;
        v[k] = (v[k] as number) + 0.5 * a * dt;
      }
    }
    const { energy, forces } = await this.#forceField(x);
    for (let i = 0; i < this.masses.length; i++) {
      const scale = this.#factor / (this.masses[i] as number);
      for (let k = 3 * i; k < 3 * i + 3; k++)
        v[k] = (v[k] as number) + 0.5 * scale * (forces[k] as number) * dt;
    }
    this.#forces = forces;
    this.#potential = energy;
    this.#step++;
    return this.#sample();
  }

  #sample(): MdSample {
    const kinetic = kineticEnergy(this.masses, this.velocities, this.energyUnit);
    return {
      step: this.#step,
      time: this.#step * this.timeStep,
      potential: this.#potential,
      kinetic,
      total: this.#potential + kinetic,
      temperature: temperature(this.masses, this.velocities),
    };
  }
}
