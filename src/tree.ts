/**
 * Plan, then commit (the Nx virtual-tree idea): compare the rendered files with the
 * destination and the record of the last generation, decide create / update /
 * unchanged / delete / conflict for each, and only then touch the disk — every file
 * through a temporary file and a rename, rolled back if any step fails.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PACKAGE_NAME } from './package-info.js';

export type ChangeKind = 'create' | 'update' | 'unchanged' | 'delete' | 'conflict';

export interface PlannedChange {
  /** Relative to the destination root, POSIX separators. */
  path: string;
  kind: ChangeKind;
  /** New content (absent for deletions). */
  content?: string | Uint8Array;
  /** What the file holds now, for an update, a conflict or a deletion of a file. */
  current?: Buffer;
  /** For a copy of a hand-edited file that --force replaces: the file it keeps. */
  keeps?: string;
  /** Why a conflict is one. */
  reason?: string;
  /** What a conflict would do with --force. */
  forced?: 'update' | 'delete';
  /**
   * What was on disk when the plan was made (`absent`, `file:<sha256>`, `symlink:…`):
   * the commit refuses if it changed since, so an edit or another run in between is
   * never overwritten.
   */
  observed?: string;
}

export interface Plan {
  destRoot: string;
  changes: PlannedChange[];
}

export interface RenderedTree {
  targetDir: string;
  /** Files to write, relative to the destination root; the record must be among them. */
  files: readonly { path: string; content: string }[];
  recordPath: string;
  sha256: (content: string) => string;
}

/** The destination cannot be written safely (exit 1): names the path and what to do. */
/** Where --force keeps the hand-edited files it replaces, inside the target directory. */
export const KEPT_EDITS_DIR = '.onex-metrics-backup';

export class WriteRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteRefusedError';
  }
}

export class ConflictError extends WriteRefusedError {
  constructor(readonly conflicts: readonly PlannedChange[]) {
    super(
      `Refusing to overwrite ${conflicts.length} file(s) changed since they were generated:\n` +
        conflicts.map((change) => `  ${change.path}: ${change.reason}`).join('\n') +
        '\nNothing was written. Keep your edits by moving them out of these files, or rerun with --force to replace them' +
        ` (a copy of each is kept under ${KEPT_EDITS_DIR}/ in the target directory).`,
    );
    this.name = 'ConflictError';
  }
}

function lstatOrUndefined(file: string): Stats | undefined {
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
function fingerprint(file: string): string {
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
  return `file:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

const isInside = (root: string, candidate: string) =>
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
      throw new WriteRefusedError(`${relative}: leaves the destination ${destRoot} (".."); choose a targetDir inside it`);
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
        throw new WriteRefusedError(`${path.relative(destRoot, current)}: is a dangling symlink; remove it or choose another targetDir`);
      }
      if (!isInside(root, resolved)) {
        throw new WriteRefusedError(
          `${path.relative(destRoot, current)}: is a symlink to ${resolved}, outside the destination ${root}; refusing to write through it`,
        );
      }
    } else if (!isLast && !stats.isDirectory()) {
      throw new WriteRefusedError(`${path.relative(destRoot, current)}: is a file where a directory is needed; move it away`);
    }
  }
}

interface PreviousRecord {
  /** Relative to the target directory → sha256. */
  files: Record<string, string>;
}

function readPreviousRecord(file: string): PreviousRecord | 'foreign' | undefined {
  // A record that is a symlink may point anywhere: its list of files is not trusted. A
  // directory in its place is reported by the plan like any other.
  const stats = lstatOrUndefined(file);
  if (stats?.isSymbolicLink()) return 'foreign';
  if (stats?.isDirectory()) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WriteRefusedError(`${file}: cannot be read (${(error as Error).message})`);
  }
  let record: unknown;
  try {
    record = parseYaml(text);
  } catch {
    return 'foreign';
  }
  if (typeof record !== 'object' || record === null) return 'foreign';
  const { _generator: generator, _files: files } = record as Record<string, unknown>;
  if (typeof generator !== 'string' || !generator.startsWith(`${PACKAGE_NAME}@`)) return 'foreign';
  const hashes: Record<string, string> = {};
  if (typeof files === 'object' && files !== null) {
    for (const [name, hash] of Object.entries(files)) {
      if (typeof hash === 'string' && isGeneratedName(name)) hashes[name] = hash;
    }
  }
  return { files: hashes };
}

/**
 * A name the generator can have recorded: a plain relative path below the target
 * directory. A hand-edited record could list `../x` or `/etc/x`; those are ignored, so a
 * record never makes a run delete or overwrite anything outside its target directory.
 */
function isGeneratedName(name: string): boolean {
  return (
    /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(name) &&
    name.split('/').every((segment) => segment !== '.' && segment !== '..' && segment.length <= 255)
  );
}

/** Decides what happens to every file; reads the destination, writes nothing. */
export function planChanges(destRoot: string, tree: RenderedTree): Plan {
  const stats = lstatOrUndefined(destRoot);
  if (!stats?.isDirectory()) {
    throw new WriteRefusedError(`${destRoot}: the destination directory does not exist; create it or pass another --dest`);
  }
  for (const file of tree.files) assertInsideDest(destRoot, file.path);

  const absolute = (relative: string) => path.join(destRoot, ...relative.split('/'));
  const previous = readPreviousRecord(absolute(tree.recordPath));
  const recorded = previous === 'foreign' || previous === undefined ? {} : previous.files;
  const fromTarget = (relative: string) => path.posix.relative(tree.targetDir, relative);

  const read = (relative: string): { text: string; observed: string; current: Buffer } => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(absolute(relative));
    } catch (error) {
      throw new WriteRefusedError(`${relative}: cannot be read (${(error as Error).message})`);
    }
    return {
      text: bytes.toString('utf8'),
      observed: `file:${createHash('sha256').update(bytes).digest('hex')}`,
      current: bytes,
    };
  };

  const changes: PlannedChange[] = tree.files.map(({ path: relative, content }): PlannedChange => {
    const file = absolute(relative);
    const existing = lstatOrUndefined(file);
    if (!existing) return { path: relative, kind: 'create', content, observed: 'absent' };
    if (existing.isDirectory()) {
      throw new WriteRefusedError(`${relative}: is a directory where the generator writes a file; move it away`);
    }
    if (existing.isSymbolicLink()) {
      return {
        path: relative,
        kind: 'conflict',
        content,
        reason: 'is a symlink, not a generated file',
        forced: 'update',
        observed: fingerprint(file),
      };
    }
    const { text, observed, current } = read(relative);
    if (text === content) return { path: relative, kind: 'unchanged', content, observed };
    const conflict = (reason: string): PlannedChange => ({
      path: relative,
      kind: 'conflict',
      content,
      reason,
      forced: 'update',
      observed,
      current,
    });
    if (relative === tree.recordPath) {
      return previous === 'foreign'
        ? conflict('is not a record of this generator')
        : { path: relative, kind: 'update', content, observed, current };
    }
    const hash = recorded[fromTarget(relative)];
    if (hash === undefined) return conflict('exists but was not generated here');
    if (hash !== tree.sha256(text)) return conflict('was edited since it was generated');
    return { path: relative, kind: 'update', content, observed, current };
  });

  // Files of the last generation that this one no longer writes (a section turned off).
  const planned = new Set(tree.files.map((file) => file.path));
  for (const [name, hash] of Object.entries(recorded).sort(([a], [b]) => a.localeCompare(b))) {
    const relative = path.posix.join(tree.targetDir, name);
    if (planned.has(relative)) continue;
    assertInsideDest(destRoot, relative);
    const existing = lstatOrUndefined(absolute(relative));
    if (!existing?.isFile()) continue;
    const { text, observed, current } = read(relative);
    changes.push(
      tree.sha256(text) === hash
        ? { path: relative, kind: 'delete', observed, current }
        : { path: relative, kind: 'conflict', reason: 'is no longer generated but was edited', forced: 'delete', observed, current },
    );
  }
  return { destRoot, changes };
}

/** A step of a commit, for progress reports (and for tests that interfere at a given step). */
export interface CommitProgress {
  /** `staged`: the new content is in a temporary file; `placed`: renamed or deleted in place. */
  step: 'staged' | 'placed';
  path: string;
}

export interface CommitOptions {
  force?: boolean;
  onProgress?: (progress: CommitProgress) => void;
}

/**
 * Applies a plan. Conflicts refuse the whole plan unless `force`. New content goes to
 * temporary files beside their targets first; then the plan is checked against the disk
 * again (an edit or another run since the plan refuses the commit); then renames put
 * everything in place, the record last. Replaced and deleted files are kept as hard
 * links until the end, so that any failure puts back exactly what was there (no bytes to
 * rewrite, no space needed) and removes what was made.
 */
export function commitPlan(plan: Plan, options: CommitOptions = {}): void {
  const conflicts = plan.changes.filter((change) => change.kind === 'conflict');
  if (conflicts.length > 0 && !options.force) throw new ConflictError(conflicts);

  const absolute = (relative: string) => path.join(plan.destRoot, ...relative.split('/'));
  const effective = plan.changes.map((change) =>
    change.kind === 'conflict' ? { ...change, kind: change.forced ?? 'update' } : change,
  );
  const writes = effective.filter((change) => change.kind === 'create' || change.kind === 'update');
  const deletes = effective.filter((change) => change.kind === 'delete');
  const progress = options.onProgress ?? (() => {});
  const sibling = (target: string, suffix: string) =>
    path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.${suffix}`);

  const madeDirs: string[] = [];
  const temps = new Map<string, string>();
  /** Planned path → the old entry: a hard link to the file (its bytes where links fail), or a symlink's target. */
  const backups = new Map<string, { link: string } | { bytes: Buffer } | { symlink: string }>();
  const placed: string[] = [];
  let current = '';
  try {
    for (const change of writes) {
      current = change.path;
      const target = absolute(change.path);
      makeDirs(path.dirname(target), madeDirs);
      const temp = sibling(target, 'tmp');
      // Known before it is written: a write that fails part-way (a full disk) leaves a
      // partial temporary file, which the clean-up below must remove too.
      temps.set(change.path, temp);
      writeFileSync(temp, change.content ?? '', { flag: 'wx' });
      progress({ step: 'staged', path: change.path });
    }
    const moved: PlannedChange[] = [];
    for (const change of plan.changes) {
      current = change.path;
      if (change.observed !== undefined && fingerprint(absolute(change.path)) !== change.observed) moved.push(change);
    }
    if (moved.length > 0) {
      throw new WriteRefusedError(
        `Writing failed, nothing was changed: ${moved.map((change) => change.path).join(', ')} changed on disk after this run planned it ` +
          '(another run, an editor?); run again to see what to do.',
      );
    }
    for (const change of [...deletes, ...writes]) {
      current = change.path;
      const target = absolute(change.path);
      const old = lstatOrUndefined(target);
      if (old?.isSymbolicLink()) backups.set(change.path, { symlink: readlinkSync(target) });
      else if (old?.isFile()) {
        const link = sibling(target, 'bak');
        try {
          linkSync(target, link);
          backups.set(change.path, { link });
        } catch {
          backups.set(change.path, { bytes: readFileSync(target) });
        }
      }
      if (change.kind === 'delete') unlinkSync(target);
      else renameSync(temps.get(change.path)!, target);
      temps.delete(change.path);
      placed.push(change.path);
      progress({ step: 'placed', path: change.path });
    }
  } catch (error) {
    for (const relative of placed.reverse()) {
      const backup = backups.get(relative);
      try {
        if (backup === undefined) unlinkSync(absolute(relative));
        else if ('link' in backup) renameSync(backup.link, absolute(relative));
        else if ('symlink' in backup) {
          unlinkSync(absolute(relative));
          symlinkSync(backup.symlink, absolute(relative));
        } else writeFileSync(absolute(relative), backup.bytes);
        backups.delete(relative);
      } catch {
        // Best effort: the original error below is what the user must see.
      }
    }
    for (const leftover of [...temps.values(), ...[...backups.values()].flatMap((b) => ('link' in b ? [b.link] : []))]) {
      try {
        unlinkSync(leftover);
      } catch {
        // already gone
      }
    }
    for (const dir of madeDirs.reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // not empty (someone else wrote there) or already gone
      }
    }
    if (error instanceof WriteRefusedError) throw error;
    throw new WriteRefusedError(
      `Writing failed, nothing was changed: ${describeIoError(current || '(destination)', error)}`,
    );
  }
  for (const backup of backups.values()) {
    if (!('link' in backup)) continue;
    try {
      unlinkSync(backup.link);
    } catch {
      // already gone
    }
  }
}

function makeDirs(dir: string, made: string[]): void {
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

// ---------------------------------------------------------------- the lock

/** Lock file of a target directory while a run plans and writes it. */
export const LOCK_FILE = '.onex-metrics.lock';

export interface LockOptions {
  /** How long to wait for another run to finish (default 30 s). */
  timeoutMs?: number;
  /** A lock of another host (where its pid means nothing) is stale after this long (default 10 min). */
  foreignStaleMs?: number;
}

interface LockHolder {
  pid?: number;
  host?: string;
  started?: string;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock is stale when its holder is gone: a dead pid on this host, or too old elsewhere. */
function isStale(text: string, lock: string, foreignStaleMs: number): boolean {
  let holder: LockHolder | undefined;
  try {
    holder = JSON.parse(text) as LockHolder;
  } catch {
    holder = undefined;
  }
  const age = Date.now() - (lstatOrUndefined(lock)?.mtimeMs ?? Date.now());
  // Written right after it is created: empty or garbled for more than a few seconds means its writer died.
  if (typeof holder?.pid !== 'number') return age > 5_000;
  if (holder.host === hostname()) return !isAlive(holder.pid);
  return age > foreignStaleMs;
}

/**
 * Runs `fn` holding the lock of `<destRoot>/<targetDir>` (created if missing; removed
 * again if the run leaves it empty). Two runs into one directory then plan and write one
 * after the other, so the tree is always one run's complete output. The lock is a file
 * created with O_EXCL holding the holder's pid and host; a lock whose holder died is
 * taken over, a live one is waited for (`timeoutMs`), then refused with its holder named.
 */
export function withTargetLock<T>(destRoot: string, targetDir: string, fn: () => T, options: LockOptions = {}): T {
  const { timeoutMs = 30_000, foreignStaleMs = 10 * 60_000 } = options;
  if (!lstatOrUndefined(destRoot)?.isDirectory()) {
    throw new WriteRefusedError(`${destRoot}: the destination directory does not exist; create it or pass another --dest`);
  }
  assertInsideDest(destRoot, targetDir);
  const dir = path.join(destRoot, ...targetDir.split('/'));
  const existing = lstatOrUndefined(dir);
  if (existing && !existing.isDirectory() && !existing.isSymbolicLink()) {
    throw new WriteRefusedError(`${targetDir}: is a file where a directory is needed; move it away`);
  }
  const lock = path.join(dir, LOCK_FILE);
  const lockName = path.posix.join(targetDir, LOCK_FILE);
  const madeDirs: string[] = [];
  const refuse = (where: string, error: unknown): never => {
    removeEmpty(madeDirs);
    throw new WriteRefusedError(`Writing failed, nothing was changed: ${describeIoError(where, error)}`);
  };
  const token = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString(), id: randomBytes(6).toString('hex') });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      makeDirs(dir, madeDirs);
    } catch (error) {
      refuse(path.relative(destRoot, (error as NodeJS.ErrnoException).path ?? dir) || targetDir, error);
    }
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
      writeSync(fd, token);
      closeSync(fd);
      break;
    } catch (error) {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // closed
        }
        try {
          unlinkSync(lock);
        } catch {
          // gone
        }
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && Date.now() <= deadline) continue; // the directory vanished: make it again
      if (code !== 'EEXIST' || fd !== undefined) return refuse(lockName, error);
    }
    let held: string;
    try {
      held = readFileSync(lock, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    if (isStale(held, lock, foreignStaleMs)) {
      takeOver(lock, held);
      continue;
    }
    if (Date.now() > deadline) {
      removeEmpty(madeDirs);
      let holder: LockHolder = {};
      try {
        holder = JSON.parse(held) as LockHolder;
      } catch {
        // shown as unknown
      }
      throw new WriteRefusedError(
        `${lockName}: another onex-metrics run (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}, since ${holder.started ?? '?'}) ` +
          `is writing this directory; nothing was changed. Wait for it, or delete ${lockName} if no run is active.`,
      );
    }
    sleep(20 + Math.floor(Math.random() * 20));
  }
  try {
    return fn();
  } finally {
    try {
      if (readFileSync(lock, 'utf8') === token) unlinkSync(lock);
    } catch {
      // already gone (the directory was removed under us)
    }
    removeEmpty(madeDirs);
  }
}

/**
 * Removes a stale lock without removing a fresh one that replaced it meanwhile: move it
 * aside (only one taker wins the rename), check it is the stale one, else put it back.
 */
function takeOver(lock: string, stale: string): void {
  const aside = `${lock}.${randomBytes(6).toString('hex')}.stale`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // someone else took it over or released it
  }
  let text = '';
  try {
    text = readFileSync(aside, 'utf8');
  } catch {
    // unreadable: treat as stale
  }
  if (text !== stale) {
    try {
      linkSync(aside, lock); // a live lock taken by mistake goes back, unless a new one is there
    } catch {
      // a new holder is already in place
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // gone
  }
}

function removeEmpty(dirs: string[]): void {
  for (const dir of [...dirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty: the run wrote there (or someone else did)
    }
  }
  dirs.length = 0;
}


/**
 * One line per change, the way the CLI and the plop action report a plan. With
 * `force`, conflicts show what happens to them: `overwrite` or `delete`.
 */
export function describePlan(plan: Plan, { force = false }: CommitOptions = {}): string {
  const label = (change: PlannedChange) =>
    change.keeps !== undefined
      ? 'keep'
      : change.kind === 'conflict' && force
        ? change.forced === 'delete'
          ? 'delete'
          : 'overwrite'
        : change.kind;
  const note = (change: PlannedChange) =>
    change.keeps !== undefined ? `  (your edited ${change.keeps})` : change.reason ? `  (${change.reason})` : '';
  const width = Math.max(...plan.changes.map((change) => label(change).length));
  return plan.changes.map((change) => `${label(change).padEnd(width)}  ${change.path}${note(change)}`).join('\n');
}
