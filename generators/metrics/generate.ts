/**
 * The whole run behind every entry point: disk defaults → render → plan → commit.
 * The plop action and the bin are thin layers over `generateMetrics`.
 */
import { ContractError } from './contract.js';
import { type DiskDefaults, withDiskDefaults } from './defaults.js';
import { recordPath, renderMetrics, sha256, type RenderedMetrics } from './render.js';
import { InvalidAnswersError } from './schema.js';
import { commitPlan, planChanges, type Plan } from '../../src/tree.js';

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

  const plan = planChanges(options.destRoot, {
    targetDir: rendered.answers.targetDir,
    files: rendered.files,
    recordPath: recordPath(rendered.answers.targetDir),
    sha256,
  });
  if (options.dryRun) return { rendered, plan, ...(defaults ? { defaults } : {}), written: false };
  commitPlan(plan, { force: options.force ?? false });
  return { rendered, plan, ...(defaults ? { defaults } : {}), written: true };
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
