import type { Writable } from "node:stream";

/** Progress output style of the trainer. */
export type ProgressMode = "auto" | "bar" | "lines" | "none";

/** Progress sink used by the trainer. */
export interface ProgressReporter {
  step(
    epoch: number,
    epochs: number,
    batch: number,
    batchesPerEpoch: number | null,
    loss: number,
    lr: number,
  ): void;
  epochEnd(
    epoch: number,
    epochs: number,
    metrics: Readonly<Record<string, number>>,
    seconds: number,
  ): void;
  message(text: string): void;
  close(): void;
}

const BAR_WIDTH = 24;

function formatNumber(x: number): string {
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toFixed(4) : x.toExponential(3);
}

function formatMetrics(metrics: Readonly<Record<string, number>>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${formatNumber(v)}`)
    .join(", ");
}

/**
 * Creates a progress reporter: a bar redrawn in place on a TTY, plain lines (one per epoch) elsewhere, or nothing.
 * `auto` picks the bar when `stream` is a TTY.
 */
export function createProgress(
  mode: ProgressMode,
  stream: Writable & { isTTY?: boolean },
): ProgressReporter {
  let resolved = mode;
  if (mode === "auto") resolved = stream.isTTY === true ? "bar" : "lines";
  let barShown = false;
  const clearBar = () => {
    if (barShown) stream.write("\r\x1b[2K");
    barShown = false;
  };
  return {
    step(epoch, epochs, batch, total, loss, lr) {
      if (resolved !== "bar") return;
      const fraction = total === null || total === 0 ? 0 : Math.min(1, batch / total);
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = total === null ? "" : `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] `;
      const count = total === null ? `${batch}` : `${batch}/${total}`;
      stream.write(
        `\r\x1b[2Kepoch ${epoch}/${epochs} ${bar}${count} loss ${formatNumber(loss)} lr ${lr.toExponential(2)}`,
      );
      barShown = true;
    },
    epochEnd(epoch, epochs, metrics, seconds) {
      if (resolved === "none") return;
      clearBar();
      stream.write(
        `epoch ${epoch}/${epochs}: ${formatMetrics(metrics)} (${seconds.toFixed(1)} s)\n`,
      );
    },
    message(text) {
      if (resolved === "none") return;
      clearBar();
      stream.write(`${text}\n`);
    },
    close() {
      clearBar();
    },
  };
}
