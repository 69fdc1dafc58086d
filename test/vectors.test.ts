/**
 * One event contract for both languages: the shared vectors of schema/test-vectors.json
 * run through a generated Python package and a generated TypeScript package give
 * the expected statistics and duration sketch, identical between the two, and events that differ only in
 * ids, timestamps and the publishing instance, in either envelope.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, REPO, run, tempDir, venvBin, writeAnswers } from './support/helpers.js';
import { bin, makeTypescriptProject } from './support/typescript.js';

interface Vector {
  name: string;
  expected: Record<string, { statistics: Record<string, number>; sketch: unknown; last_error: unknown }>;
}
type Output = Record<
  string,
  Record<string, { statistics: Record<string, number>; last_error: unknown; event: Record<string, unknown> }>
>;

const VECTORS = path.join(REPO, 'schema/test-vectors.json');
const document = JSON.parse(readFileSync(VECTORS, 'utf8')) as { config: Record<string, unknown>; vectors: Vector[] };

type Envelope = 'onex' | 'omninode-bridge';

function generate(language: 'python' | 'typescript', envelope: Envelope): string {
  const dest = tempDir(`vectors-${language}-`);
  const node = path.join(dest, 'node');
  if (language === 'typescript') makeTypescriptProject(node);
  writeAnswers(path.join(dest, 'answers.json'), { ...document.config, envelope, language, targetDir: 'node' });
  const result = cli(['--answers', 'answers.json'], dest);
  expect(result.code, result.stderr).toBe(0);
  return node;
}

/** An event with the fields that legitimately differ between two runs removed. */
function comparable(event: Record<string, unknown>): unknown {
  // Ids and timestamps are new for every event; the instance is host and process.
  const varying = ['envelope_id', 'envelope_timestamp', 'event_id', 'event_timestamp', 'source_instance'];
  for (const key of varying.filter((key) => key in event)) expect(typeof event[key]).toBe('string');
  const rest = Object.fromEntries(Object.entries(event).filter(([key]) => !varying.includes(key)));
  const payload = { ...(rest.payload as Record<string, unknown>) };
  delete payload.timestamp;
  if (payload.last_error) payload.last_error = { ...(payload.last_error as object), timestamp: '(varies)' };
  if (rest.metadata && typeof rest.metadata === 'object' && 'tags' in rest.metadata) {
    const metadata = rest.metadata as { tags: Record<string, string> };
    expect(typeof metadata.tags.instance).toBe('string');
    rest.metadata = { ...metadata, tags: { ...metadata.tags, instance: '(varies)' } };
  }
  return { ...rest, payload };
}

/** The vectors run through the generated package of `language`. */
function runVectors(language: 'python' | 'typescript', envelope: Envelope): Output {
  const node = generate(language, envelope);
  if (language === 'python') {
    const py = run(venvBin('python'), [path.join(REPO, 'test/python/run_vectors.py'), VECTORS], {
      env: { ONEX_METRICS_NODE: node },
    });
    expect(py.code, py.stderr).toBe(0);
    return JSON.parse(py.stdout) as Output;
  }
  copyFileSync(path.join(REPO, 'test/typescript/run-vectors.ts'), path.join(node, 'run-vectors.ts'));
  const typecheck = run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: node });
  expect(typecheck.code, typecheck.stdout).toBe(0);
  const ts = run(bin('tsx'), ['run-vectors.ts', VECTORS], { cwd: node });
  expect(ts.code, ts.stderr).toBe(0);
  return JSON.parse(ts.stdout) as Output;
}

describe('shared test vectors', () => {
  let python: Output;
  let typescript: Output;
  let bridge: { python: Output; typescript: Output };

  beforeAll(() => {
    python = runVectors('python', 'onex');
    typescript = runVectors('typescript', 'onex');
    bridge = {
      python: runVectors('python', 'omninode-bridge'),
      typescript: runVectors('typescript', 'omninode-bridge'),
    };
  });

  it('has vectors for the cases the contract names', () => {
    const names = document.vectors.map((vector) => vector.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'empty window',
        'window keeps the last five',
        'errors and error rate',
        'rank boundaries',
      ]),
    );
  });

  it.each(document.vectors.map((vector) => [vector.name, vector] as const))(
    '%s: Python gives the expected statistics and sketch',
    (name, vector) => {
      for (const [operation, expected] of Object.entries(vector.expected)) {
        expect(python[name]![operation]!.statistics).toStrictEqual(expected.statistics);
        expect(python[name]![operation]!.last_error).toStrictEqual(expected.last_error);
        expect(python[name]![operation]!.event).toHaveProperty('payload.sketch', expected.sketch);
      }
    },
  );

  it.each(document.vectors.map((vector) => [vector.name, vector] as const))(
    '%s: TypeScript gives the expected statistics and sketch',
    (name, vector) => {
      for (const [operation, expected] of Object.entries(vector.expected)) {
        expect(typescript[name]![operation]!.statistics).toStrictEqual(expected.statistics);
        expect(typescript[name]![operation]!.last_error).toStrictEqual(expected.last_error);
        expect(typescript[name]![operation]!.event).toHaveProperty('payload.sketch', expected.sketch);
      }
    },
  );

  it.each(document.vectors.map((vector) => [vector.name] as const))(
    '%s: the two events differ only in ids, timestamps and instance',
    (name) => {
      for (const operation of Object.keys(python[name]!)) {
        expect(comparable(typescript[name]![operation]!.event)).toStrictEqual(
          comparable(python[name]![operation]!.event),
        );
        expect(python[name]![operation]!.event).toHaveProperty('envelope_version.major', 2);
      }
    },
  );

  it.each(document.vectors.map((vector) => [vector.name] as const))(
    '%s: the same holds in the omninode-bridge envelope',
    (name) => {
      for (const operation of Object.keys(bridge.python[name]!)) {
        expect(bridge.python[name]![operation]!.statistics).toStrictEqual(python[name]![operation]!.statistics);
        expect(comparable(bridge.typescript[name]![operation]!.event)).toStrictEqual(
          comparable(bridge.python[name]![operation]!.event),
        );
        expect(bridge.python[name]![operation]!.event).toHaveProperty('envelope_version', '1.0');
      }
    },
  );
});
