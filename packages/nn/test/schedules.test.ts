import { describe, expect, it } from "vitest";
import {
  constantSchedule,
  cosineSchedule,
  exponentialSchedule,
  linearWarmup,
  ReduceOnPlateau,
  sequentialSchedule,
  stepSchedule,
} from "../src/index.js";

describe("schedules", () => {
  it("step schedule", () => {
    const s = stepSchedule({ lr: 1, stepSize: 10, gamma: 0.5 });
    expect(s.value(0)).toBe(1);
    expect(s.value(9)).toBe(1);
    expect(s.value(10)).toBe(0.5);
    expect(s.value(25)).toBe(0.25);
  });

  it("exponential schedule", () => {
    const s = exponentialSchedule({ lr: 2, gamma: 0.9 });
    expect(s.value(0)).toBe(2);
    expect(s.value(3)).toBeCloseTo(2 * 0.729, 15);
  });

  it("cosine schedule without restarts", () => {
    const s = cosineSchedule({ lr: 1, minLr: 0.1, period: 100 });
    expect(s.value(0)).toBe(1);
    expect(s.value(50)).toBeCloseTo(0.55, 15);
    expect(s.value(100)).toBe(0.1);
    expect(s.value(500)).toBe(0.1);
  });

  it("cosine schedule with warm restarts", () => {
    const s = cosineSchedule({ lr: 1, period: 10, restarts: { periodMultiplier: 2 } });
    expect(s.value(10)).toBe(1);
    // Second cycle has length 20: step 20 is position 10 of 20.
    expect(s.value(20)).toBeCloseTo(0.5, 15);
    // Third cycle starts at 10 + 20 = 30 with length 40.
    expect(s.value(30)).toBe(1);
    expect(s.value(50)).toBeCloseTo(0.5, 15);
  });

  it("linear warmup", () => {
    const s = linearWarmup(constantSchedule(1), { warmupSteps: 4 });
    expect([0, 1, 2, 3, 4, 100].map((k) => s.value(k))).toEqual([0, 0.25, 0.5, 0.75, 1, 1]);
    const w = linearWarmup(cosineSchedule({ lr: 1, period: 10 }), {
      warmupSteps: 5,
      startFactor: 0.5,
    });
    expect(w.value(0)).toBe(0.5);
    expect(w.value(10)).toBeCloseTo(0.5, 15);
  });

  it("sequential schedule", () => {
    const s = sequentialSchedule(
      [constantSchedule(1), stepSchedule({ lr: 0.5, stepSize: 2, gamma: 0.1 })],
      [3],
    );
    expect([0, 2, 3, 4, 5].map((k) => s.value(k))).toEqual([1, 1, 0.5, 0.5, 0.5 * 0.1]);
    expect(() => sequentialSchedule([constantSchedule(1)], [3])).toThrow(
      /1 schedules need 0 milestones/,
    );
  });

  it("rejects negative steps", () => {
    expect(() => constantSchedule(1).value(-1)).toThrow(/step must be an integer >= 0/);
  });
});

describe("ReduceOnPlateau", () => {
  it("reduces after patience epochs without improvement", () => {
    const s = new ReduceOnPlateau(1, { factor: 0.5, patience: 2 });
    for (const metric of [1, 0.9, 0.95, 0.95]) s.observe(metric);
    expect(s.value(0)).toBe(1);
    s.observe(0.95);
    expect(s.value(0)).toBe(0.5);
    s.observe(0.5);
    expect(s.value(0)).toBe(0.5);
  });

  it("respects cooldown and the minimum rate", () => {
    const s = new ReduceOnPlateau(1, { factor: 0.1, patience: 0, cooldown: 1, minLr: 0.005 });
    s.observe(1);
    s.observe(1);
    expect(s.value(0)).toBeCloseTo(0.1, 15);
    s.observe(1);
    expect(s.value(0)).toBeCloseTo(0.1, 15);
    s.observe(1);
    expect(s.value(0)).toBeCloseTo(0.01, 15);
    s.observe(1);
    s.observe(1);
    expect(s.value(0)).toBe(0.005);
  });

  it("wraps another schedule and saves its state", () => {
    const s = new ReduceOnPlateau(cosineSchedule({ lr: 1, period: 10 }), {
      factor: 0.5,
      patience: 0,
      mode: "max",
    });
    s.observe(1);
    s.observe(0.5);
    expect(s.value(5)).toBeCloseTo(0.25, 15);
    const copy = new ReduceOnPlateau(cosineSchedule({ lr: 1, period: 10 }), {
      factor: 0.5,
      patience: 0,
      mode: "max",
    });
    copy.loadState(JSON.parse(JSON.stringify(s.state())));
    expect(copy.scale).toBe(0.5);
    copy.observe(0.9);
    s.observe(0.9);
    expect(copy.value(5)).toBe(s.value(5));
  });
});
