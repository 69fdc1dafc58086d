/**
 * The record of a generation, `<targetDir>/.onex-metrics.yaml`: the answers (so it is an
 * answers file) and, under provenance keys, what was generated with each file's sha256.
 * Its file name and keys are known here only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { lstatOrUndefined, WriteRefusedError } from './destination.js';
import { PACKAGE_NAME } from './package-info.js';

export const RECORD_FILE = '.onex-metrics.yaml';
/** Keys of the record that carry provenance, not answers (copier style). */
export const RECORD_KEYS = ['_generator', '_files'] as const;

/** Path of the record of a target directory, relative to the destination root. */
export function recordPath(targetDir: string): string {
  return path.posix.join(targetDir, RECORD_FILE);
}

export interface PreviousRecord {
  /** Relative to the target directory → sha256. */
  files: Record<string, string>;
}

export function readPreviousRecord(file: string): PreviousRecord | 'foreign' | undefined {
  // A record that is a symlink may point anywhere: its list of files is not trusted. A
  // directory in its place is reported by the plan like any other.
  const stats = lstatOrUndefined(file);
  if (stats?.isSymbolicLink()) return 'foreign';
  if (stats?.isDirectory()) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WriteRefusedError(`${file}: cannot be read (${(error as Error).message})`);
  }
  let record: unknown;
  try {
    record = parseYaml(text);
  } catch {
    return 'foreign';
  }
  if (typeof record !== 'object' || record === null) return 'foreign';
  const { _generator: generator, _files: files } = record as Record<string, unknown>;
  if (typeof generator !== 'string' || !generator.startsWith(`${PACKAGE_NAME}@`)) return 'foreign';
  const hashes: Record<string, string> = {};
  if (typeof files === 'object' && files !== null) {
    for (const [name, hash] of Object.entries(files)) {
      if (typeof hash === 'string' && isGeneratedName(name)) hashes[name] = hash;
    }
  }
  return { files: hashes };
}

/**
 * A name the generator can have recorded: a plain relative path below the target
 * directory. A hand-edited record could list `../x` or `/etc/x`; those are ignored, so a
 * record never makes a run delete or overwrite anything outside its target directory.
 */
function isGeneratedName(name: string): boolean {
  return (
    /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(name) &&
    name.split('/').every((segment) => segment !== '.' && segment !== '..' && segment.length <= 255)
  );
}
