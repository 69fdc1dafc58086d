/** The `metrics` generator: registers its prompts and its action on a plop instance. */
import type { NodePlopAPI, PlopGeneratorConfig } from 'plop';
import { markUsageError } from '../../src/exit-codes.js';
import { ACTION_TYPE, metricsAction } from './action.js';
import { buildPrompts, type MetricsPrompt } from './prompts.js';

export const GENERATOR_NAME = 'metrics';
const DESCRIPTION = 'metrics instrumentation (mixin, decorator, Kafka publisher) for an ONEX node';

export default function registerMetricsGenerator(plop: NodePlopAPI): void {
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
