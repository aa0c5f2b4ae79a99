import { createContainer, DuplicateRegistrationError, Random } from "@covnet/core";
import { describe, expect, it } from "vitest";
import {
  CyclicGroup,
  cyclicGroupModule,
  DihedralGroup,
  dihedralGroupModule,
  directProductModule,
  getFiniteGroup,
  getGroup,
  matmul3,
  o3Module,
  registeredGroups,
  SO3,
  SymmetricGroup,
  so2Module,
  so3Module,
  symmetricGroupModule,
} from "../src/index.js";
import { groupLawErrors } from "../src/testing.js";

describe("SO3 parametrisations", () => {
  const so3 = new SO3();
  const random = new Random(7);
  const rotations = [
    ...so3.testingElements(),
    ...Array.from({ length: 20 }, () => so3.random(random)),
  ];

  it("Euler angles round trip", () => {
    for (const r of rotations) {
      const e = so3.toEuler(r);
      expect(so3.equals(so3.fromEuler(e.alpha, e.beta, e.gamma), r, 1e-14)).toBe(true);
    }
  });

  it("axis-angle and quaternions round trip", () => {
    for (const r of rotations) {
      const a = so3.toAxisAngle(r);
      expect(so3.equals(so3.fromAxisAngle(a.axis, a.angle), r, 1e-14)).toBe(true);
      expect(so3.equals(so3.fromQuaternion(so3.toQuaternion(r)), r, 1e-14)).toBe(true);
    }
  });

  it("Euler angles compose as Rz Ry Rz", () => {
    const r = so3.fromEuler(0.3, 0.5, -0.7);
    const expected = matmul3(
      matmul3(so3.fromEuler(0.3, 0, 0), so3.fromEuler(0, 0.5, 0)),
      so3.fromEuler(0, 0, -0.7),
    );
    expect(so3.equals(r, expected, 1e-15)).toBe(true);
    expect(so3.toQuaternion(so3.fromAxisAngle([0, 0, 1], Math.PI / 2))).toEqual({
      w: Math.SQRT1_2,
      x: 0,
      y: 0,
      z: expect.closeTo(Math.SQRT1_2, 15),
    });
  });

  it("random rotations are orthogonal with determinant 1 and reproducible", () => {
    const a = so3.random(new Random(11));
    const b = so3.random(new Random(11));
    expect(Array.from(a)).toEqual(Array.from(b));
    const errors = groupLawErrors(so3, { maxDegree: 2, randomElements: 10 });
    expect(errors.unitarity).toBeLessThan(1e-12);
  });

  it("Haar integral of chi_1^2 is 1", () => {
    expect(so3.integrate((g) => so3.irrepCharacter(1, g).re ** 2, 2)).toBeCloseTo(1, 14);
  });
});

describe("group modules", () => {
  it("register groups by name", () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(
      so3Module(),
      o3Module(),
      so2Module(),
      cyclicGroupModule(3),
      dihedralGroupModule(4),
      symmetricGroupModule(3),
    );
    expect(registeredGroups(container).map((g) => g.name)).toEqual([
      "SO3",
      "O3",
      "SO2",
      "C3",
      "D4",
      "S3",
    ]);
    expect(getGroup(container, "S3")).toBeInstanceOf(SymmetricGroup);
    expect(getGroup(container, "D4")).toBeInstanceOf(DihedralGroup);
    const product = directProductModule(
      getFiniteGroup(container, "C3"),
      getFiniteGroup(container, "S3"),
    );
    container.load(product);
    const c3s3 = getFiniteGroup(container, "C3xS3");
    expect(c3s3.order).toBe(18);
  });

  it("reject duplicate names", () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(cyclicGroupModule(5));
    expect(() => container.load(cyclicGroupModule(5))).toThrow(DuplicateRegistrationError);
    expect(() => container.load(cyclicGroupModule(5))).toThrow(
      'group "C5" is already registered in this container',
    );
  });

  it("report missing and infinite groups", () => {
    const container = createContainer({ logLevel: "silent" });
    container.load(so3Module(), cyclicGroupModule(2));
    expect(() => getGroup(container, "S9")).toThrow(
      'group "S9" is not registered (registered: SO3, C2)',
    );
    expect(() => getFiniteGroup(container, "SO3")).toThrow('group "SO3" is not finite');
    expect(getFiniteGroup(container, "C2")).toBeInstanceOf(CyclicGroup);
  });
});
