// Draws the learning curve of a training run as an SVG: the training loss of every step
// (a running mean over 20 steps) and the validation energy MAE after every epoch, both on log
// scales against the optimizer step.
//
// Usage: node packages/models-cormorant/bench/learning-curve.mjs RUN_DIR/train.jsonl OUT.svg \
//          "title" "unit of the validation MAE"
import { readFileSync, writeFileSync } from "node:fs";

const [logPath, outPath, title = "learning curve", unit = ""] = process.argv.slice(2);
if (logPath === undefined || outPath === undefined) {
  process.stderr.write("usage: learning-curve.mjs TRAIN_JSONL OUT_SVG [TITLE] [UNIT]\n");
  process.exit(1);
}
const records = readFileSync(logPath, "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line));
const steps = records.filter((r) => r.type === "step");
const epochs = records.filter((r) => r.type === "epoch" && Number.isFinite(r.val_energy_mae));
const WINDOW = 20;
const smoothed = steps.map((s, i) => {
  const from = Math.max(0, i - WINDOW + 1);
  const part = steps.slice(from, i + 1);
  return { x: s.globalStep, y: part.reduce((a, r) => a + r.loss, 0) / part.length };
});
const validation = epochs.map((e) => ({ x: e.globalStep, y: e.val_energy_mae }));

const width = 720;
const height = 420;
const margin = { left: 70, right: 70, top: 40, bottom: 50 };
const maxStep = Math.max(1, ...smoothed.map((p) => p.x), ...validation.map((p) => p.x));
const xOf = (x) => margin.left + (x / maxStep) * (width - margin.left - margin.right);
function logScale(points) {
  const ys = points.map((p) => p.y).filter((y) => y > 0);
  const lo = Math.floor(Math.log10(Math.min(...ys)));
  const hi = Math.ceil(Math.log10(Math.max(...ys)));
  const span = Math.max(1, hi - lo);
  return {
    lo,
    hi: lo + span,
    y: (v) =>
      height -
      margin.bottom -
      ((Math.log10(v) - lo) / span) * (height - margin.top - margin.bottom),
  };
}
const lossScale = logScale(smoothed.length > 0 ? smoothed : [{ y: 1 }]);
const maeScale = logScale(validation.length > 0 ? validation : [{ y: 1 }]);
const path = (points, scale) =>
  points
    .map((p, i) => `${i === 0 ? "M" : "L"}${xOf(p.x).toFixed(1)},${scale.y(p.y).toFixed(1)}`)
    .join(" ");
const ticks = (scale, x, anchor, color) => {
  const out = [];
  for (let e = scale.lo; e <= scale.hi; e++) {
    const y = scale.y(10 ** e);
    out.push(
      `<text x="${x}" y="${y + 4}" text-anchor="${anchor}" font-size="12" fill="${color}">1e${e}</text>`,
    );
  }
  return out.join("\n");
};
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="${width}" height="${height}" fill="white"/>
<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${title}</text>
<line x1="${margin.left}" y1="${height - margin.bottom}" x2="${width - margin.right}" y2="${height - margin.bottom}" stroke="black"/>
<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${height - margin.bottom}" stroke="#1f77b4"/>
<line x1="${width - margin.right}" y1="${margin.top}" x2="${width - margin.right}" y2="${height - margin.bottom}" stroke="#d62728"/>
${ticks(lossScale, margin.left - 8, "end", "#1f77b4")}
${ticks(maeScale, width - margin.right + 8, "start", "#d62728")}
<text x="${width / 2}" y="${height - 12}" text-anchor="middle" font-size="13">optimizer step (last: ${maxStep})</text>
<text x="18" y="${height / 2}" font-size="13" fill="#1f77b4" transform="rotate(-90 18 ${height / 2})" text-anchor="middle">training loss (mean of ${WINDOW} steps)</text>
<text x="${width - 14}" y="${height / 2}" font-size="13" fill="#d62728" transform="rotate(90 ${width - 14} ${height / 2})" text-anchor="middle">validation energy MAE${unit === "" ? "" : ` (${unit})`}</text>
<path d="${path(smoothed, lossScale)}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>
<path d="${path(validation, maeScale)}" fill="none" stroke="#d62728" stroke-width="2"/>
${validation.map((p) => `<circle cx="${xOf(p.x).toFixed(1)}" cy="${maeScale.y(p.y).toFixed(1)}" r="3.5" fill="#d62728"/>`).join("\n")}
</svg>
`;
writeFileSync(outPath, svg);
process.stdout.write(`wrote ${outPath}: ${steps.length} steps, ${epochs.length} epochs\n`);
