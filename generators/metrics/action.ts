/**
 * The plop action: prompt answers → `generateMetrics`. EJS rendering, validation and
 * safe writing all happen in the core; this only adapts plop's conventions.
 */
import type { CustomActionFunction } from 'plop';
import { markUsageError } from '../../src/exit-codes.js';
import { ConflictError, describePlan } from '../../src/tree.js';
import { generateMetrics } from './generate.js';
import { answersFromPrompts } from './prompts.js';
import { InvalidAnswersError } from './schema.js';

export const ACTION_TYPE = 'onex-metrics';

const envFlag = (name: string) => ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase());

export const metricsAction: CustomActionFunction = (answers, config, plop) => {
  // plop does not pass --force to loaded packs (plop issue 392), hence the variable.
  const force = config.force === true || envFlag('ONEX_METRICS_FORCE');
  const dryRun = envFlag('ONEX_METRICS_DRY_RUN');
  try {
    const { plan } = generateMetrics(answersFromPrompts(answers), {
      destRoot: plop.getDestBasePath(),
      dryRun,
      force,
    });
    return `${dryRun ? 'dry run, nothing written:' : 'done:'}\n${describePlan(plan, { force })}`;
  } catch (error) {
    if (error instanceof InvalidAnswersError) markUsageError();
    if (error instanceof ConflictError) {
      // plop passes --force to a repository's own plopfile only, not to packs.
      throw new Error(`${error.message}\nUnder plop, force with ONEX_METRICS_FORCE=1 npx plop metrics …`);
    }
    throw error;
  }
};
