/** What a target language provides to the renderer: the language is a parameter, not a fork. */
import { type Answers, percentileKey, percentileThousandths } from '../answers/schema.js';
import { type Language } from '../answers/fields.js';

export interface TemplateFile {
  /** Template path under the target's `templates/` folder. */
  template: string;
  /** Output path under the target directory, POSIX separators. */
  output: string;
}

export interface LanguageTarget {
  language: Language;
  /** The target's `templates/` folder. */
  templatesDir: string;
  /** Files whose presence in a node directory says it is written in this language. */
  markers: { files: readonly string[]; extension: string };
  /** EJS `<%= %>`: turns any value into a string literal of the language. */
  escape: (value: unknown) => string;
  /** The files to render for these answers (disabled sections are simply absent). */
  files: (answers: Answers) => TemplateFile[];
  /** Language helpers and derived values, merged into every template's context. */
  context: (answers: Answers) => Record<string, unknown>;
  /** The "generated, do not edit" banner in the language's comment syntax. */
  headerComment: (lines: readonly string[]) => string;
  /** What to add and wire after generating (lines; `$ ` ones are commands to run from the node directory). */
  nextSteps: (answers: Answers) => string[];
}

/** Each configured percentile as templates use it: payload key, exact rank in thousandths. */
export function percentileContext(answers: Answers): { key: string; thousandths: number; value: number }[] {
  return answers.percentiles.map((value) => ({
    key: percentileKey(value),
    thousandths: percentileThousandths(value),
    value,
  }));
}

/** The relative accuracy of the duration sketch in every operation event. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/**
 * The duration sketch's constants, the same in every language: γ = (1 + α) / (1 − α)
 * and the range of bucket indexes, from about 1 ns (below it: the zero count) to
 * about 10¹² ms (above it: the top bucket). Generated as literals so that no
 * language's own `log` decides a bucket.
 */
export function sketchContext(): { relativeAccuracy: number; gamma: number; minIndex: number; maxIndex: number } {
  const relativeAccuracy = SKETCH_RELATIVE_ACCURACY;
  const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
  return {
    relativeAccuracy,
    gamma,
    minIndex: -Math.floor(Math.log(1e6) / Math.log(gamma)),
    maxIndex: Math.ceil(Math.log(1e12) / Math.log(gamma)),
  };
}

/** `template.ejs` → `output` under `metrics/`, only when its section is enabled. */
export function section(enabled: boolean, name: string): TemplateFile[] {
  return enabled ? [{ template: `metrics/${name}.ejs`, output: `metrics/${name}` }] : [];
}

/** Text made safe for one comment line of any language: no line breaks or control characters. */
export function oneLine(value: unknown): string {
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}
