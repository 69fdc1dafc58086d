/**
 * Hostile answers, property-based: a fixed corpus of nasty values in every field plus
 * thousands of fast-check cases, each run through the CLI in-process from an answers
 * file. Every case must end in exactly one of
 *   - exit 2, naming every invalid field (and no other), the destination untouched;
 *   - exit 0, a complete tree whose record matches it and regenerates it unchanged.
 * All exit-0 output is then compiled (Python compile as py_compile does, TypeScript transpile), the generated
 * constants are executed and compared with the answers, and a sample of cases goes
 * through mypy --strict + pytest and tsc --strict + vitest.
 *
 * ONEX_HOSTILE_CASES (default 2000) sets the number of generated cases,
 * ONEX_HOSTILE_SEED replays a run (the seed is printed).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { renderMetrics } from '../../src/generators/metrics/render.js';
import { sha256 } from '../../src/core/hash.js';
import { InvalidAnswersError } from '../../src/core/answers-error.js';
import { percentileKey, percentileThousandths } from '../../src/generators/metrics/answers/schema.js';
import { readAnswersFile } from '../../src/core/answers-file.js';
import { runCli } from '../../src/cli.js';
import { listFiles, runAsync, snapshotTree, tempDir, venvBin } from '../support/helpers.js';
import { bin, makeTypescriptProject } from '../support/typescript.js';
import { checkPython, codePoints, typescriptConfigValues, typescriptErrors } from './support/compile.js';
import {
  ANSWER_FIELDS,
  hostileAnswers,
  KEYWORD_OPERATIONS,
  namedFields,
  NASTY_STRINGS,
  type Normalized,
  oracle,
  type RawAnswers,
  validAnswers,
  WRONG_TYPES,
} from './support/hostile.js';

const GENERATED_CASES = Number(process.env.ONEX_HOSTILE_CASES ?? 2000);
const SEED = Number(process.env.ONEX_HOSTILE_SEED ?? Date.now() % 2 ** 31);
const ROOT = tempDir('onex-hostile-');

const base = { serviceName: 'orders', operations: ['create_order', 'get_order'] };

/** How the CLI must show a field name: plain names as they are, anything else as an escaped JSON string. */
const display = (field: string) =>
  /^[A-Za-z0-9_$-]+$/.test(field)
    ? field
    : JSON.stringify(field).replace(
        /[\u007f-\u009f\u2028\u2029]/g,
        (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );

interface ValidCase {
  id: number;
  raw: RawAnswers;
  answers: Normalized;
  /** How nasty it is: keyword operations, many operations, many percentiles. */
  score: number;
}

const stats = { tried: 0, corpus: 0, generated: 0, exit0: 0, exit2: 0 };
const python = new Map<string, { content: string; origin: number }>();
const typescript = new Map<string, { content: string; origin: number }>();
/** config file hash → the answers it must hold. */
const configs = new Map<string, { language: Normalized['language']; answers: Normalized; origin: number }>();
const validCases: ValidCase[] = [];

function describeCase(id: number, label: string, text: string, stderr = ''): string {
  const shown = text.length > 600 ? `${text.slice(0, 600)}… (${text.length} characters)` : text;
  return `case ${id} (${label}, seed ${SEED}):\n${shown}\n--- stderr:\n${stderr.slice(0, 2000)}`;
}

/** Writes the answers file as the CLI will read it and parses it back as the CLI will. */
function answersFile(dir: string, answers: RawAnswers | { text: string; ext: string }, yaml: boolean) {
  let file: string;
  let text: string;
  if (
    'text' in answers &&
    typeof answers.text === 'string' &&
    typeof answers.ext === 'string' &&
    Object.keys(answers).length === 2
  ) {
    file = path.join(dir, `answers${answers.ext}`);
    text = answers.text;
  } else {
    file = path.join(dir, yaml ? 'answers.yaml' : 'answers.json');
    text = yaml ? toYaml(answers, { lineWidth: 0 }) : JSON.stringify(answers, null, 1);
  }
  writeFileSync(file, text);
  // The answers as the CLI reads them (the reader decides what a file holds; the oracle
  // decides what the answers mean).
  let parsed: unknown;
  let parses = true;
  try {
    parsed = readAnswersFile(file);
  } catch (error) {
    if (!(error instanceof InvalidAnswersError)) throw error;
    parses = false;
  }
  return {
    file,
    text,
    verdict: parses ? oracle(parsed) : ({ valid: false, fields: new Set(['--answers']) } as const),
    parsed,
  };
}

/** One case through the CLI, with every check of the contract. */
function runCase(label: string, answers: RawAnswers | { text: string; ext: string }, yaml: boolean): void {
  const id = stats.tried++;
  const dir = path.join(ROOT, `case-${id}`);
  const dest = path.join(dir, 'dest');
  mkdirSync(dest, { recursive: true });
  const { file, text, verdict, parsed } = answersFile(dir, answers, yaml);
  const out: string[] = [];
  const err: string[] = [];
  let code: number;
  try {
    code = runCli(['--answers', file, '--dest', dest], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      cwd: dir,
    });
  } catch (error) {
    throw new Error(`runCli threw: ${(error as Error).stack}\n${describeCase(id, label, text)}`, { cause: error });
  }
  const stderr = err.join('\n');
  const context = describeCase(id, label, text, stderr);
  // Nothing from the answers reaches the terminal as a control character.
  expect(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(stderr + out.join('\n')),
    `${context}\ncontrol characters in the output`,
  ).toBe(false);

  if (!verdict.valid) {
    expect(code, `${context}\nexpected exit 2 for invalid ${[...verdict.fields].join(', ')}`).toBe(2);
    expect(out, context).toEqual([]);
    const named = namedFields(stderr);
    for (const field of verdict.fields)
      expect(named.has(display(field)), `${context}\nmust name ${display(field)}`).toBe(true);
    const expected = new Set([...verdict.fields].map(display));
    for (const field of named) expect(expected.has(field), `${context}\nnamed ${field}, which is valid`).toBe(true);
    expect(readdirSync(dest), `${context}\nthe destination must stay untouched`).toEqual([]);
    stats.exit2++;
  } else {
    expect(code, `${context}\nexpected exit 0: the answers are valid`).toBe(0);
    expect(stderr, context).toBe('');
    checkTree(id, dest, parsed as RawAnswers, verdict.answers, context);
    stats.exit0++;
  }
  rmSync(dir, { recursive: true, force: true });
}

function checkTree(id: number, dest: string, raw: RawAnswers, answers: Normalized, context: string): void {
  const rendered = renderMetrics(raw);
  expect(rendered.answers, context).toEqual(answers);
  const written = listFiles(dest);
  expect(written, context).toEqual(rendered.files.map((file) => file.path.split('/').join(path.sep)).sort());
  const recordPath = rendered.files.at(-1)!.path;
  const record = parseYaml(readFileSync(path.join(dest, recordPath), 'utf8')) as { _files: Record<string, string> };
  for (const file of rendered.files) {
    const content = readFileSync(path.join(dest, file.path), 'utf8');
    expect(content, `${context}\n${file.path} differs from renderMetrics`).toBe(file.content);
    if (file.path !== recordPath) {
      const relative = path.posix.relative(answers.targetDir, file.path);
      expect(record._files[relative], `${context}\nrecorded hash of ${relative}`).toBe(sha256(content));
      const bucket = file.path.endsWith('.py') ? python : typescript;
      const hash = sha256(file.content);
      if (!bucket.has(hash)) bucket.set(hash, { content: file.content, origin: id });
      if (/metrics\/config\.(py|ts)$/.test(file.path))
        configs.set(hash, { language: answers.language, answers, origin: id });
    }
  }
  // The percentile keys are the canonical ones (p50, p99_9, p0_001).
  const window = rendered.files.find((file) => /metrics\/window\.(py|ts)$/.test(file.path))!.content;
  for (const p of answers.percentiles) {
    const key = `p${String(p).replace('.', '_')}`;
    expect(window, `${context}\npercentile key ${key}`).toMatch(
      new RegExp(`\\b${key}\\b.*\\b${Math.round(p * 1000)}\\)`),
    );
    expect(percentileKey(p)).toBe(key);
    expect(percentileThousandths(p)).toBe(Math.round(p * 1000));
  }

  // The record is an answers file that regenerates the same tree: everything unchanged.
  const before = snapshotTree(dest);
  const out: string[] = [];
  const err: string[] = [];
  const again = runCli(['--answers', path.join(dest, recordPath), '--dest', dest], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    cwd: dest,
  });
  expect(again, `${context}\nrerun from the record: ${err.join('\n')}`).toBe(0);
  const text = out.join('\n');
  const plan = text.slice(0, text.indexOf('\nDone.')).split('\n');
  expect(plan.length, `${context}\n${text}`).toBe(rendered.files.length);
  expect(
    plan.every((line) => line.startsWith('unchanged')),
    `${context}\n${text}`,
  ).toBe(true);
  expect(snapshotTree(dest), context).toEqual(before);
  // And --check agrees.
  const check = runCli(['--check', '--answers', path.join(dest, recordPath), '--dest', dest], {
    out: () => {},
    err: (line) => err.push(line),
    cwd: dest,
  });
  expect(check, `${context}\n--check: ${err.join('\n')}`).toBe(0);

  const nasty =
    answers.operations.filter((name) => KEYWORD_OPERATIONS.includes(name)).length * 3 +
    answers.operations.length +
    answers.percentiles.length +
    (/[^\x20-\x7e]/.test(answers.targetDir) ? 10 : 0);
  validCases.push({ id, raw, answers, score: nasty });
}

/** Yields to the event loop now and then: vitest's worker must stay responsive. */
const breathe = () => new Promise((resolve) => setImmediate(resolve));

describe('hostile answers through the CLI', () => {
  afterAll(() => {
    rmSync(ROOT, { recursive: true, force: true });
  });

  it('corpus: every nasty value in every field, keyword operations, hostile files', async () => {
    let n = 0;
    const failures: string[] = [];
    const each = async (label: string, answers: RawAnswers | { text: string; ext: string }) => {
      try {
        runCase(label, answers, n++ % 2 === 1);
      } catch (error) {
        failures.push((error as Error).message.split('\n- Expected')[0]!);
      }
      stats.corpus++;
      if (n % 50 === 0) await breathe();
    };
    for (const field of ANSWER_FIELDS) {
      for (const value of [...NASTY_STRINGS, ...WRONG_TYPES])
        await each(`${field} = nasty`, { ...base, [field]: value });
    }
    for (const value of NASTY_STRINGS)
      await each('operations with a nasty item', { ...base, operations: ['ok', value] });
    for (const value of NASTY_STRINGS)
      await each('percentiles with a nasty item', { ...base, percentiles: [50, value] });
    for (const language of ['python', 'typescript']) {
      await each('every keyword as an operation', { ...base, language, operations: KEYWORD_OPERATIONS.slice(0, 100) });
      for (const keyword of KEYWORD_OPERATIONS)
        await each('a keyword operation', { ...base, language, operations: [keyword] });
    }
    for (const key of [
      '__proto__',
      'constructor',
      'toString',
      '',
      ' ',
      'serviceName ',
      'a\nb',
      '\u001b[2Jx',
      'x'.repeat(10_000),
    ]) {
      const answers: RawAnswers = { ...base };
      Object.defineProperty(answers, key, { value: 1, enumerable: true, writable: true, configurable: true });
      await each('a hostile key', answers);
    }
    const files: [string, string, string][] = [
      [
        'billion laughs',
        '.yaml',
        `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`).join('\n')}\nserviceName: x\noperations: [a]\n`,
      ],
      ['aliases', '.yaml', 'serviceName: &n orders\noperations: [create_order]\nkafkaTopic: *n\n'],
      ['binary tag', '.yaml', 'serviceName: !!binary aGVsbG8=\noperations: [a]\n'],
      ['unknown tag', '.yaml', 'serviceName: !python/object:os.system id\noperations: [a]\n'],
      ['merge key', '.yaml', '<<: {serviceName: x}\noperations: [a]\n'],
      ['duplicate keys', '.yaml', 'serviceName: x\nserviceName: y\noperations: [a]\n'],
      ['two documents', '.yaml', 'serviceName: x\noperations: [a]\n---\nserviceName: y\n'],
      ['prototype key', '.yaml', '__proto__: {serviceName: x}\noperations: [a]\n'],
      ['complex key', '.yaml', '? [serviceName]\n: x\noperations: [a]\n'],
      ['tabs', '.yaml', 'serviceName:\tx\noperations:\t[a]\n'],
      ['number as name', '.yaml', 'serviceName: 1e3\noperations: [a]\n'],
      ['yaml 1.1 booleans', '.yaml', 'serviceName: x\noperations: [a]\nenableResourceMetrics: on\n'],
      ['infinity', '.yaml', 'serviceName: x\noperations: [a]\npublishIntervalSeconds: .inf\n'],
      ['not a number', '.yaml', 'serviceName: x\noperations: [a]\npercentiles: [.nan]\n'],
      ['hex', '.yaml', 'serviceName: x\noperations: [a]\npublishIntervalOps: 0x10\n'],
      ['empty file', '.yaml', ''],
      ['only a comment', '.yml', '# nothing\n'],
      ['a scalar', '.yaml', 'orders\n'],
      ['a list', '.json', '[{"serviceName": "x"}]'],
      ['NUL bytes', '.json', '{"serviceName": "x\u0000", "operations": ["a"]}'],
      ['escaped NUL', '.json', '{"serviceName": "x\\u0000", "operations": ["a"]}'],
      ['trailing garbage', '.json', '{"serviceName": "x", "operations": ["a"]} x'],
      ['terminal escapes in a syntax error', '.json', '{"serviceName": "\u001b[2J\u001b[31mx", operations}'],
      ['byte order mark', '.json', '\uFEFF{"serviceName": "x", "operations": ["a"]}'],
      ['byte order mark', '.yaml', '\uFEFFserviceName: x\noperations: [a]\n'],
      ['10 000-character value', '.yaml', `serviceName: ${'x'.repeat(10_000)}\noperations: [a]\n`],
      ['10 000-character targetDir', '.json', JSON.stringify({ ...base, targetDir: 'd'.repeat(10_000) })],
      ['deep nesting', '.json', `{"serviceName": "x", "operations": ${'['.repeat(5000)}${']'.repeat(5000)}}`],
    ];
    for (const [label, ext, text] of files) await each(label, { text, ext });
    console.log(`hostile corpus: ${stats.corpus} cases`);
    expect(failures.slice(0, 20).join('\n\n'), `${failures.length} corpus cases failed`).toBe('');
    expect(stats.corpus).toBeGreaterThan(1500);
  }, 300_000);

  it(`property: ${GENERATED_CASES} generated answers (half valid, half hostile) end in exit 0 or exit 2`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(validAnswers, hostileAnswers), fc.boolean(), async (answers, yaml) => {
        runCase('generated', answers, yaml);
        stats.generated++;
        if (++n % 25 === 0) await breathe();
      }),
      { numRuns: GENERATED_CASES, seed: SEED, endOnFailure: false },
    );
  }, 300_000);

  it('every exit-0 output compiles, and the generated constants are exactly the answers', async () => {
    const scratch = path.join(ROOT, 'compile');
    mkdirSync(scratch, { recursive: true });
    const pyPaths = new Map<string, string>();
    for (const [hash, { content }] of python) {
      const file = path.join(scratch, `${hash}.py`);
      writeFileSync(file, content);
      pyPaths.set(file, hash);
    }
    const pyConfigs = [...configs]
      .filter(([, config]) => config.language === 'python')
      .map(([hash]) => path.join(scratch, `${hash}.py`));
    const report = await checkPython({ compile: [...pyPaths.keys()], configs: pyConfigs }, scratch);
    const pyFailures = Object.entries(report.compile).map(
      ([file, error]) => `case ${python.get(pyPaths.get(file)!)!.origin}: ${error}`,
    );
    expect(pyFailures).toEqual([]);
    for (const file of pyConfigs) {
      const { answers, origin } = configs.get(path.basename(file, '.py'))!;
      expect(report.configs[file], `config.py of case ${origin}`).toEqual({
        SERVICE_NAME: codePoints(answers.serviceName),
        SERVICE_VERSION: codePoints(answers.serviceVersion),
        KAFKA_TOPIC: codePoints(answers.kafkaTopic),
        SNAPSHOT_TOPIC: codePoints(answers.snapshotTopic),
        OPERATIONS: codePoints(answers.operations),
        PUBLISH_INTERVAL_OPS: answers.publishIntervalOps,
        PUBLISH_INTERVAL_SECONDS: answers.publishIntervalSeconds,
        MAX_DURATION_SAMPLES: answers.maxDurationSamples,
        GENERATOR: expect.any(Array),
      });
    }

    const tsFailures: string[] = [];
    let i = 0;
    for (const [hash, { content, origin }] of typescript) {
      const errors = typescriptErrors(content);
      if (errors.length > 0) tsFailures.push(`case ${origin}: ${errors.join('; ')}`);
      const config = configs.get(hash);
      if (config) {
        const values = typescriptConfigValues(content);
        expect(
          {
            SERVICE_NAME: values.SERVICE_NAME,
            SERVICE_VERSION: values.SERVICE_VERSION,
            KAFKA_TOPIC: values.KAFKA_TOPIC,
            SNAPSHOT_TOPIC: values.SNAPSHOT_TOPIC,
            OPERATIONS: values.OPERATIONS,
            PUBLISH_INTERVAL_OPS: values.PUBLISH_INTERVAL_OPS,
            PUBLISH_INTERVAL_MS: values.PUBLISH_INTERVAL_MS,
            MAX_DURATION_SAMPLES: values.MAX_DURATION_SAMPLES,
          },
          `config.ts of case ${origin}`,
        ).toEqual({
          SERVICE_NAME: config.answers.serviceName,
          SERVICE_VERSION: config.answers.serviceVersion,
          KAFKA_TOPIC: config.answers.kafkaTopic,
          SNAPSHOT_TOPIC: config.answers.snapshotTopic,
          OPERATIONS: config.answers.operations,
          PUBLISH_INTERVAL_OPS: config.answers.publishIntervalOps,
          PUBLISH_INTERVAL_MS: config.answers.publishIntervalSeconds * 1000,
          MAX_DURATION_SAMPLES: config.answers.maxDurationSamples,
        });
      }
      if (++i % 100 === 0) await breathe();
    }
    expect(tsFailures).toEqual([]);
    console.log(
      `hostile cases tried: ${stats.tried} (corpus ${stats.corpus}, generated ${stats.generated}, seed ${SEED}); ` +
        `exit 0: ${stats.exit0}, exit 2: ${stats.exit2}; compiled ${python.size} distinct Python and ${typescript.size} distinct TypeScript files`,
    );
  }, 300_000);

  it('a sample of valid cases passes mypy --strict and tsc --strict; the nastiest passes its own tests', async () => {
    const pick = (language: Normalized['language']) => {
      const cases = validCases.filter((c) => c.answers.language === language);
      const nastiest = [...cases].sort((a, b) => b.score - a.score).slice(0, 2);
      const rest = cases.filter((c) => !nastiest.includes(c));
      const random = rest.filter((_, i) => i % Math.max(1, Math.floor(rest.length / 3)) === 0);
      return [...nastiest, ...random].slice(0, 5);
    };
    const generate = (raw: RawAnswers, dest: string, targetDir: string) => {
      mkdirSync(dest, { recursive: true });
      const file = path.join(dest, '..', `${path.basename(dest)}.answers.json`);
      writeFileSync(file, JSON.stringify(raw));
      const err: string[] = [];
      expect(
        runCli(['--answers', file, '--dest', dest], { out: () => {}, err: (line) => err.push(line), cwd: ROOT }),
        err.join('\n'),
      ).toBe(0);
      return path.join(dest, targetDir);
    };
    // The generated suites loop 2 × publishIntervalOps times and over windows of
    // 2 × maxDurationSamples: with the large values the schema allows they run for minutes,
    // so the nastiest names run them with small intervals.
    const quick = (c: ValidCase): RawAnswers => ({
      ...c.raw,
      publishIntervalOps: 3,
      maxDurationSamples: 50,
      publishIntervalSeconds: 60,
    });

    const pySample = pick('python');
    expect(pySample.length).toBeGreaterThanOrEqual(3);
    const pyNodes = pySample.map((c) =>
      generate(c.raw, path.join(ROOT, 'sample-python', `case-${c.id}`), c.answers.targetDir),
    );
    const mypy = await Promise.all(
      pyNodes.map((node) =>
        runAsync(venvBin('mypy'), ['--strict', '--no-incremental', '--cache-dir', '/dev/null', 'metrics'], {
          cwd: node,
          timeout: 180_000,
        }),
      ),
    );
    mypy.forEach((result, i) =>
      expect(result.code, `mypy --strict, case ${pySample[i]!.id}\n${result.stdout}${result.stderr}`).toBe(0),
    );
    const pyNastiest = generate(quick(pySample[0]!), path.join(ROOT, 'suite-python'), pySample[0]!.answers.targetDir);
    const pytest = await runAsync(venvBin('python'), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'metrics'], {
      cwd: pyNastiest,
      timeout: 180_000,
    });
    expect(pytest.code, `pytest, case ${pySample[0]!.id}\n${pytest.stdout}${pytest.stderr}`).toBe(0);

    const tsSample = pick('typescript');
    expect(tsSample.length).toBeGreaterThanOrEqual(3);
    const project = makeTypescriptProject(path.join(ROOT, 'sample-typescript'));
    for (const c of tsSample) generate(c.raw, path.join(project, `case-${c.id}`), c.answers.targetDir);
    const tsc = await runAsync(bin('tsc'), ['-p', 'tsconfig.json', '--strict', '--noEmit'], {
      cwd: project,
      timeout: 240_000,
    });
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    const suite = makeTypescriptProject(path.join(ROOT, 'suite-typescript'));
    generate(quick(tsSample[0]!), path.join(suite, 'case'), tsSample[0]!.answers.targetDir);
    const vitest = await runAsync(bin('vitest'), ['run', '--root', suite], { cwd: suite, timeout: 240_000 });
    expect(vitest.code, `vitest, case ${tsSample[0]!.id}\n${vitest.stdout}${vitest.stderr}`).toBe(0);
    console.log(
      `hostile sample: mypy --strict on ${pyNodes.length} Python trees, tsc --strict on ${tsSample.length} TypeScript trees; ` +
        `generated pytest and vitest suites pass for cases ${pySample[0]!.id} and ${tsSample[0]!.id}`,
    );
  }, 300_000);

  it('tried at least 2 000 hostile cases', () => {
    console.log(`hostile cases tried: ${stats.tried}`);
    expect(stats.tried).toBeGreaterThanOrEqual(2000);
    expect(stats.exit0).toBeGreaterThan(500);
    expect(stats.exit2).toBeGreaterThan(500);
  });
});
