/**
 * A plan shown to people and machines: unified diffs of what a run changes, and the
 * plan as JSON. (The one-line-a-file listing is `describePlan` in tree.ts.)
 */
import { createTwoFilesPatch } from 'diff';
import { KEPT_EDITS_DIR } from './destination.js';
import { type Plan, type PlannedChange } from './plan.js';

const text = (content: string | Uint8Array | undefined): string =>
  content === undefined ? '' : typeof content === 'string' ? content : Buffer.from(content).toString('utf8');

/** Whether the change rewrites or removes a file that is there (the changes a diff shows). */
const changesExistingFile = (change: PlannedChange): boolean =>
  change.keeps === undefined &&
  change.current !== undefined &&
  (change.kind === 'update' || change.kind === 'conflict' || change.kind === 'delete');

/** The unified diff of one change: what is on disk (a/) against what the run writes (b/). */
export function changeDiff(change: PlannedChange): string | undefined {
  if (!changesExistingFile(change)) return undefined;
  const removes = change.kind === 'delete' || (change.kind === 'conflict' && change.forced === 'delete');
  return createTwoFilesPatch(
    `a/${change.path}`,
    removes ? '/dev/null' : `b/${change.path}`,
    text(change.current),
    removes ? '' : text(change.content),
    'on disk',
    removes ? 'deleted' : 'generated',
  );
}

/** Unified diffs of every file the plan changes or would change (conflicts included). */
export function planDiffs(plan: Plan): string {
  return plan.changes
    .map(changeDiff)
    .filter((diff): diff is string => diff !== undefined)
    .join('');
}

export type RunStatus = 'written' | 'dry-run' | 'refused' | 'current' | 'stale' | 'invalid' | 'failed';

export interface JsonChange {
  path: string;
  /** create | update | unchanged | delete | conflict; `create` for a kept copy of an edit. */
  kind: PlannedChange['kind'];
  reason?: string;
  /** A conflict's fate with --force: `update` or `delete`. */
  forced?: 'update' | 'delete';
  /** For the copy --force keeps of a hand-edited file: that file. */
  keeps?: string;
  diff?: string;
}

/** One run as `--json` prints it. */
export interface JsonReport {
  status: RunStatus;
  exitCode: number;
  /** What went wrong, as the text output would say it. */
  error?: string;
  /** Invalid answers: each field and what to do. */
  issues?: readonly { field: string; message: string }[];
  /** The answers the run used, defaults filled in. */
  answers?: Record<string, unknown>;
  changes?: JsonChange[];
  nextSteps?: string;
}

export function jsonChanges(plan: Plan, { diffs = false } = {}): JsonChange[] {
  return plan.changes.map((change) => {
    const diff = diffs ? changeDiff(change) : undefined;
    return {
      path: change.path,
      kind: change.kind,
      ...(change.reason !== undefined ? { reason: change.reason } : {}),
      ...(change.kind === 'conflict' && change.forced !== undefined ? { forced: change.forced } : {}),
      ...(change.keeps !== undefined ? { keeps: change.keeps } : {}),
      ...(diff !== undefined ? { diff } : {}),
    };
  });
}

/** Where a forced run kept the hand-edited files it replaced (`<targetDir>/.onex-metrics-backup/<time>`), if any. */
export function keptEditsDir(plan: Plan): string | undefined {
  const kept = plan.changes.find((change) => change.keeps !== undefined);
  if (!kept) return undefined;
  const segments = kept.path.split('/');
  return segments.slice(0, segments.lastIndexOf(KEPT_EDITS_DIR) + 2).join('/');
}
/**
 * One line per change, the way the CLI and the plop action report a plan. With
 * `force`, conflicts show what happens to them: `overwrite` or `delete`.
 */
export function describePlan(plan: Plan, { force = false }: { force?: boolean } = {}): string {
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
