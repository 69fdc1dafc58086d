/**
 * What to do after generating: the packages to add for the features chosen (with
 * versions), the lines that wire the package in, how to see it work and how to see
 * the events. Printed by the plop action and the bin; the README says the same.
 *
 * Lines starting with `$ ` are commands to run as they are, from the target directory.
 */
import type { Answers } from './answers/schema.js';
import { TARGETS } from './languages.js';

/** The next steps for these answers, as printed after a run that wrote files. */
export function nextSteps(answers: Answers): string {
  const events = [
    'The events: one line each in the log (logger metrics.events), durations in milliseconds;',
    '  ONEX_METRICS_LOG_ENVELOPES=1 shows whole envelopes. ONEX_ENVIRONMENT and ONEX_REGION tag them.',
    `  Topics: ${answers.kafkaTopic} (operations), ${answers.snapshotTopic} (snapshots).`,
  ];
  const steps = TARGETS[answers.language].nextSteps(answers);
  return ['Next steps', ...[...steps, '', ...events].map((line) => (line ? `  ${line}` : line))].join('\n');
}
