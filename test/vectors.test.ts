/**
 * One event contract for both languages: the shared vectors of schema/test-vectors.json
 * run through a generated Python package and a generated TypeScript package give
 * the expected statistics, identical between the two, and events that differ only in
 * ids, timestamps and source fields.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, REPO, run, tempDir, venvBin, writeAnswers } from './support/helpers.js';
import { bin, makeTypescriptProject } from './support/typescript.js';

interface Vector {
  name: string;
  expected: Record<string, { statistics: Record<string, number>; last_error: unknown }>;
}
type Output = Record<string, Record<string, { statistics: Record<string, number>; last_error: unknown; event: Record<string, unknown> }>>;

const VECTORS = path.join(REPO, 'schema/test-vectors.json');
const document = JSON.parse(readFileSync(VECTORS, 'utf8')) as { config: Record<string, unknown>; vectors: Vector[] };

function generate(language: 'python' | 'typescript'): string {
  const dest = tempDir(`vectors-${language}-`);
  const node = path.join(dest, 'node');
  if (language === 'typescript') makeTypescriptProject(node);
  writeAnswers(path.join(dest, 'answers.json'), { ...document.config, language, targetDir: 'node' });
  const result = cli(['--answers', 'answers.json'], dest);
  expect(result.code, result.stderr).toBe(0);
  return node;
}

/** An event with the fields that legitimately differ between two runs removed. */
function comparable(event: Record<string, unknown>): unknown {
  const { event_id, event_timestamp, source_node_id, source_service, source_version, source_instance, ...rest } = event;
  const payload = { ...(rest.payload as Record<string, unknown>) };
  delete payload.timestamp;
  if (payload.last_error) payload.last_error = { ...(payload.last_error as object), timestamp: '(varies)' };
  expect([event_id, event_timestamp, source_node_id]).toSatisfy((values: unknown[]) => values.every((v) => typeof v === 'string'));
  void source_service;
  void source_version;
  void source_instance;
  return { ...rest, payload };
}

describe('shared test vectors', () => {
  let python: Output;
  let typescript: Output;

  beforeAll(() => {
    const pythonNode = generate('python');
    const py = run(venvBin('python'), [path.join(REPO, 'test/python/run_vectors.py'), VECTORS], {
      env: { ONEX_METRICS_NODE: pythonNode },
    });
    expect(py.code, py.stderr).toBe(0);
    python = JSON.parse(py.stdout) as Output;

    const tsNode = generate('typescript');
    copyFileSync(path.join(REPO, 'test/typescript/run-vectors.ts'), path.join(tsNode, 'run-vectors.ts'));
    const typecheck = run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: tsNode });
    expect(typecheck.code, typecheck.stdout).toBe(0);
    const ts = run(bin('tsx'), ['run-vectors.ts', VECTORS], { cwd: tsNode });
    expect(ts.code, ts.stderr).toBe(0);
    typescript = JSON.parse(ts.stdout) as Output;
  });

  it('has vectors for the cases the contract names', () => {
    const names = document.vectors.map((vector) => vector.name);
    expect(names).toEqual(expect.arrayContaining(['empty window', 'window keeps the last five', 'errors and error rate', 'rank boundaries']));
  });

  it.each(document.vectors.map((vector) => [vector.name, vector] as const))('%s: Python gives the expected statistics', (name, vector) => {
    for (const [operation, expected] of Object.entries(vector.expected)) {
      expect(python[name]![operation]!.statistics).toStrictEqual(expected.statistics);
      expect(python[name]![operation]!.last_error).toStrictEqual(expected.last_error);
    }
  });

  it.each(document.vectors.map((vector) => [vector.name, vector] as const))('%s: TypeScript gives the expected statistics', (name, vector) => {
    for (const [operation, expected] of Object.entries(vector.expected)) {
      expect(typescript[name]![operation]!.statistics).toStrictEqual(expected.statistics);
      expect(typescript[name]![operation]!.last_error).toStrictEqual(expected.last_error);
    }
  });

  it.each(document.vectors.map((vector) => [vector.name] as const))('%s: the two events differ only in ids, timestamps and source', (name) => {
    for (const operation of Object.keys(python[name]!)) {
      expect(comparable(typescript[name]![operation]!.event)).toStrictEqual(comparable(python[name]![operation]!.event));
    }
  });
});
