/**
 * The language targets: one line each. A target is a folder under `targets/` holding its
 * module (escaping, files, markers, next steps) and its `templates/`.
 */
import type { Language } from './answers/fields.js';
import { pythonTarget } from './targets/python/index.js';
import type { LanguageTarget } from './targets/target.js';
import { typescriptTarget } from './targets/typescript/index.js';

export const TARGETS: Record<Language, LanguageTarget> = {
  python: pythonTarget,
  typescript: typescriptTarget,
};
