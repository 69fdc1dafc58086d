/**
 * Plan (the Nx virtual-tree idea): compare the rendered files with the destination and
 * the record of the last generation, and decide create / update / unchanged / delete /
 * conflict for each — reading the destination, writing nothing. `commitPlan` applies it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assertInsideDest, fingerprint, KEPT_EDITS_DIR, lstatOrUndefined, WriteRefusedError } from './destination.js';
import { sha256 } from './hash.js';
import { readPreviousRecord } from './record.js';

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
}

/** Decides what happens to every file; reads the destination, writes nothing. */
export function planChanges(destRoot: string, tree: RenderedTree): Plan {
  const stats = lstatOrUndefined(destRoot);
  if (!stats?.isDirectory()) {
    throw new WriteRefusedError(
      `${destRoot}: the destination directory does not exist; create it or pass another --dest`,
    );
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
      observed: `file:${sha256(bytes)}`,
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
    if (hash !== sha256(text)) return conflict('was edited since it was generated');
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
      sha256(text) === hash
        ? { path: relative, kind: 'delete', observed, current }
        : {
            path: relative,
            kind: 'conflict',
            reason: 'is no longer generated but was edited',
            forced: 'delete',
            observed,
            current,
          },
    );
  }
  return { destRoot, changes };
}

/** A plan that would overwrite or delete files changed since they were generated. */
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
