import { describe, expect, it } from "vitest";
import {
  accelerationFactor,
  type ForceField,
  kineticEnergy,
  maxwellBoltzmannVelocities,
  seededUniform,
  temperature,
  VelocityVerlet,
} from "../src/md.js";

/** Returns an isotropic harmonic well per atom, `E = k/2 |x|^2`, in kcal/mol. */
function harmonicWell(k: number): ForceField {
  return async (x) => {
    let energy = 0;
    const forces = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      energy += 0.5 * k * (x[i] as number) ** 2;
      forces[i] = -k * (x[i] as number);
    }
    return { energy, forces };
  };
}

/** Returns a harmonic bond between atoms 0 and 1 with rest length `r0`. */
function harmonicBond(k: number, r0: number): ForceField {
  return async (x) => {
    const d = [0, 1, 2].map((c) => (x[3 + c] as number) - (x[c] as number));
    const r = Math.hypot(d[0] as number, d[1] as number, d[2] as number);
    const forces = new Float64Array(6);
    for (let c = 0; c < 3; c++) {
      const f = (-k * (r - r0) * (d[c] as number)) / r;
      forces[3 + c] = f;
      forces[c] = -f;
    }
    return { energy: 0.5 * k * (r - r0) ** 2, forces };
  };
}

describe("units", () => {
  it("converts kcal/mol/A per amu to A/fs^2", () => {
    expect(accelerationFactor("kcal/mol")).toBeCloseTo(4.184e-4, 15);
    expect(accelerationFactor("eV")).toBeCloseTo(9.648533212e-3, 14);
  });

  it("rejects an unknown energy unit", () => {
    expect(() => accelerationFactor("erg")).toThrow(/energy unit "erg" is not supported/);
  });

  it("computes kinetic energy in kcal/mol", () => {
    // 0.01 A/fs is 1000 m/s: m v^2 / 2 = 0.5 * 1.008e-3 kg/mol * 1e6 m^2/s^2 = 504 J/mol.
    const e = kineticEnergy(new Float64Array([1.008]), new Float64Array([0.01, 0, 0]), "kcal/mol");
    expect(e).toBeCloseTo(504 / 4184, 12);
  });
});

describe("maxwellBoltzmannVelocities", () => {
  const masses = Float64Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 1.008 : 12.011));
  const v = maxwellBoltzmannVelocities(masses, 300, seededUniform(3));

  it("has exactly the requested temperature", () => {
    expect(temperature(masses, v)).toBeCloseTo(300, 9);
  });

  it("has zero total momentum", () => {
    for (let k = 0; k < 3; k++) {
      let p = 0;
      for (let i = 0; i < masses.length; i++) p += (masses[i] as number) * (v[3 * i + k] as number);
      expect(Math.abs(p)).toBeLessThan(1e-12);
    }
  });

  it("gives lighter atoms larger speeds", () => {
    // <v^2> per component is R T / m, so hydrogen moves about sqrt(12) times faster than carbon.
    const meanSquare = (parity: number) => {
      let s = 0;
      for (let i = parity; i < masses.length; i += 2) {
        for (let k = 0; k < 3; k++) s += (v[3 * i + k] as number) ** 2;
      }
      return s / (masses.length / 2) / 3;
    };
    const expectedHydrogen = ((8.314462618 * 300) / 1.008e-3) * 1e-10;
    expect(meanSquare(0) / expectedHydrogen).toBeGreaterThan(0.8);
    expect(meanSquare(0) / expectedHydrogen).toBeLessThan(1.2);
    expect(meanSquare(0) / meanSquare(1)).toBeGreaterThan(8);
    expect(meanSquare(0) / meanSquare(1)).toBeLessThan(16);
  });
});

describe("VelocityVerlet", () => {
  const k = 50; // kcal/mol/A^2
  const m = 12.011;
  const omega = Math.sqrt((k * accelerationFactor("kcal/mol")) / m); // rad/fs

  async function oscillate(
    dt: number,
    steps: number,
  ): Promise<{ md: VelocityVerlet; maxDrift: number }> {
    const md = new VelocityVerlet({
      masses: new Float64Array([m]),
      positions: new Float64Array([0.1, 0, 0]),
      timeStep: dt,
      energyUnit: "kcal/mol",
      forceField: harmonicWell(k),
    });
    const first = await md.start();
    let maxDrift = 0;
    for (let s = 0; s < steps; s++)
      maxDrift = Math.max(maxDrift, Math.abs((await md.step()).total - first.total));
    return { md, maxDrift };
  }

  it("follows the harmonic oscillator solution", async () => {
    const dt = 0.25;
    const steps = 200;
    const { md } = await oscillate(dt, steps);
    const t = dt * steps;
    expect(md.positions[0]).toBeCloseTo(0.1 * Math.cos(omega * t), 4);
    expect(md.velocities[0]).toBeCloseTo(-0.1 * omega * Math.sin(omega * t), 5);
    expect(md.positions[1]).toBe(0);
  });

  it("has second-order error in the time step", async () => {
    const t = 50;
    const error = async (dt: number) => {
      const { md } = await oscillate(dt, Math.round(t / dt));
      return Math.abs((md.positions[0] as number) - 0.1 * Math.cos(omega * t));
    };
    const ratio = (await error(0.5)) / (await error(0.25));
    expect(ratio).toBeGreaterThan(3.5);
    expect(ratio).toBeLessThan(4.5);
  });

  it("conserves energy without drift", async () => {
    const { maxDrift } = await oscillate(0.5, 2000);
    // The energy is k/2 * 0.1^2 = 0.25 kcal/mol. For a harmonic well, velocity Verlet's energy
    // error oscillates with relative amplitude (omega dt)^2 / 4 and does not grow over 2000 steps.
    const amplitude = ((omega * 0.5) ** 2 / 4) * 0.25;
    expect(maxDrift).toBeGreaterThan(0.5 * amplitude);
    expect(maxDrift).toBeLessThan(1.2 * amplitude);
  });

  it("is time-reversible", async () => {
    const start = new Float64Array([0, 0, 0, 1.3, 0.2, -0.1]);
    const md = new VelocityVerlet({
      masses: new Float64Array([15.999, 1.008]),
      positions: start,
      velocities: new Float64Array([0.001, 0, 0, -0.01, 0.02, 0]),
      timeStep: 0.5,
      energyUnit: "kcal/mol",
      forceField: harmonicBond(400, 0.96),
    });
    for (let s = 0; s < 100; s++) await md.step();
    for (let i = 0; i < md.velocities.length; i++) md.velocities[i] = -(md.velocities[i] as number);
    for (let s = 0; s < 100; s++) await md.step();
    for (let i = 0; i < start.length; i++)
      expect(md.positions[i]).toBeCloseTo(start[i] as number, 9);
  });

  it("conserves momentum with pair forces", async () => {
    const masses = new Float64Array([15.999, 1.008]);
    const v0 = new Float64Array([0.001, 0.002, 0, -0.01, 0.02, 0.003]);
    const md = new VelocityVerlet({
      masses,
      positions: new Float64Array([0, 0, 0, 1.1, 0.2, -0.1]),
      velocities: v0,
      timeStep: 0.5,
      energyUnit: "kcal/mol",
      forceField: harmonicBond(400, 0.96),
    });
    for (let s = 0; s < 50; s++) await md.step();
    for (let c = 0; c < 3; c++) {
      const before = 15.999 * (v0[c] as number) + 1.008 * (v0[3 + c] as number);
      const after =
        15.999 * (md.velocities[c] as number) + 1.008 * (md.velocities[3 + c] as number);
      expect(after).toBeCloseTo(before, 12);
    }
  });

  it("reports time, step and temperature", async () => {
    const { md } = await oscillate(0.5, 4);
    const sample = await md.step();
    expect(sample.step).toBe(5);
    expect(sample.time).toBeCloseTo(2.5, 12);
    expect(sample.kinetic).toBeCloseTo(kineticEnergy(md.masses, md.velocities, "kcal/mol"), 12);
    expect(sample.temperature).toBeGreaterThan(0);
  });

  it("rejects invalid settings", () => {
    const base = { energyUnit: "kcal/mol", forceField: harmonicWell(1) };
    expect(
      () =>
        new VelocityVerlet({
          ...base,
          masses: new Float64Array([1]),
          positions: new Float64Array(2),
          timeStep: 1,
        }),
    ).toThrow(/positions have 2 values; 1 atoms need 3/);
    expect(
      () =>
        new VelocityVerlet({
          ...base,
          masses: new Float64Array([1]),
          positions: new Float64Array(3),
          timeStep: 0,
        }),
    ).toThrow(/time step 0 fs must be positive/);
    expect(
      () =>
        new VelocityVerlet({
          ...base,
          masses: new Float64Array([0]),
          positions: new Float64Array(3),
          timeStep: 1,
        }),
    ).toThrow(/every mass must be positive/);
  });
});
