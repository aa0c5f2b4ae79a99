/**
 * The demo page: loads an exported Cormorant model, shows a molecule, predicts its energy and
 * forces, and runs molecular dynamics with a live energy plot.
 *
 * URL parameters: `backend` (`auto`, `webgpu` or `cpu`), `model` (URL of an exported model,
 * default `model.json` next to the page), `frame` (index into the model's reference frames) and
 * `steps` (molecular-dynamics steps). The page sets `data-state` on `<body>` to `loading`,
 * `ready`, `busy` or `error`, and `data-value` on the result cells, for scripts that drive it.
 *
 * @module
 */
import type { Cormorant } from "@covnet/models-cormorant/browser";
import { atomicMass, SYMBOLS } from "./elements.js";
import { type BackendPreference, createDemoEngine, type DemoEngine } from "./engine.js";
import { type MdSample, maxwellBoltzmannVelocities, seededUniform, VelocityVerlet } from "./md.js";
import { createModel, type ModelFile, parseModelFile } from "./model-file.js";
import { EnergyPlot } from "./plot.js";
import { Predictor } from "./predictor.js";
import { findBonds, MoleculeViewer } from "./viewer.js";
import { parseXyzFrames } from "./xyz.js";

/** A molecule shown on the page. */
interface Molecule {
  readonly name: string;
  readonly charges: Int32Array;
  readonly positions: Float64Array;
  readonly referenceEnergy?: number;
  readonly referenceForces?: Float64Array;
}

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no element #${id}`);
  return found as T;
}

function formula(charges: Int32Array): string {
  const counts = new Map<number, number>();
  for (const z of charges) counts.set(z, (counts.get(z) ?? 0) + 1);
  // Hill order: C, then H, then the rest alphabetically.
  const order = [...counts.keys()].sort((a, b) => {
    const rank = (z: number) => {
      if (z === 6) return 0;
      if (z === 1) return 1;
      return 2;
    };
    return rank(a) - rank(b) || (SYMBOLS[a] ?? "").localeCompare(SYMBOLS[b] ?? "");
  });
  return order.map((z) => `${SYMBOLS[z]}${(counts.get(z) ?? 0) > 1 ? counts.get(z) : ""}`).join("");
}

class DemoPage {
  readonly #params = new URLSearchParams(location.search);
  readonly #viewer = new MoleculeViewer(element<HTMLCanvasElement>("molecule"));
  readonly #plot = new EnergyPlot(element<HTMLCanvasElement>("energy-plot"));
  #demo: DemoEngine | null = null;
  #file: ModelFile | null = null;
  #model: Cormorant | null = null;
  #molecule: Molecule | null = null;
  #bonds: Array<[number, number]> = [];
  #stopRequested = false;

  async start(): Promise<void> {
    const preference = (this.#params.get("backend") ?? "auto") as BackendPreference;
    this.#demo = await createDemoEngine(preference, () => {});
    this.#showBackend(this.#demo);
    const modelUrl = this.#params.get("model") ?? "model.json";
    const response = await fetch(modelUrl);
    if (!response.ok) {
      throw new Error(
        `cannot load the model ${modelUrl}: HTTP ${response.status} (build the demo to create it)`,
      );
    }
    await this.#useModel(await response.json(), modelUrl);
    this.#wire();
    const frame = Number(this.#params.get("frame") ?? "0");
    const select = element<HTMLSelectElement>("frame-select");
    if (select.options.length > frame) select.selectedIndex = frame;
    if (this.#params.has("steps"))
      element<HTMLInputElement>("md-steps").value = this.#params.get("steps") ?? "";
    if (select.options.length > 0) this.#selectFrame(select.selectedIndex);
    if (this.#molecule !== null) await this.#predict();
    this.#setState("ready");
  }

  #showBackend(demo: DemoEngine): void {
    const status = element("backend-status");
    status.dataset.backend = demo.backend;
    if (demo.backend === "webgpu") {
      status.textContent = `Computing on WebGPU (adapter: ${demo.device}), float32.`;
      status.classList.remove("fallback");
    } else {
      status.textContent = `WebGPU is not in use: ${demo.fallbackReason ?? "unknown reason"}. Computing on the CPU backend (TypeScript kernels), float32.`;
      status.classList.add("fallback");
    }
  }

  async #useModel(json: unknown, source: string): Promise<void> {
    const demo = this.#demo as DemoEngine;
    const file = parseModelFile(json, source);
    this.#model?.dispose();
    this.#model = await createModel(demo.engine, file, "float32", source);
    this.#file = file;
    const c = file.config;
    const summary = element("model-summary");
    summary.textContent =
      `Trained on ${file.dataset.id}: maxl ${c.maxl}, ${c.levels} CG layers, ${c.channels} channels, ` +
      `cutoff ${c.cutoff} Å, elements ${c.species.map((z) => SYMBOLS[z]).join(" ")}; ` +
      `${this.#model.numParameters()} parameters. Energies in ${file.units.energy}.`;
    const select = element<HTMLSelectElement>("frame-select");
    select.replaceChildren();
    for (const frame of file.frames?.items ?? []) {
      const option = document.createElement("option");
      option.textContent = `${file.frames?.dataset} frame ${frame.index} (${formula(Int32Array.from(frame.charges))})`;
      select.append(option);
    }
    select.disabled = select.options.length === 0;
  }

  #wire(): void {
    element<HTMLSelectElement>("frame-select").addEventListener("change", (e) => {
      this.#selectFrame((e.target as HTMLSelectElement).selectedIndex);
      void this.#run(() => this.#predict());
    });
    element<HTMLInputElement>("xyz-file").addEventListener("change", (e) => {
      const file = (e.target as HTMLInputElement).files?.[0];
      if (file !== undefined) void this.#run(() => this.#openXyz(file));
    });
    element<HTMLInputElement>("model-file").addEventListener("change", (e) => {
      const file = (e.target as HTMLInputElement).files?.[0];
      if (file === undefined) return;
      void this.#run(async () => {
        await this.#useModel(JSON.parse(await file.text()), file.name);
        if (this.#file?.frames?.items.length) this.#selectFrame(0);
        await this.#predict();
      });
    });
    element("predict").addEventListener("click", () => void this.#run(() => this.#predict()));
    element("md-run").addEventListener("click", () => void this.#run(() => this.#runDynamics()));
    element("md-stop").addEventListener("click", () => {
      this.#stopRequested = true;
    });
  }

  #selectFrame(index: number): void {
    const file = this.#file as ModelFile;
    const frame = file.frames?.items[index];
    if (frame === undefined) return;
    this.#setMolecule({
      name: `${file.frames?.dataset} frame ${frame.index}`,
      charges: Int32Array.from(frame.charges),
      positions: Float64Array.from(frame.positions),
      ...(frame.energy === undefined ? {} : { referenceEnergy: frame.energy }),
      ...(frame.forces === undefined ? {} : { referenceForces: Float64Array.from(frame.forces) }),
    });
  }

  async #openXyz(file: File): Promise<void> {
    const frames = parseXyzFrames(await file.text(), file.name);
    const first = frames[0];
    if (first === undefined) return;
    this.#setMolecule({ name: `${file.name} (first of ${frames.length} frames)`, ...first });
    await this.#predict();
  }

  #setMolecule(molecule: Molecule): void {
    this.#molecule = molecule;
    this.#bonds = findBonds(molecule.charges, molecule.positions);
    element("molecule-summary").textContent =
      `${molecule.name}: ${formula(molecule.charges)}, ${molecule.charges.length} atoms, ${this.#bonds.length} bonds.`;
    for (const id of ["energy", "reference-energy", "force-error", "timing"]) {
      element(id).textContent = "–";
      delete element(id).dataset.value;
    }
    this.#viewer.show(
      { charges: molecule.charges, positions: molecule.positions, bonds: this.#bonds },
      true,
    );
  }

  #predictor(molecule: Molecule): Predictor {
    const demo = this.#demo as DemoEngine;
    return new Predictor(demo.engine, this.#model as Cormorant, molecule.charges);
  }

  async #predict(): Promise<void> {
    const molecule = this.#molecule;
    const file = this.#file;
    if (molecule === null || file === null) return;
    const started = performance.now();
    const { energy, forces } = await this.#predictor(molecule).predict(molecule.positions);
    const milliseconds = performance.now() - started;
    const unit = file.units.energy;
    this.#setCell("energy", energy, `${energy.toFixed(3)} ${unit}`);
    if (molecule.referenceEnergy !== undefined) {
      const diff = energy - molecule.referenceEnergy;
      this.#setCell(
        "reference-energy",
        molecule.referenceEnergy,
        `${molecule.referenceEnergy.toFixed(3)} ${unit} (error ${diff >= 0 ? "+" : ""}${diff.toFixed(3)})`,
      );
    }
    if (molecule.referenceForces !== undefined) {
      let sum = 0;
      for (let i = 0; i < forces.length; i++)
        sum += Math.abs((forces[i] as number) - (molecule.referenceForces[i] as number));
      const mae = sum / forces.length;
      this.#setCell("force-error", mae, `${mae.toFixed(3)} ${file.units.forces}`);
    }
    this.#setCell(
      "timing",
      milliseconds,
      `${milliseconds.toFixed(0)} ms on ${this.#demo?.backend}`,
    );
    element("energy").dataset.forces = JSON.stringify(Array.from(forces));
    this.#viewer.show(
      { charges: molecule.charges, positions: molecule.positions, forces, bonds: this.#bonds },
      true,
    );
  }

  async #runDynamics(): Promise<void> {
    const molecule = this.#molecule;
    const file = this.#file;
    if (molecule === null || file === null) return;
    const timeStep = Number(element<HTMLInputElement>("md-dt").value);
    const steps = Math.floor(Number(element<HTMLInputElement>("md-steps").value));
    const kelvin = Number(element<HTMLInputElement>("md-temperature").value);
    if (!(timeStep > 0) || !(steps >= 1) || !(kelvin >= 0)) {
      throw new Error(
        "molecular dynamics needs a positive time step, at least 1 step and a temperature >= 0 K",
      );
    }
    const masses = Float64Array.from(molecule.charges, (z) => atomicMass(z));
    const predictor = this.#predictor(molecule);
    const md = new VelocityVerlet({
      masses,
      positions: molecule.positions,
      velocities: maxwellBoltzmannVelocities(masses, kelvin, seededUniform(1)),
      timeStep,
      energyUnit: file.units.energy,
      forceField: (x) => predictor.predict(x),
    });
    const status = element("md-status");
    this.#plot.reset(file.units.energy);
    this.#stopRequested = false;
    element<HTMLButtonElement>("md-stop").disabled = false;
    const started = performance.now();
    let sample: MdSample = await md.start();
    this.#plot.add(sample);
    const initialTotal = sample.total;
    try {
      for (let s = 0; s < steps && !this.#stopRequested; s++) {
        sample = await md.step();
        this.#plot.add(sample);
        this.#viewer.show({
          charges: molecule.charges,
          positions: md.positions,
          forces: md.forces,
          bonds: this.#bonds,
        });
        const perStep = (performance.now() - started) / (sample.step + 1);
        status.textContent =
          `step ${sample.step}, t = ${sample.time.toFixed(1)} fs, T = ${sample.temperature.toFixed(0)} K, ` +
          `total energy drift ${(sample.total - initialTotal).toFixed(3)} ${file.units.energy}, ${perStep.toFixed(0)} ms per step`;
        // Let the browser paint between steps.
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
    } finally {
      element<HTMLButtonElement>("md-stop").disabled = true;
    }
    status.dataset.steps = String(sample.step);
    status.dataset.drift = String(sample.total - initialTotal);
  }

  #setCell(id: string, value: number, text: string): void {
    const cell = element(id);
    cell.textContent = text;
    cell.dataset.value = String(value);
  }

  #setState(state: "loading" | "ready" | "busy" | "error"): void {
    document.body.dataset.state = state;
    for (const id of ["predict", "md-run"])
      element<HTMLButtonElement>(id).disabled = state !== "ready";
  }

  /** Runs one user action, marking the page busy and showing any error. */
  async #run(action: () => Promise<void>): Promise<void> {
    this.#setState("busy");
    element("error").hidden = true;
    try {
      await action();
      this.#setState("ready");
    } catch (error) {
      showError(error);
      this.#setState("ready");
    }
  }
}

function showError(error: unknown): void {
  const box = element("error");
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
}

new DemoPage().start().catch((error: unknown) => {
  showError(error);
  document.body.dataset.state = "error";
});
