/**
 * The Python target: which templates render to which files, and the helpers the
 * templates use to turn answers into Python source.
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

/**
 * A Python string literal holding exactly `value`. JSON's escaping is a subset of
 * Python's (`\"`, `\\`, `\n`, `\uXXXX`), and escaping every non-ASCII character too
 * keeps look-alike characters visible. This is EJS's `<%= %>` for Python templates,
 * so no answer can reach generated code without being quoted.
 *
 * Escapes go by code point: in Python `"\ud83d\ude00"` is two lone surrogates (which
 * cannot even be encoded to UTF-8), not the emoji, so characters beyond U+FFFF are
 * written `\U0001f600`. A lone surrogate stays `\udXXX`, as the string holds it.
 */
export function pyString(value: unknown): string {
  return JSON.stringify(String(value)).replace(/[\u{7f}-\u{10ffff}]/gu, (ch) => {
    const code = ch.codePointAt(0)!;
    return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A Python int literal; refuses anything else so a template bug cannot emit code. */
export function pyInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
  return String(value);
}

/** A Python float literal: `60` → `60.0`, `0.5` → `0.5`. */
export function pyFloat(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** Text made safe for one `#` comment line: no line breaks or control characters. */
export const pyComment = oneLine;

/** PEP 263: what makes a comment on the first two lines an encoding declaration. */
const ENCODING_DECLARATION = /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/;
const UTF8_DECLARATION = '# -*- coding: utf-8 -*-';

const files = (answers: Answers): TemplateFile[] => [
  { template: 'metrics/__init__.py.ejs', output: 'metrics/__init__.py' },
  { template: 'metrics/__main__.py.ejs', output: 'metrics/__main__.py' },
  { template: 'metrics/config.py.ejs', output: 'metrics/config.py' },
  { template: 'metrics/sketch.py.ejs', output: 'metrics/sketch.py' },
  { template: 'metrics/window.py.ejs', output: 'metrics/window.py' },
  { template: `metrics/envelope.${answers.envelope}.py.ejs`, output: 'metrics/envelope.py' },
  { template: 'metrics/transport.py.ejs', output: 'metrics/transport.py' },
  answers.envelope === 'onex'
    ? { template: 'metrics/event_bus.py.ejs', output: 'metrics/event_bus.py' }
    : { template: 'metrics/kafka.py.ejs', output: 'metrics/kafka.py' },
  { template: 'metrics/publisher.py.ejs', output: 'metrics/publisher.py' },
  { template: 'metrics/backend.py.ejs', output: 'metrics/backend.py' },
  ...section(answers.enableResourceMetrics, 'resources.py'),
  ...section(answers.enableBusinessMetrics, 'business.py'),
  ...section(answers.trackHandlers, 'handlers.py'),
  { template: 'metrics/mixin.py.ejs', output: 'metrics/mixin.py' },
  { template: 'metrics/decorator.py.ejs', output: 'metrics/decorator.py' },
  ...(answers.tests === 'none'
    ? []
    : [{ template: 'metrics/tests/__init__.py.ejs', output: 'metrics/tests/__init__.py' }]),
  ...section(answers.tests === 'full', 'tests/test_metrics.py'),
  ...section(answers.tests === 'smoke', 'tests/test_smoke.py'),
];

const indent = (lines: readonly string[], by = '    ') => lines.map((line) => (line ? `${by}${line}` : line));

/** Next steps: packages for the chosen features, the wiring, the commands that show it work. */
function nextSteps(answers: Answers): string[] {
  const onex = answers.envelope === 'onex';
  const operation = answers.operations[0]!;
  const dependencies = [
    'Dependencies: none beyond the Python standard library (3.11 or later). Optional:',
    ...(answers.enableResourceMetrics
      ? [`  psutil==${TESTED.psutil}  memory and CPU from psutil (for mypy: types-psutil==${TESTED.typesPsutil})`]
      : []),
    onex
      ? `  omnibase-infra==${TESTED.omnibaseInfra}  Kafka through its EventBusKafka when KAFKA_BOOTSTRAP_SERVERS is set (Python 3.12+); or pass your node's event bus`
      : "  aiokafka==0.14.0  Kafka when KAFKA_BOOTSTRAP_SERVERS is set; or pass your node's kafka_client",
  ];
  const init = onex
    ? [
        '    def __init__(self, container: ModelONEXContainer, event_bus: EventBus) -> None:',
        '        super().__init__(container)',
        '        self._initialize_metrics(event_bus=event_bus)',
      ]
    : [
        '    def __init__(self, container: ModelONEXContainer) -> None:',
        '        super().__init__(container)',
        '        self._initialize_metrics(kafka_client=container.kafka_client)',
      ];
  const wiring = [
    'Wire it into the node (node.py), the mixin first:',
    `  from metrics import ${onex ? 'EventBus, ' : ''}MetricsTrackingMixin, track_metrics`,
    '',
    '  class MyNode(MetricsTrackingMixin, NodeEffect):',
    ...indent(init, '  '),
    ...(answers.trackHandlers
      ? ['', "  Every operation the contract routes to a handler is now timed at the node's route_to_handlers."]
      : [
          '',
          `      @track_metrics(${JSON.stringify(operation)})`,
          `      async def ${operation.replaceAll('.', '_')}(self, request: Request) -> Response: ...`,
        ]),
    '',
    '  On shutdown: await node.stop_metrics()   (sends what is pending)',
  ];
  return [
    ...dependencies,
    '',
    ...wiring,
    '',
    `See it work${answers.tests === 'none' ? '' : ', then test it'} (from ${answers.targetDir}/):`,
    '  $ python -m metrics',
    ...{
      full: [`  $ python -m pip install pytest==${TESTED.pytest}`, '  $ python -m pytest -q metrics'],
      smoke: ['  $ python -m unittest discover -s metrics/tests -t .'],
      none: [],
    }[answers.tests],
  ];
}

export const pythonTarget: LanguageTarget = {
  language: 'python',
  templatesDir: besideSource(import.meta.url, 'templates'),
  markers: { files: ['pyproject.toml', 'setup.cfg', 'setup.py'], extension: '.py' },
  nextSteps,
  escape: pyString,
  files,
  context: (answers) => ({
    percentiles: percentileContext(answers),
    sketch: sketchContext(),
    py: { str: pyString, int: pyInt, float: pyFloat, comment: pyComment },
  }),
  headerComment: (lines) => {
    const comment = lines.map((line) => `# ${pyComment(line)}`.trimEnd());
    // Python reads `coding: x` / `coding=x` in a comment on line 1 or 2 as the file's
    // encoding (PEP 263): a targetDir like `nodes/coding=foo` in the banner would make
    // every file unreadable. Then the true encoding is declared first.
    if (comment.slice(0, 2).some((line) => ENCODING_DECLARATION.test(line))) comment.unshift(UTF8_DECLARATION);
    return comment.join('\n');
  },
};
