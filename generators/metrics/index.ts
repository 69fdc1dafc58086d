/** The `metrics` generator: registers its prompts and its action on a plop instance. */
import type { NodePlopAPI, PlopGeneratorConfig } from 'plop';
import { markUsageError } from '../../src/exit-codes.js';
import { ACTION_TYPE, metricsAction } from './action.js';
import { buildPrompts } from './prompts.js';

export const GENERATOR_NAME = 'metrics';

export default function registerMetricsGenerator(plop: NodePlopAPI): void {
  plop.setActionType(ACTION_TYPE, metricsAction);
  const prompts = buildPrompts({
    destRoot: plop.getDestBasePath(),
    interactive: process.stdin.isTTY === true,
    onInvalidBypass: markUsageError,
  });
  plop.setGenerator(GENERATOR_NAME, {
    description: 'metrics instrumentation (mixin, decorator, Kafka publisher) for an ONEX node',
    // Our prompt objects add `bypass`, which inquirer's types do not know.
    prompts: prompts as unknown as PlopGeneratorConfig['prompts'],
    actions: [{ type: ACTION_TYPE }],
  });
}
