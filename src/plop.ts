/**
 * Everything plop-specific, in one place: the `metrics` generator registered on a plop
 * instance (prompts, help, argument checks) and its action (prompt answers →
 * `generateMetrics`), plus plop's conventions — `--force` and dry run through the
 * environment, exit code 2 for invalid answers. The generator itself knows no plop.
 */
import type { CustomActionFunction, NodePlopAPI, PlopGeneratorConfig } from 'plop';
import { InvalidAnswersError } from './core/answers-error.js';
import { EXIT_FAILED, EXIT_USAGE } from './core/exit-codes.js';
import { describePlan, keptEditsDir } from './core/plan-output.js';
import { ConflictError } from './core/plan.js';
import { generateMetrics } from './generators/metrics/generate.js';
import { nextSteps } from './generators/metrics/next-steps.js';
import { answersFromPrompts, buildPrompts, type MetricsPrompt } from './generators/metrics/prompts.js';

// ---------------------------------------------------------------- exit codes

let usageErrorSeen = false;
let hooked = false;

/**
 * Under the plop CLI, plop itself exits 1 on any failure. When the failure was invalid
 * answers, this turns that exit into 2. An `exit` listener may change `process.exitCode`
 * before the process really exits; other exit codes are left alone.
 */
export function markUsageError(): void {
  usageErrorSeen = true;
  if (hooked) return;
  hooked = true;
  process.once('exit', (code) => {
    if (code === EXIT_FAILED && usageErrorSeen) process.exitCode = EXIT_USAGE;
  });
}

// ---------------------------------------------------------------- the action

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
      throw new Error(`${where}${error.message}\nUnder plop, force with ONEX_METRICS_FORCE=1 npx plop metrics …`, {
        cause: error,
      });
    }
    throw error;
  }
};

// ---------------------------------------------------------------- the generator

export const GENERATOR_NAME = 'metrics';
const DESCRIPTION = 'metrics instrumentation (mixin, decorator, Kafka publisher) for an ONEX node';

export function registerMetricsGenerator(plop: NodePlopAPI): void {
  plop.setActionType(ACTION_TYPE, metricsAction);
  const prompts = buildPrompts({
    destRoot: plop.getDestBasePath(),
    interactive: process.stdin.isTTY === true,
    onInvalidBypass: markUsageError,
  });
  checkPlopArguments(process.argv.slice(2), prompts);
  plop.setGenerator(GENERATOR_NAME, {
    description: DESCRIPTION,
    // Our prompt objects add `bypass`, which inquirer's types do not know.
    prompts: prompts as unknown as PlopGeneratorConfig['prompts'],
    actions: [{ type: ACTION_TYPE }],
  });
}

/**
 * What plop's CLI does not handle for a named generator: `plop metrics --help`
 * (plop would run the generator) and unknown `-- --names` (plop exits 1 before
 * any code of ours runs; they are invalid answers, exit 2).
 */
function checkPlopArguments(argv: readonly string[], prompts: readonly MetricsPrompt[]): void {
  const at = argv.indexOf(GENERATOR_NAME);
  if (at < 0) return;
  const separator = argv.indexOf('--', at);
  const options = separator < 0 ? argv.slice(at + 1) : argv.slice(at + 1, separator);
  if (options.includes('--help') || options.includes('-h')) {
    process.stdout.write(generatorHelp(prompts));
    process.exit(0);
  }
  const names = new Set(prompts.map((prompt) => prompt.name));
  const given = separator < 0 ? [] : argv.slice(separator + 1).filter((arg) => arg.startsWith('--'));
  if (given.some((arg) => !names.has(arg.slice(2).split('=')[0]!))) markUsageError();
}

function generatorHelp(prompts: readonly MetricsPrompt[]): string {
  const width = Math.max(...prompts.map((prompt) => prompt.name.length));
  return [
    `plop ${GENERATOR_NAME}: ${DESCRIPTION}`,
    '',
    `  npx plop ${GENERATOR_NAME}                          answer the prompts`,
    `  npx plop ${GENERATOR_NAME} -- --targetDir nodes/x   give answers; unanswered ones are asked,`,
    '                                            or take their defaults without a terminal',
    '',
    'Answers:',
    ...prompts.map((prompt) => `  --${prompt.name.padEnd(width)}  ${prompt.help}`),
    '',
    'ONEX_METRICS_DRY_RUN=1 lists the plan and writes nothing; ONEX_METRICS_FORCE=1 overwrites',
    'files edited since they were generated. Exit codes: 0 done, 1 refused or failed, 2 invalid answers.',
    '',
  ].join('\n');
}
