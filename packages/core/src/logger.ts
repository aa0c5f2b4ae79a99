/**
 * A small levelled logger. Numerical code never writes to the console; services and the trainer
 * log through this interface, and tests run it at level `silent`.
 *
 * @module
 */

/** Log levels, from most to least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const LEVEL_RANK: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 99,
};

/** Destination of log records. */
export type LogSink = (level: Exclude<LogLevel, "silent">, message: string) => void;

/** A levelled logger. */
export interface Logger {
  readonly level: LogLevel;
  debug(message: string | (() => string)): void;
  info(message: string | (() => string)): void;
  warn(message: string | (() => string)): void;
  error(message: string | (() => string)): void;
}

const stderrSink: LogSink = (level, message) => {
  process.stderr.write(`[covnet ${level}] ${message}\n`);
};

/** Parses a level name, falling back to `fallback` for unknown values. */
export function parseLogLevel(value: string | undefined, fallback: LogLevel): LogLevel {
  return value !== undefined && value in LEVEL_RANK ? (value as LogLevel) : fallback;
}

/**
 * Creates a logger. The level defaults to the `COVNET_LOG_LEVEL` environment variable, else
 * `warn`; messages may be given lazily as functions, built only when the level lets them through.
 */
export function createLogger(
  options: { readonly level?: LogLevel; readonly sink?: LogSink } = {},
): Logger {
  const env = typeof process !== "undefined" ? process.env?.COVNET_LOG_LEVEL : undefined;
  const level = options.level ?? parseLogLevel(env, "warn");
  const sink = options.sink ?? stderrSink;
  const threshold = LEVEL_RANK[level];
  const emit = (l: Exclude<LogLevel, "silent">, m: string | (() => string)) => {
    if (LEVEL_RANK[l] >= threshold) sink(l, typeof m === "function" ? m() : m);
  };
  return {
    level,
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warn: (m) => emit("warn", m),
    error: (m) => emit("error", m),
  };
}
