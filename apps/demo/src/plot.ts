/**
 * A live Canvas2D line plot of the molecular-dynamics energies against time.
 *
 * @module
 */
import type { MdSample } from "./md.js";

const SERIES = [
  { key: "potential", label: "potential", color: "#4cc9f0" },
  { key: "kinetic", label: "kinetic", color: "#f72585" },
  { key: "total", label: "total", color: "#ffd23f" },
] as const;

/**
 * Plots potential, kinetic and total energy. Potential and total are drawn relative to the
 * potential energy of step 0, so that all three share one axis.
 */
export class EnergyPlot {
  readonly canvas: HTMLCanvasElement;
  readonly samples: MdSample[] = [];
  #unit = "";

  constructor(canvas: HTMLCanvasElement) {
    this.canvas = canvas;
    this.draw();
  }

  /** Clears the plot and labels the energy axis with `unit`. */
  reset(unit: string): void {
    this.samples.length = 0;
    this.#unit = unit;
    this.draw();
  }

  /** Adds one sample and redraws. */
  add(sample: MdSample): void {
    this.samples.push(sample);
    this.draw();
  }

  /** Redraws every sample. */
  draw(): void {
    const ctx = this.canvas.getContext("2d");
    if (ctx === null) return;
    const { width, height } = this.canvas;
    const left = 64;
    const right = 12;
    const top = 24;
    const bottom = 30;
    ctx.fillStyle = "#10141c";
    ctx.fillRect(0, 0, width, height);
    ctx.font = "12px system-ui, sans-serif";
    const first = this.samples[0];
    if (first === undefined) {
      ctx.fillStyle = "#8891a5";
      ctx.fillText("Run molecular dynamics to plot its energies.", left, height / 2);
      return;
    }
    const reference = first.potential;
    const value = (s: MdSample, key: (typeof SERIES)[number]["key"]) =>
      key === "kinetic" ? s.kinetic : s[key] - reference;
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const s of this.samples) {
      for (const { key } of SERIES) {
        low = Math.min(low, value(s, key));
        high = Math.max(high, value(s, key));
      }
    }
    if (high - low < 1e-6) {
      high += 0.5;
      low -= 0.5;
    }
    const tMax = Math.max((this.samples[this.samples.length - 1] as MdSample).time, 1e-9);
    const x = (t: number) => left + ((width - left - right) * t) / tMax;
    const y = (e: number) => top + ((height - top - bottom) * (high - e)) / (high - low);

    ctx.strokeStyle = "#2c3445";
    ctx.lineWidth = 1;
    ctx.strokeRect(left, top, width - left - right, height - top - bottom);
    ctx.fillStyle = "#8891a5";
    ctx.fillText(high.toFixed(2), 4, top + 4);
    ctx.fillText(low.toFixed(2), 4, height - bottom);
    ctx.fillText(`E (${this.#unit})`, 4, top - 8);
    ctx.fillText(`${tMax.toFixed(1)} fs`, width - right - 44, height - 10);
    ctx.fillText("0 fs", left, height - 10);

    SERIES.forEach(({ key, label, color }, k) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      this.samples.forEach((s, i) => {
        const px = x(s.time);
        const py = y(value(s, key));
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.fillText(label, width - right - (SERIES.length - k) * 72, top - 8);
    });
  }
}
