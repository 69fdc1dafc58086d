/**
 * Plan, then commit (the Nx virtual-tree idea): compare the rendered files with the
 * destination and the record of the last generation, decide create / update /
 * unchanged / delete / conflict for each, and only then touch the disk — every file
 * through a temporary file and a rename, rolled back if any step fails.
 */
import { randomBytes } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PACKAGE_NAME } from './package-info.js';

export type ChangeKind = 'create' | 'update' | 'unchanged' | 'delete' | 'conflict';

export interface PlannedChange {
  /** Relative to the destination root, POSIX separators. */
  path: string;
  kind: ChangeKind;
  /** New content (absent for deletions). */
  content?: string;
  /** Why a conflict is one. */
  reason?: string;
  /** What a conflict would do with --force. */
  forced?: 'update' | 'delete';
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
        '\nNothing was written. Keep your edits by moving them out of these files, or rerun with --force to overwrite them.',
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
    for (const [name, hash] of Object.entries(files)) if (typeof hash === 'string') hashes[name] = hash;
  }
  return { files: hashes };
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

  const changes: PlannedChange[] = tree.files.map(({ path: relative, content }) => {
    const file = absolute(relative);
    const existing = lstatOrUndefined(file);
    if (!existing) return { path: relative, kind: 'create', content };
    if (existing.isDirectory()) {
      throw new WriteRefusedError(`${relative}: is a directory where the generator writes a file; move it away`);
    }
    if (existing.isSymbolicLink()) {
      return { path: relative, kind: 'conflict', content, reason: 'is a symlink, not a generated file', forced: 'update' };
    }
    let current: string;
    try {
      current = readFileSync(file, 'utf8');
    } catch (error) {
      throw new WriteRefusedError(`${relative}: cannot be read (${(error as Error).message})`);
    }
    if (current === content) return { path: relative, kind: 'unchanged', content };
    if (relative === tree.recordPath) {
      return previous === 'foreign'
        ? { path: relative, kind: 'conflict', content, reason: 'is not a record of this generator', forced: 'update' }
        : { path: relative, kind: 'update', content };
    }
    const hash = recorded[fromTarget(relative)];
    if (hash === undefined) {
      return { path: relative, kind: 'conflict', content, reason: 'exists but was not generated here', forced: 'update' };
    }
    if (hash !== tree.sha256(current)) {
      return { path: relative, kind: 'conflict', content, reason: 'was edited since it was generated', forced: 'update' };
    }
    return { path: relative, kind: 'update', content };
  });

  // Files of the last generation that this one no longer writes (a section turned off).
  const planned = new Set(tree.files.map((file) => file.path));
  for (const [name, hash] of Object.entries(recorded).sort(([a], [b]) => a.localeCompare(b))) {
    const relative = path.posix.join(tree.targetDir, name);
    if (planned.has(relative) || relative.startsWith('../')) continue;
    assertInsideDest(destRoot, relative);
    const existing = lstatOrUndefined(absolute(relative));
    if (!existing?.isFile()) continue;
    const current = readFileSync(absolute(relative), 'utf8');
    changes.push(
      tree.sha256(current) === hash
        ? { path: relative, kind: 'delete' }
        : { path: relative, kind: 'conflict', reason: 'is no longer generated but was edited', forced: 'delete' },
    );
  }
  return { destRoot, changes };
}

export interface CommitOptions {
  force?: boolean;
}

/**
 * Applies a plan. Conflicts refuse the whole plan unless `force`. New content goes to
 * temporary files beside their targets first; then renames put everything in place,
 * the record last. Any failure restores what was there and removes what was made.
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

  const madeDirs: string[] = [];
  const temps = new Map<string, string>();
  const backups = new Map<string, string>();
  const placed: string[] = [];
  try {
    for (const change of writes) {
      const target = absolute(change.path);
      makeDirs(path.dirname(target), madeDirs);
      const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
      writeFileSync(temp, change.content ?? '', { flag: 'wx' });
      temps.set(change.path, temp);
    }
    // Renames are atomic per file; keep the old bytes so a failure can put them back.
    for (const change of [...deletes, ...writes]) {
      const target = absolute(change.path);
      const old = lstatOrUndefined(target);
      if (old?.isFile()) backups.set(change.path, readFileSync(target, 'utf8'));
      if (change.kind === 'delete') unlinkSync(target);
      else renameSync(temps.get(change.path)!, target);
      temps.delete(change.path);
      placed.push(change.path);
    }
  } catch (error) {
    for (const relative of placed.reverse()) {
      const backup = backups.get(relative);
      try {
        if (backup === undefined) unlinkSync(absolute(relative));
        else writeFileSync(absolute(relative), backup);
      } catch {
        // Best effort: the original error below is what the user must see.
      }
    }
    for (const temp of temps.values()) {
      try {
        unlinkSync(temp);
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
    const reason = error instanceof Error ? error.message : String(error);
    throw new WriteRefusedError(`Writing failed, nothing was changed: ${reason}`);
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

/**
 * One line per change, the way the CLI and the plop action report a plan. With
 * `force`, conflicts show what happens to them: `overwrite` or `delete`.
 */
export function describePlan(plan: Plan, { force = false }: CommitOptions = {}): string {
  const label = (change: PlannedChange) =>
    change.kind === 'conflict' && force ? (change.forced === 'delete' ? 'delete' : 'overwrite') : change.kind;
  const width = Math.max(...plan.changes.map((change) => label(change).length));
  return plan.changes
    .map((change) => `${label(change).padEnd(width)}  ${change.path}${change.reason ? `  (${change.reason})` : ''}`)
    .join('\n');
}
