import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Test hooks of {@link writeFileAtomic}. */
export interface AtomicWriteHooks {
  /** Called after the temporary file is written and synced, before the rename. */
  readonly beforeRename?: (tempPath: string) => void;
}

/**
 * Writes `text` to `path` so that a reader sees either the old file or the complete new one.
 * The text goes to a temporary file in the same directory, which is flushed with fsync and then
 * renamed over `path` (rename is atomic within a POSIX file system). The directory is synced too,
 * so the rename survives a power loss. On an error the temporary file is removed.
 */
export function writeFileAtomic(path: string, text: string, hooks: AtomicWriteHooks = {}): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | null = openSync(temp, "w", 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    hooks.beforeRename?.(temp);
    renameSync(temp, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  syncDirectory(dir);
}

function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or sync a directory; the rename itself is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
