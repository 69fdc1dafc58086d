/**
 * The destination: what may be written where, and how the run says it may not. Paths
 * stay inside the destination (no `..`, no symlink out); every refusal is a
 * `WriteRefusedError` naming the path and what to do.
 */
import { lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, rmdirSync, type Stats } from 'node:fs';
import path from 'node:path';
import { sha256 } from './hash.js';

/** Where --force keeps the hand-edited files it replaces, inside the target directory. */
export const KEPT_EDITS_DIR = '.onex-metrics-backup';

/** The destination cannot be written safely (exit 1): names the path and what to do. */
export class WriteRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteRefusedError';
  }
}

/** A write that failed part-way: the destination was put back as it was. */
export function writingFailed(detail: string): WriteRefusedError {
  return new WriteRefusedError(`Writing failed, nothing was changed: ${detail}`);
}

export function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WriteRefusedError(`${file}: cannot be inspected (${(error as Error).message})`);
  }
}

/** What an I/O error means for the user, by its code (the raw message is kept for the rest). */
const IO_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'it disappeared while this run was writing (deleted meanwhile?)',
  EISDIR: 'a directory stands where a file goes',
  ENOTDIR: 'a file stands where a directory goes',
  ENOTEMPTY: 'a directory stands where a file goes',
  ENAMETOOLONG: 'the path is too long for the file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'input/output error',
};

/** `<path>: <reason> (<CODE>)`, the path relative to the destination. */
export function describeIoError(relative: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = (code && IO_REASONS[code]) ?? (error instanceof Error ? error.message : String(error));
  return `${relative}: ${reason}${code ? ` (${code})` : ''}`;
}

/** The state of a path for the plan/commit check: absent, a file's hash, a link's target. */
export function fingerprint(file: string): string {
  let stats: Stats;
  try {
    stats = lstatSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent';
    throw error;
  }
  if (stats.isSymbolicLink()) return `symlink:${readlinkSync(file)}`;
  if (stats.isDirectory()) return 'directory';
  if (!stats.isFile()) return 'special';
  return `file:${sha256(readFileSync(file))}`;
}

export const isInside = (root: string, candidate: string) =>
  candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * Refuses a path whose existing ancestors leave the destination, by `..` or by a
 * symlink, or where a file stands in place of a directory.
 */
export function assertInsideDest(destRoot: string, relative: string): void {
  const root = realpathSync(destRoot);
  const segments = relative.split('/').filter((segment) => segment !== '' && segment !== '.');
  let current = path.resolve(destRoot);
  for (const [index, segment] of segments.entries()) {
    if (segment === '..') {
      throw new WriteRefusedError(
        `${relative}: leaves the destination ${destRoot} (".."); choose a targetDir inside it`,
      );
    }
    current = path.join(current, segment);
    const stats = lstatOrUndefined(current);
    if (!stats) return;
    const isLast = index === segments.length - 1;
    if (stats.isSymbolicLink()) {
      let resolved: string;
      try {
        resolved = realpathSync(current);
      } catch {
        throw new WriteRefusedError(
          `${path.relative(destRoot, current)}: is a dangling symlink; remove it or choose another targetDir`,
        );
      }
      if (!isInside(root, resolved)) {
        throw new WriteRefusedError(
          `${path.relative(destRoot, current)}: is a symlink to ${resolved}, outside the destination ${root}; refusing to write through it`,
        );
      }
    } else if (!isLast && !stats.isDirectory()) {
      throw new WriteRefusedError(
        `${path.relative(destRoot, current)}: is a file where a directory is needed; move it away`,
      );
    }
  }
}

/** Creates `dir` and its missing parents, noting each one made (for `removeEmpty`). */
export function makeDirs(dir: string, made: string[]): void {
  const missing: string[] = [];
  let current = dir;
  while (!lstatOrUndefined(current)) {
    missing.unshift(current);
    current = path.dirname(current);
  }
  for (const each of missing) {
    mkdirSync(each);
    made.push(each);
  }
}

/** Removes the directories a run made, deepest first, where they are empty. */
export function removeEmpty(dirs: string[]): void {
  for (const dir of [...dirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty: the run wrote there (or someone else did)
    }
  }
  dirs.length = 0;
}
