/**
 * The TypeScript target: which templates render to which files, and the helpers the
 * templates use to turn answers into TypeScript source formatted as prettier does.
 */
import { besideSource } from '../../../../core/package-info.js';
import type { Answers } from '../../answers/schema.js';
import { TESTED } from '../tested.js';
import {
  type LanguageTarget,
  oneLine,
  percentileContext,
  section,
  sketchContext,
  type TemplateFile,
} from '../target.js';

const PRINT_WIDTH = 80;

/**
 * A TypeScript string literal holding exactly `value` (JSON's escaping, every
 * non-ASCII character escaped too). This is EJS's `<%= %>` for TypeScript templates.
 */
export function tsString(value: unknown): string {
  return JSON.stringify(String(value)).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A number literal; refuses anything that is not finite so a template bug cannot emit code. */
export function tsNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
  return String(value);
}

/** `export const NAME = "value";`, broken after `=` when too long, as prettier does. */
export function tsConstant(name: string, value: string): string {
  const line = `export const ${name} = ${tsString(value)};`;
  return line.length <= PRINT_WIDTH ? line : `export const ${name} =\n  ${tsString(value)};`;
}

/** `prefix[a, b]suffix` on one line when it fits, else one item per line, as prettier does. */
export function tsList(prefix: string, items: readonly string[], suffix: string): string {
  const quoted = items.map(tsString);
  const line = `${prefix}[${quoted.join(', ')}]${suffix}`;
  if (line.length <= PRINT_WIDTH) return line;
  return `${prefix}[\n${quoted.map((item) => `  ${item},`).join('\n')}\n]${suffix}`;
}

const files = (answers: Answers): TemplateFile[] => [
  { template: 'metrics/config.ts.ejs', output: 'metrics/config.ts' },
  { template: 'metrics/window.ts.ejs', output: 'metrics/window.ts' },
  { template: 'metrics/sketch.ts.ejs', output: 'metrics/sketch.ts' },
  { template: `metrics/envelope.${answers.envelope}.ts.ejs`, output: 'metrics/envelope.ts' },
  { template: 'metrics/transport.ts.ejs', output: 'metrics/transport.ts' },
  { template: 'metrics/publisher.ts.ejs', output: 'metrics/publisher.ts' },
  ...section(answers.enableResourceMetrics, 'resources.ts'),
  ...section(answers.enableBusinessMetrics, 'business.ts'),
  { template: 'metrics/tracker.ts.ejs', output: 'metrics/tracker.ts' },
  { template: 'metrics/decorator.ts.ejs', output: 'metrics/decorator.ts' },
  { template: 'metrics/index.ts.ejs', output: 'metrics/index.ts' },
  { template: 'metrics/demo.ts.ejs', output: 'metrics/demo.ts' },
  ...section(answers.tests === 'full', 'metrics.test.ts'),
  ...section(answers.tests === 'smoke', 'smoke-test.ts'),
];

/** Next steps: packages for the chosen features, the wiring, the commands that show it work. */
function nextSteps(answers: Answers): string[] {
  const operation = JSON.stringify(answers.operations[0]!);
  const onex = answers.envelope === 'onex';
  return [
    'Dependencies: none for the log. For Kafka (KAFKA_BOOTSTRAP_SERVERS):',
    `  npm install @platformatic/kafka@${TESTED.platformaticKafka}   (Node.js 22.22 or later; on older Node.js, @platformatic/kafka@1)`,
    '',
    'Wire it in:',
    '  import { MetricsTracker, trackMetrics } from "./metrics/index.js";',
    '',
    onex
      ? '  const metrics = new MetricsTracker({ eventBus });   // your ONEX event bus; without one, Kafka or the log'
      : '  const metrics = new MetricsTracker();   // Kafka when KAFKA_BOOTSTRAP_SERVERS is set, else the log',
    `  const handlers = metrics.wrapHandlers({ ${operation}: handler });   // or metrics.wrap(${operation}, fn)`,
    `  // or decorate a method of a class holding it as \`metrics\`: @trackMetrics(${operation})`,
    '  metrics.start();   // publishes every interval (the first call starts it too)',
    '  // on shutdown: await metrics.stop();   (sends what is pending)',
    '',
    `See it work${answers.tests === 'none' ? '' : ', then test it'} (from ${answers.targetDir}/):`,
    `  $ npm install --no-save tsx@${TESTED.tsx}${answers.tests === 'full' ? ` vitest@${TESTED.vitest}` : ''}`,
    '  $ npx tsx metrics/demo.ts',
    ...{ full: ['  $ npx vitest run metrics'], smoke: ['  $ npx tsx --test metrics/smoke-test.ts'], none: [] }[
      answers.tests
    ],
  ];
}

export const typescriptTarget: LanguageTarget = {
  language: 'typescript',
  templatesDir: besideSource(import.meta.url, 'templates'),
  markers: { files: ['package.json', 'tsconfig.json'], extension: '.ts' },
  nextSteps,
  escape: tsString,
  files,
  context: (answers) => ({
    percentiles: percentileContext(answers),
    sketch: sketchContext(),
    ts: { str: tsString, number: tsNumber, constant: tsConstant, list: tsList },
  }),
  headerComment: (lines) => lines.map((line) => `// ${oneLine(line)}`).join('\n'),
};
