/**
 * The plop action: prompt answers → `generateMetrics`. EJS rendering, validation and
 * safe writing all happen in the core; this only adapts plop's conventions.
 */
import type { CustomActionFunction } from 'plop';
import { markUsageError } from '../../src/exit-codes.js';
import { ConflictError, describePlan } from '../../src/tree.js';
import { keptEditsDir } from '../../src/plan-output.js';
import { generateMetrics } from './generate.js';
import { nextSteps } from './next-steps.js';
import { answersFromPrompts } from './prompts.js';
import { InvalidAnswersError } from './schema.js';

export const ACTION_TYPE = 'onex-metrics';

const envFlag = (name: string) => ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase());

export const metricsAction: CustomActionFunction = (answers, config, plop) => {
  // plop does not pass --force to loaded packs (plop issue 392), hence the variable.
  const force = config.force === true || envFlag('ONEX_METRICS_FORCE');
  const dryRun = envFlag('ONEX_METRICS_DRY_RUN');
  try {
    const { plan, rendered } = generateMetrics(answersFromPrompts(answers), {
      destRoot: plop.getDestBasePath(),
      dryRun,
      force,
    });
    const listing = describePlan(plan, { force });
    if (dryRun) {
      const conflicts = force ? [] : plan.changes.filter((change) => change.kind === 'conflict');
      // A dry run that the real run would refuse fails like it (exit 1).
      if (conflicts.length > 0) throw new ConflictError(conflicts);
      return `dry run, nothing written:\n${listing}`;
    }
    const kept = keptEditsDir(plan);
    return [
      `done:\n${listing}`,
      ...(kept ? [`Your edited files are kept under ${kept}/ (compare, then delete the folder).`] : []),
      '',
      nextSteps(rendered.answers),
    ].join('\n');
  } catch (error) {
    if (error instanceof InvalidAnswersError) markUsageError();
    if (error instanceof ConflictError) {
      // plop passes --force to a repository's own plopfile only, not to packs.
      const where = dryRun ? 'Dry run, nothing written; the real run would be refused.\n' : '';
      throw new Error(`${where}${error.message}\nUnder plop, force with ONEX_METRICS_FORCE=1 npx plop metrics …`);
    }
    throw error;
  }
};
