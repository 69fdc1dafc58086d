/**
 * Defence in depth: the templates are safe even when the schema is bypassed. Hostile
 * answers go straight into the renderer (`renderAnswers`, no validation), and for both
 * languages every generated file must
 *   - compile (Python: compile of the bytes, as py_compile; TypeScript: parse, and
 *     transpile of the config module that holds the values),
 *   - have the same syntax tree as a render with harmless values of the same escaped
 *     length — so a hostile value changed nothing but the inside of a string literal or
 *     a comment (comments have no nodes: a broken one would change the tree),
 *   - hold each value exactly: the generated config module, executed, gives back the
 *     very code points that went in.
 * Values that cannot be written safely (a number field holding a string, a percentile
 * that is no number) must make the renderer throw rather than emit anything.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderAnswers, type RenderedMetrics } from '../../src/generators/metrics/render.js';
import type { Answers } from '../../src/generators/metrics/answers/schema.js';
import { pyString } from '../../src/generators/metrics/targets/python/index.js';
import { tsString } from '../../src/generators/metrics/targets/typescript/index.js';
import { tempDir } from '../support/helpers.js';
import {
  checkPython,
  codePoints,
  typescriptConfigValues,
  typescriptErrors,
  typescriptParseErrors,
  typescriptShape,
} from './support/compile.js';
import { NASTY_STRINGS } from './support/hostile.js';

const ROOT = tempDir('onex-escaping-');

/** Every nasty string, plus a few aimed at the escaping helpers themselves. */
const HOSTILE: readonly string[] = [
  ...new Set([
    ...NASTY_STRINGS,
    '\\u2028',
    '\u0000\u0001\u0002\u001f',
    '"""\n\'\'\'\n${x}\n{{y}}\n<% z %>\n*/\n#\n\\',
    '\ud83d\ude00\ud83d',
    '\udc00\ud800',
    `${'"'.repeat(5000)}${'\\'.repeat(5000)}`,
    '\u{10ffff}\u{e0001}',
  ]),
];

const base: Answers = {
  language: 'python',
  targetDir: 'node',
  envelope: 'onex',
  serviceName: 'orders',
  serviceVersion: '1.0.0',
  operations: ['create_order', 'get_order'],
  publishIntervalOps: 100,
  publishIntervalSeconds: 60,
  minPublishIntervalSeconds: 1,
  maxDurationSamples: 1000,
  percentiles: [50, 99.9],
  enableResourceMetrics: true,
  enableBusinessMetrics: true,
  trackHandlers: false,
  kafkaTopic: 'onex.evt.orders.operation-metrics.v1',
  snapshotTopic: 'onex.evt.orders.node-metrics.v1',
  // The alert rules and dashboard are built as data (YAML, JSON): metrics.spec.ts.
  alerts: null,
  tests: 'full',
};

interface Case {
  id: string;
  hostile: Answers;
  baseline: Answers;
}

/** Harmless stand-in whose escaped literal is as long, so line breaking matches. */
function standIn(value: string, escape: (value: unknown) => string, index: number): string {
  const length = escape(value).length - 2;
  const tag = `v${index}_`;
  return (tag + 'a'.repeat(Math.max(0, length - tag.length))).slice(0, Math.max(length, 1));
}

function cases(language: Answers['language']): Case[] {
  const escape = language === 'python' ? pyString : tsString;
  const pick = (i: number) => HOSTILE[i % HOSTILE.length]!;
  return HOSTILE.map((_, i) => {
    // Each value in turn as the service name, the topics, an operation, the version and
    // the target directory, in both envelopes.
    const values = [pick(i), pick(i + 1), pick(i + 2), pick(i + 3), pick(i + 4), pick(i + 5)];
    const operations = [values[2]!, `${values[3]!}\u0000op`, 'plain_op'];
    const hostile: Answers = {
      ...base,
      language,
      envelope: i % 2 === 0 ? 'onex' : 'omninode-bridge',
      serviceName: values[0]!,
      serviceVersion: values[4]!,
      kafkaTopic: values[1]!,
      snapshotTopic: values[5]!,
      operations,
      targetDir: values[3]!,
      enableResourceMetrics: i % 2 === 0,
      enableBusinessMetrics: i % 3 !== 0,
      trackHandlers: i % 4 < 2,
    };
    const baseline: Answers = {
      ...hostile,
      serviceName: standIn(values[0]!, escape, 0),
      kafkaTopic: standIn(values[1]!, escape, 1),
      operations: operations.map((name, j) => standIn(name, escape, 2 + j)),
      serviceVersion: standIn(values[4]!, escape, 5),
      snapshotTopic: standIn(values[5]!, escape, 6),
      targetDir: 'node',
    };
    return { id: `${language}-${i}`, hostile, baseline };
  });
}

function write(dir: string, rendered: RenderedMetrics): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of rendered.files.slice(0, -1)) {
    const relative = path.posix.relative(rendered.answers.targetDir, file.path);
    const target = path.join(dir, ...relative.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    files.set(relative, target);
  }
  return files;
}

/** The record is YAML: the hostile strings must come back from it exactly. */
function expectRecordRoundTrip(rendered: RenderedMetrics, id: string): void {
  const record = parseYaml(rendered.files.at(-1)!.content) as Record<string, unknown>;
  const { serviceName, serviceVersion, kafkaTopic, snapshotTopic, operations, targetDir } = rendered.answers;
  const keys = ['serviceName', 'serviceVersion', 'kafkaTopic', 'snapshotTopic', 'operations', 'targetDir'];
  expect(codePoints(keys.map((key) => record[key])), `${id}: the record holds the answers exactly`).toEqual(
    codePoints([serviceName, serviceVersion, kafkaTopic, snapshotTopic, operations, targetDir]),
  );
}

describe('templates with hostile answers that bypass the schema', () => {
  afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

  it('Python: every file compiles, only string literals and comments change, values are exact', async () => {
    const job = { compile: [] as string[], configs: [] as string[], shapes: [] as [string, string][] };
    const expected = new Map<string, Answers>();
    for (const { id, hostile, baseline } of cases('python')) {
      const rendered = renderAnswers(hostile);
      expectRecordRoundTrip(rendered, id);
      const hostileFiles = write(path.join(ROOT, id, 'hostile'), rendered);
      const baselineFiles = write(path.join(ROOT, id, 'baseline'), renderAnswers(baseline));
      expect([...hostileFiles.keys()]).toEqual([...baselineFiles.keys()]);
      for (const [relative, file] of hostileFiles) {
        job.compile.push(file);
        job.shapes.push([baselineFiles.get(relative)!, file]);
      }
      const config = hostileFiles.get('metrics/config.py')!;
      job.configs.push(config);
      expected.set(config, hostile);
    }
    const report = await checkPython(job, path.join(ROOT, 'python-check'));
    expect(report.compile).toEqual({});
    expect(report.shapes).toEqual({});
    for (const [config, answers] of expected) {
      expect(report.configs[config], config).toMatchObject({
        SERVICE_NAME: codePoints(answers.serviceName),
        SERVICE_VERSION: codePoints(answers.serviceVersion),
        KAFKA_TOPIC: codePoints(answers.kafkaTopic),
        SNAPSHOT_TOPIC: codePoints(answers.snapshotTopic),
        OPERATIONS: codePoints(answers.operations),
      });
    }
    console.log(`template escaping: ${job.compile.length} Python files from ${expected.size} hostile renders`);
  }, 300_000);

  it('TypeScript: every file parses, only string literals and comments change, values are exact', () => {
    let files = 0;
    const shapes = new Map<string, string>();
    const shapeOf = (content: string) => {
      let shape = shapes.get(content);
      if (shape === undefined) shapes.set(content, (shape = typescriptShape(content)));
      return shape;
    };
    for (const { id, hostile, baseline } of cases('typescript')) {
      const rendered = renderAnswers(hostile);
      expectRecordRoundTrip(rendered, id);
      const reference = new Map(
        renderAnswers(baseline).files.map((file) => [path.posix.relative(baseline.targetDir, file.path), file.content]),
      );
      for (const file of rendered.files.slice(0, -1)) {
        const relative = path.posix.relative(hostile.targetDir, file.path);
        expect(typescriptParseErrors(file.content, relative), `${id} ${relative}`).toEqual([]);
        expect(typescriptShape(file.content), `${id} ${relative}: the syntax tree changed`).toBe(
          shapeOf(reference.get(relative)!),
        );
        files++;
      }
      const configSource = rendered.files.find((file) => file.path.endsWith('metrics/config.ts'))!.content;
      expect(typescriptErrors(configSource), `${id} config.ts transpiles`).toEqual([]);
      const config = typescriptConfigValues(configSource);
      const names = ['SERVICE_NAME', 'SERVICE_VERSION', 'KAFKA_TOPIC', 'SNAPSHOT_TOPIC', 'OPERATIONS'];
      expect(codePoints(names.map((name) => config[name])), id).toEqual(
        codePoints([
          hostile.serviceName,
          hostile.serviceVersion,
          hostile.kafkaTopic,
          hostile.snapshotTopic,
          hostile.operations,
        ]),
      );
    }
    console.log(`template escaping: ${files} TypeScript files from ${HOSTILE.length} hostile renders`);
  }, 300_000);

  it('comments hold a hostile targetDir on one line, whatever it contains', () => {
    for (const language of ['python', 'typescript'] as const) {
      for (const targetDir of HOSTILE) {
        const rendered = renderAnswers({ ...base, language, targetDir });
        for (const file of rendered.files.slice(0, -1)) {
          const banner = file.content.split('\n').slice(0, 3);
          const comment = language === 'python' ? /^# / : /^\/\/ /;
          expect(
            banner.filter((line) => comment.test(line)).length,
            `${language} ${JSON.stringify(targetDir)}`,
          ).toBeGreaterThanOrEqual(2);
          expect(
            /[\r\u2028\u2029\u0085]/.test(banner.join('\n')),
            `${language} ${JSON.stringify(targetDir)}: a line break in a comment`,
          ).toBe(false);
        }
      }
    }
  });

  it('refuses to render what it cannot write safely: non-numbers, bad percentiles, unknown languages', () => {
    const notNumbers: unknown[] = [
      '5',
      '1; import os',
      '1\nx = 2',
      NaN,
      Infinity,
      -Infinity,
      null,
      undefined,
      {},
      [],
      '0x10',
      Number('1e400'),
    ];
    for (const language of ['python', 'typescript'] as const) {
      for (const value of notNumbers) {
        for (const field of ['publishIntervalOps', 'maxDurationSamples', 'publishIntervalSeconds'] as const) {
          let rendered: RenderedMetrics | undefined;
          try {
            rendered = renderAnswers({ ...base, language, [field]: value } as unknown as Answers);
          } catch (error) {
            expect(error, `${language} ${field}=${String(value)}`).toBeInstanceOf(TypeError);
            continue;
          }
          // Rendered only where the template computes a number first (seconds × 1000 in
          // TypeScript): then the constant is a finite number literal, nothing else.
          const config = rendered.files.find((file) => /metrics\/config\.(py|ts)$/.test(file.path))!.content;
          expect(language, `${field}=${String(value)} rendered`).toBe('typescript');
          expect(typescriptErrors(config)).toEqual([]);
          const values = typescriptConfigValues(config);
          for (const name of ['PUBLISH_INTERVAL_OPS', 'PUBLISH_INTERVAL_MS', 'MAX_DURATION_SAMPLES']) {
            expect(Number.isFinite(values[name]), `${name} from ${field}=${String(value)}`).toBe(true);
          }
        }
      }
      for (const percentile of [
        '50',
        '50\n',
        '1 or 1',
        NaN,
        Infinity,
        0,
        -5,
        100.5,
        1e21,
        50.00001,
        1e-7,
        null,
        [50],
      ]) {
        expect(
          () => renderAnswers({ ...base, language, percentiles: [percentile] } as unknown as Answers),
          `${language} percentile ${String(percentile)}`,
        ).toThrow(TypeError);
      }
    }
    for (const language of ['rust', 'python\n', '__proto__', 'toString', '']) {
      expect(() => renderAnswers({ ...base, language } as unknown as Answers), language).toThrow(
        /no templates for language/,
      );
    }
  });
});
