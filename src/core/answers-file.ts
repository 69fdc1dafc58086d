/** Reading an answers file (`.json`, `.yaml`, `.yml`); the record is one too. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { InvalidAnswersError } from './answers-error.js';

const FORMATS = ['.json', '.yaml', '.yml'];

/** Returns the answers mapping; every problem is an `InvalidAnswersError` naming the file. */
export function readAnswersFile(file: string): Record<string, unknown> {
  const fail = (message: string): never => {
    throw new InvalidAnswersError([{ field: '--answers', message: `${file}: ${message}` }]);
  };
  const extension = path.extname(file).toLowerCase();
  if (!FORMATS.includes(extension)) {
    fail(`unknown format "${extension || '(none)'}": use a .json, .yaml or .yml file`);
  }
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`);
  }
  // Editors on Windows save UTF-8 with a byte order mark; JSON.parse refuses it.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let data: unknown;
  try {
    data = extension === '.json' ? JSON.parse(text) : parseYamlStrictly(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    fail(`is not valid ${extension === '.json' ? 'JSON' : 'YAML'} (${reason}); fix the syntax`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    fail('must hold a mapping of answers, e.g. serviceName: orders');
  }
  return data as Record<string, unknown>;
}

/**
 * YAML where warnings are errors: an unresolved tag (`!python/object …`) means the file
 * was written for another loader, and must not quietly become a string. Nothing is
 * printed behind the caller's back either (the yaml library would emit process
 * warnings quoting the file, control characters included).
 */
function parseYamlStrictly(text: string): unknown {
  const document = parseDocument(text, { logLevel: 'silent' });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) throw problem;
  return document.toJS();
}
