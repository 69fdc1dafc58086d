/**
 * Commit a plan: every file through a temporary file and a rename, rolled back if any
 * step fails, so the destination holds either the whole new generation or the old one.
 */
import { randomBytes } from 'node:crypto';
import {
  linkSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {
  describeIoError,
  fingerprint,
  lstatOrUndefined,
  makeDirs,
  writingFailed,
  WriteRefusedError,
} from './destination.js';
import { ConflictError, type Plan, type PlannedChange } from './plan.js';

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
      throw writingFailed(
        `${moved.map((change) => change.path).join(', ')} changed on disk after this run planned it ` +
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
    for (const leftover of [
      ...temps.values(),
      ...[...backups.values()].flatMap((b) => ('link' in b ? [b.link] : [])),
    ]) {
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
    throw writingFailed(describeIoError(current || '(destination)', error));
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
