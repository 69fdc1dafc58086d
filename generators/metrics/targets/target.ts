/** What a target language provides to the renderer: the language is a parameter, not a fork. */
import type { Answers, Language } from '../schema.js';

export interface TemplateFile {
  /** Template path under `templates/<language>/`. */
  template: string;
  /** Output path under the target directory, POSIX separators. */
  output: string;
}

export interface LanguageTarget {
  language: Language;
  /** EJS `<%= %>`: turns any value into a string literal of the language. */
  escape: (value: unknown) => string;
  /** The files to render for these answers (disabled sections are simply absent). */
  files: (answers: Answers) => TemplateFile[];
  /** Language helpers and derived values, merged into every template's context. */
  context: (answers: Answers) => Record<string, unknown>;
  /** The "generated, do not edit" banner in the language's comment syntax. */
  headerComment: (lines: readonly string[]) => string;
}
