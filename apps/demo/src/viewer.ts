/**
 * A Canvas2D molecule viewer: atoms as shaded spheres, bonds between atoms closer than the sum of
 * their covalent radii (plus a tolerance), and force arrows. Drag to rotate, wheel to zoom.
 *
 * @module
 */
import { covalentRadius, elementColor } from "./elements.js";

/** Column-major 3x3 rotation as a flat array, applied to coordinates relative to the centre. */
type Rotation = [number, number, number, number, number, number, number, number, number];

function multiply(a: Rotation, b: Rotation): Rotation {
  const out = new Array<number>(9).fill(0) as Rotation;
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += (a[r * 3 + k] as number) * (b[k * 3 + c] as number);
      out[r * 3 + c] = s;
    }
  }
  return out;
}

function axisRotation(axis: "x" | "y", angle: number): Rotation {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return axis === "x" ? [1, 0, 0, 0, c, -s, 0, s, c] : [c, 0, s, 0, 1, 0, -s, 0, c];
}

/** Bonds are drawn between atoms closer than `BOND_TOLERANCE` times the sum of covalent radii. */
const BOND_TOLERANCE = 1.2;

/** Lists bonded atom pairs (i < j) of a molecule. */
export function findBonds(charges: Int32Array, positions: Float64Array): Array<[number, number]> {
  const bonds: Array<[number, number]> = [];
  const n = charges.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = (positions[3 * j] as number) - (positions[3 * i] as number);
      const dy = (positions[3 * j + 1] as number) - (positions[3 * i + 1] as number);
      const dz = (positions[3 * j + 2] as number) - (positions[3 * i + 2] as number);
      const limit =
        BOND_TOLERANCE *
        (covalentRadius(charges[i] as number) + covalentRadius(charges[j] as number));
      if (dx * dx + dy * dy + dz * dz <= limit * limit) bonds.push([i, j]);
    }
  }
  return bonds;
}

/** Atoms, bonds and forces for the viewer to draw. */
export interface Scene {
  readonly charges: Int32Array;
  /** `[atoms * 3]`, Angstrom. */
  readonly positions: Float64Array;
  /** `[atoms * 3]`, drawn as arrows when given. */
  readonly forces?: Float64Array | null;
  /** Bonds found on the first frame, kept while the atoms move. */
  readonly bonds: ReadonlyArray<readonly [number, number]>;
}

/** Draws a {@link Scene} into a canvas and handles rotation and zoom. */
export class MoleculeViewer {
  readonly canvas: HTMLCanvasElement;
  #rotation: Rotation = multiply(axisRotation("x", -0.5), axisRotation("y", 0.6));
  #zoom = 1;
  #scene: Scene | null = null;
  /** Angstrom per force unit of the arrows, set from the first forces shown. */
  #arrowScale: number | null = null;

  constructor(canvas: HTMLCanvasElement) {
    this.canvas = canvas;
    let last: { x: number; y: number } | null = null;
    canvas.addEventListener("pointerdown", (e) => {
      last = { x: e.clientX, y: e.clientY };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (last === null) return;
      const dx = e.clientX - last.x;
      const dy = e.clientY - last.y;
      last = { x: e.clientX, y: e.clientY };
      const turn = multiply(axisRotation("x", dy * 0.01), axisRotation("y", dx * 0.01));
      this.#rotation = multiply(turn, this.#rotation);
      this.draw();
    });
    canvas.addEventListener("pointerup", () => {
      last = null;
    });
    canvas.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        this.#zoom = Math.min(4, Math.max(0.25, this.#zoom * Math.exp(-e.deltaY * 0.001)));
        this.draw();
      },
      { passive: false },
    );
  }

  /** Shows a new scene. With `resetArrows`, the arrow length scale is computed again. */
  show(scene: Scene, resetArrows = false): void {
    if (resetArrows) this.#arrowScale = null;
    this.#scene = scene;
    this.draw();
  }

  /** Redraws the current scene. */
  draw(): void {
    const scene = this.#scene;
    const ctx = this.canvas.getContext("2d");
    if (ctx === null) return;
    const { width, height } = this.canvas;
    ctx.fillStyle = "#10141c";
    ctx.fillRect(0, 0, width, height);
    if (scene === null) return;
    const n = scene.charges.length;
    const centre = [0, 1, 2].map((k) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += scene.positions[3 * i + k] as number;
      return s / n;
    });
    const rotated = new Float64Array(3 * n);
    let extent = 1;
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < 3; r++) {
        let s = 0;
        for (let k = 0; k < 3; k++) {
          s +=
            (this.#rotation[r * 3 + k] as number) *
            ((scene.positions[3 * i + k] as number) - (centre[k] as number));
        }
        rotated[3 * i + r] = s;
      }
      extent = Math.max(extent, Math.hypot(rotated[3 * i] as number, rotated[3 * i + 1] as number));
    }
    const pixelsPerAngstrom = (this.#zoom * 0.45 * Math.min(width, height)) / (extent + 0.6);
    const camera = 4 * (extent + 1);
    const project = (x: number, y: number, z: number) => {
      const perspective = camera / (camera - z);
      return {
        x: width / 2 + x * pixelsPerAngstrom * perspective,
        y: height / 2 - y * pixelsPerAngstrom * perspective,
        scale: perspective,
      };
    };
    const screen = Array.from({ length: n }, (_, i) =>
      project(rotated[3 * i] as number, rotated[3 * i + 1] as number, rotated[3 * i + 2] as number),
    );
    const radius = (i: number) =>
      0.35 *
      Math.sqrt(covalentRadius(scene.charges[i] as number) / 0.76) *
      pixelsPerAngstrom *
      (screen[i]?.scale ?? 1);
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => (rotated[3 * a + 2] as number) - (rotated[3 * b + 2] as number),
    );
    const bondsOf = new Map<number, number[]>();
    for (const [i, j] of scene.bonds) {
      bondsOf.set(i, [...(bondsOf.get(i) ?? []), j]);
      bondsOf.set(j, [...(bondsOf.get(j) ?? []), i]);
    }
    // Painter's algorithm: back to front, each atom's half-bonds first, then its sphere.
    for (const i of order) {
      const p = screen[i] as { x: number; y: number; scale: number };
      for (const j of bondsOf.get(i) ?? []) {
        const q = screen[j] as { x: number; y: number };
        ctx.strokeStyle = elementColor(scene.charges[i] as number);
        ctx.lineWidth = 0.22 * pixelsPerAngstrom * p.scale;
        ctx.lineCap = "round";
        ctx.beginPath();
        ctx.moveTo(p.x, p.y);
        ctx.lineTo((p.x + q.x) / 2, (p.y + q.y) / 2);
        ctx.stroke();
      }
      const r = radius(i);
      const gradient = ctx.createRadialGradient(
        p.x - r * 0.35,
        p.y - r * 0.35,
        r * 0.1,
        p.x,
        p.y,
        r,
      );
      gradient.addColorStop(0, "#ffffff");
      gradient.addColorStop(0.35, elementColor(scene.charges[i] as number));
      gradient.addColorStop(1, "#000000");
      ctx.fillStyle = gradient;
      ctx.beginPath();
      ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (scene.forces) this.#drawArrows(ctx, scene.forces, rotated, project, n);
  }

  #drawArrows(
    ctx: CanvasRenderingContext2D,
    forces: Float64Array,
    rotated: Float64Array,
    project: (x: number, y: number, z: number) => { x: number; y: number },
    n: number,
  ): void {
    if (this.#arrowScale === null) {
      let largest = 0;
      for (let i = 0; i < n; i++) {
        largest = Math.max(
          largest,
          Math.hypot(
            forces[3 * i] as number,
            forces[3 * i + 1] as number,
            forces[3 * i + 2] as number,
          ),
        );
      }
      // The largest force of the first frame is drawn 1.2 Angstrom long.
      this.#arrowScale = largest > 0 ? 1.2 / largest : 0;
    }
    const scale = this.#arrowScale;
    ctx.strokeStyle = "#ffd23f";
    ctx.fillStyle = "#ffd23f";
    ctx.lineWidth = 2;
    for (let i = 0; i < n; i++) {
      const f = [0, 1, 2].map((r) => {
        let s = 0;
        for (let k = 0; k < 3; k++)
          s += (this.#rotation[r * 3 + k] as number) * (forces[3 * i + k] as number);
        return s * scale;
      });
      const x = rotated[3 * i] as number;
      const y = rotated[3 * i + 1] as number;
      const z = rotated[3 * i + 2] as number;
      const from = project(x, y, z);
      const to = project(x + (f[0] as number), y + (f[1] as number), z + (f[2] as number));
      const length = Math.hypot(to.x - from.x, to.y - from.y);
      if (length < 2) continue;
      ctx.beginPath();
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(to.x, to.y);
      ctx.stroke();
      const angle = Math.atan2(to.y - from.y, to.x - from.x);
      const head = Math.min(8, length / 2);
      ctx.beginPath();
      ctx.moveTo(to.x, to.y);
      ctx.lineTo(to.x - head * Math.cos(angle - 0.45), to.y - head * Math.sin(angle - 0.45));
      ctx.lineTo(to.x - head * Math.cos(angle + 0.45), to.y - head * Math.sin(angle + 0.45));
      ctx.closePath();
      ctx.fill();
    }
  }
}
