/**
 * The whole run behind every entry point: disk defaults → render → plan → commit.
 * The plop action and the bin are thin layers over `generateMetrics`.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ContractError } from './answers/contract.js';
import { type DiskDefaults, withDiskDefaults } from './defaults.js';
import { recordPath } from '../../core/record.js';
import { renderMetrics, type RenderedMetrics } from './render.js';
import { InvalidAnswersError } from '../../core/answers-error.js';
import { normalizeTargetDir, targetDirField } from './answers/fields.js';
import { assertInsideDest, KEPT_EDITS_DIR, WriteRefusedError } from '../../core/destination.js';
import { commitPlan } from '../../core/commit.js';
import { planChanges, type Plan, type PlannedChange } from '../../core/plan.js';
import { withTargetLock } from '../../core/lock.js';

export interface GenerateOptions {
  /** Directory that `targetDir` is relative to (`--dest`, default the working directory). */
  destRoot: string;
  dryRun?: boolean;
  force?: boolean;
  /** Where the answers came from, for error messages (e.g. the answers file). */
  source?: string;
}

export interface GenerateResult {
  rendered: RenderedMetrics;
  plan: Plan;
  defaults?: DiskDefaults;
  written: boolean;
}

/**
 * Validates `raw` answers (defaults from the target's contract.yaml and project files
 * fill the gaps), renders, plans and — unless `dryRun` — writes.
 *
 * Throws `InvalidAnswersError` (bad answers or contract.yaml: exit 2),
 * `ConflictError` / `WriteRefusedError` (the destination: exit 1).
 */
export function generateMetrics(raw: Record<string, unknown>, options: GenerateOptions): GenerateResult {
  refuseFileAsTarget(raw, options.destRoot);
  let merged: Record<string, unknown>;
  let defaults: DiskDefaults | undefined;
  try {
    ({ merged, defaults } = withDiskDefaults(options.destRoot, raw));
  } catch (error) {
    if (error instanceof ContractError) {
      throw new InvalidAnswersError([{ field: 'targetDir', message: error.message }], options.source);
    }
    throw error;
  }

  let rendered: RenderedMetrics;
  try {
    rendered = renderMetrics(merged);
  } catch (error) {
    if (error instanceof InvalidAnswersError) {
      throw new InvalidAnswersError(explainMissing(error, defaults), options.source);
    }
    throw error;
  }

  const now = new Date();
  const plan = () => {
    const planned = planChanges(options.destRoot, {
      targetDir: rendered.answers.targetDir,
      files: rendered.files,
      recordPath: recordPath(rendered.answers.targetDir),
    });
    return options.force ? keepingEdits(planned, rendered.answers.targetDir, now) : planned;
  };
  if (options.dryRun) return { rendered, plan: plan(), ...(defaults ? { defaults } : {}), written: false };
  // Plan and write under the target directory's lock: concurrent runs take turns, and
  // each plans against what the previous one wrote.
  const written = withTargetLock(options.destRoot, rendered.answers.targetDir, () => {
    const planned = plan();
    commitPlan(planned, { force: options.force ?? false });
    return planned;
  });
  return { rendered, plan: written, ...(defaults ? { defaults } : {}), written: true };
}

/**
 * The plan, plus a copy of every hand-edited file that --force replaces or deletes, under
 * `<targetDir>/.onex-metrics-backup/<time>/`: written in the same commit, so a forced run
 * never loses an edit.
 */
function keepingEdits(plan: Plan, targetDir: string, now: Date): Plan {
  const kept = plan.changes.filter((change) => change.kind === 'conflict' && change.current !== undefined);
  if (kept.length === 0) return plan;
  // One folder a run, named by its time (a second run in the same millisecond gets a suffix).
  const base = `${now.toISOString().replace(/[:.]/g, '-')}`;
  let stamp = base;
  for (let n = 2; existsSync(path.join(plan.destRoot, targetDir, KEPT_EDITS_DIR, stamp)); n += 1)
    stamp = `${base}-${n}`;
  const copies = kept.map((change): PlannedChange => {
    const keptPath = path.posix.join(targetDir, KEPT_EDITS_DIR, stamp, path.posix.relative(targetDir, change.path));
    assertInsideDest(plan.destRoot, keptPath);
    return { path: keptPath, kind: 'create', content: change.current, observed: 'absent', keeps: change.path };
  });
  return { ...plan, changes: [...plan.changes, ...copies] };
}

/**
 * A file where the target directory should be is the destination's problem (exit 1), not
 * an unreadable contract.yaml inside it.
 */
function refuseFileAsTarget(raw: Record<string, unknown>, destRoot: string): void {
  const target = targetDirField.safeParse(raw.targetDir ?? '.');
  if (!target.success) return;
  const dir = normalizeTargetDir(target.data);
  let stats;
  try {
    stats = statSync(path.join(destRoot, ...dir.split('/')));
  } catch {
    return; // absent (or unreachable): the plan reports what matters
  }
  if (!stats.isDirectory()) throw new WriteRefusedError(`${dir}: is a file where a directory is needed; move it away`);
}

/** A required answer that a contract.yaml could have given says so. */
function explainMissing(error: InvalidAnswersError, defaults: DiskDefaults | undefined) {
  return error.issues.map((issue) => {
    if (!['serviceName', 'operations'].includes(issue.field) || !issue.message.startsWith('is required')) {
      return issue;
    }
    const where = defaults?.contract
      ? `${defaults.contract.file} has no ${issue.field === 'serviceName' ? 'name' : 'operations'}`
      : 'no contract.yaml in targetDir to take it from';
    return { ...issue, message: `${issue.message} (${where})` };
  });
}
