/**
 * The Python target: which templates render to which files, and the helpers the
 * templates use to turn answers into Python source.
 */
import { type Answers, percentileKey, percentileThousandths } from '../schema.js';
import type { LanguageTarget, TemplateFile } from './target.js';

/**
 * A Python string literal holding exactly `value`. JSON's escaping is a subset of
 * Python's (`\"`, `\\`, `\n`, `\uXXXX`), and escaping every non-ASCII character too
 * keeps look-alike characters visible. This is EJS's `<%= %>` for Python templates,
 * so no answer can reach generated code without being quoted.
 */
export function pyString(value: unknown): string {
  return JSON.stringify(String(value)).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
export function pyComment(value: unknown): string {
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

const files = (answers: Answers): TemplateFile[] => [
  { template: 'metrics/__init__.py.ejs', output: 'metrics/__init__.py' },
  { template: 'metrics/config.py.ejs', output: 'metrics/config.py' },
  { template: 'metrics/window.py.ejs', output: 'metrics/window.py' },
  { template: 'metrics/envelope.py.ejs', output: 'metrics/envelope.py' },
  { template: 'metrics/transport.py.ejs', output: 'metrics/transport.py' },
  { template: 'metrics/publisher.py.ejs', output: 'metrics/publisher.py' },
  ...(answers.enableResourceMetrics ? [{ template: 'metrics/resources.py.ejs', output: 'metrics/resources.py' }] : []),
  ...(answers.enableBusinessMetrics ? [{ template: 'metrics/business.py.ejs', output: 'metrics/business.py' }] : []),
  { template: 'metrics/mixin.py.ejs', output: 'metrics/mixin.py' },
  { template: 'metrics/decorator.py.ejs', output: 'metrics/decorator.py' },
  { template: 'metrics/tests/__init__.py.ejs', output: 'metrics/tests/__init__.py' },
  { template: 'metrics/tests/test_metrics.py.ejs', output: 'metrics/tests/test_metrics.py' },
];

export const pythonTarget: LanguageTarget = {
  language: 'python',
  escape: pyString,
  files,
  context: (answers) => ({
    percentiles: answers.percentiles.map((p) => ({
      key: percentileKey(p),
      thousandths: percentileThousandths(p),
      value: p,
    })),
    py: { str: pyString, int: pyInt, float: pyFloat, comment: pyComment },
  }),
  headerComment: (lines) => lines.map((line) => `# ${pyComment(line)}`.trimEnd()).join('\n'),
};
