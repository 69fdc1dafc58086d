/**
 * Non-interactive runs of the `onex-metrics` bin from answers files: formats,
 * exit codes, and invalid inputs that must exit 2, name the field and write nothing.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cli, CONTRACTS, listFiles, snapshotTree, tempDir, writeAnswers } from './support/helpers.js';

const valid = { targetDir: 'node', serviceName: 'orders', operations: ['create_order', 'cancel_order'] };

describe('answers files', () => {
  it.each(['answers.json', 'answers.yaml', 'answers.yml'])('generates from %s', (name) => {
    const dest = tempDir();
    const file = writeAnswers(path.join(dest, name), { ...valid, percentiles: [50, 99.9] });
    const result = cli(['--answers', name], dest);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^create +node\/metrics\/config\.py$/m);
    expect(result.stdout).toContain('Done.');
    expect(listFiles(path.join(dest, 'node'))).toContain('metrics/window.py');
    const record = parseYaml(readFileSync(path.join(dest, 'node/.onex-metrics.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(record.percentiles).toEqual([50, 99.9]);
    expect(file).toContain(name);
  });

  it('takes what the answers leave out from the contract.yaml in targetDir', () => {
    const dest = tempDir();
    cpSync(path.join(CONTRACTS, 'distributed_lock_effect'), path.join(dest, 'lock'), { recursive: true });
    writeAnswers(path.join(dest, 'a.yaml'), { targetDir: 'lock' });
    expect(cli(['--answers', 'a.yaml'], dest).code).toBe(0);
    const config = readFileSync(path.join(dest, 'lock/metrics/config.py'), 'utf8');
    expect(config).toContain('"database_write",\n    "database_read",\n');
    expect(config).toContain('SERVICE_NAME: Final = "distributed_lock_effect"');
    expect(config).toContain('SERVICE_VERSION: Final[str | None] = "1.0.0"');
    expect(config).toContain('KAFKA_TOPIC: Final = "onex.evt.distributed-lock-effect.operation-metrics.v1"');
    // The older generation named services with their version.
    writeAnswers(path.join(dest, 'b.yaml'), { targetDir: 'lock', envelope: 'omninode-bridge' });
    expect(cli(['--answers', 'b.yaml'], dest).code).toBe(0);
    const bridge = readFileSync(path.join(dest, 'lock/metrics/config.py'), 'utf8');
    expect(bridge).toContain('SERVICE_NAME: Final = "distributed_lock_effect_v1_0_0"');
    expect(bridge).toContain('KAFKA_TOPIC: Final = "distributed_lock_effect_v1_0_0.metrics.v1"');
  });

  it('writes under --dest, relative to the working directory', () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'repo'));
    writeAnswers(path.join(cwd, 'a.json'), valid);
    expect(cli(['--answers', 'a.json', '--dest', 'repo'], cwd).code).toBe(0);
    expect(listFiles(path.join(cwd, 'repo'))).toContain('node/metrics/mixin.py');
  });

  it('prints usage for --help (exit 0) and refuses unknown flags (exit 2)', () => {
    const cwd = tempDir();
    const help = cli(['--help'], cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--answers FILE');
    const unknown = cli(['--answer', 'x.json'], cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--answer'");
    const missing = cli([], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('without a terminal, give --answers FILE, or --yes for the defaults');
  });
});

describe('invalid answers: exit 2, the field named, the destination untouched', () => {
  let dest: string;
  let before: Record<string, string>;
  const ops = ['create_order'];

  beforeAll(() => {
    dest = tempDir();
    cpSync(path.join(CONTRACTS, 'store_effect'), path.join(dest, 'store'), { recursive: true });
    mkdirSync(path.join(dest, 'empty'));
    writeFileSync(path.join(dest, 'empty', 'README.md'), 'an existing file\n');
    writeAnswers(path.join(dest, 'seed.yaml'), { targetDir: 'node', serviceName: 'orders', operations: ops });
    expect(cli(['--answers', 'seed.yaml'], dest).code).toBe(0);
    mkdirSync(path.join(dest, 'broken'));
    writeFileSync(path.join(dest, 'broken', 'contract.yaml'), 'name: [oops\n');
    symlinkSync('/tmp', path.join(dest, 'outside'));
    before = snapshotTree(dest);
  });

  // [what, answers (or raw file text), the field the error must name, file name]
  const cases: [string, unknown, string, string?][] = [
    ['missing serviceName', { targetDir: 'empty', operations: ops }, 'serviceName'],
    ['missing operations', { targetDir: 'empty', serviceName: 'x' }, 'operations'],
    ['serviceName starting with a digit', { serviceName: '1x', operations: ops }, 'serviceName'],
    ['serviceName with a space', { serviceName: 'my service', operations: ops }, 'serviceName'],
    ['serviceName of 101 characters', { serviceName: `a${'b'.repeat(100)}`, operations: ops }, 'serviceName'],
    ['serviceName as a number', { serviceName: 42, operations: ops }, 'serviceName'],
    ['empty operation list', { serviceName: 'x', operations: [] }, 'operations'],
    ['CamelCase operation', { serviceName: 'x', operations: ['ok_op', 'BadOp'] }, 'operations[1]'],
    ['operation with a dash', { serviceName: 'x', operations: 'a,b-c' }, 'operations[1]'],
    ['operation starting with a digit', { serviceName: 'x', operations: ['1st'] }, 'operations[0]'],
    ['duplicate operation', { serviceName: 'x', operations: ['a', 'b', 'a'] }, 'operations[2]'],
    ['empty item in an operation string', { serviceName: 'x', operations: 'a,,b' }, 'operations[1]'],
    ['101 operations', { serviceName: 'x', operations: Array.from({ length: 101 }, (_, i) => `op${i}`) }, 'operations'],
    ['operation of 65 characters', { serviceName: 'x', operations: [`o${'p'.repeat(64)}`] }, 'operations[0]'],
    ['publishIntervalOps 0', { serviceName: 'x', operations: ops, publishIntervalOps: 0 }, 'publishIntervalOps'],
    [
      'publishIntervalOps fractional',
      { serviceName: 'x', operations: ops, publishIntervalOps: 2.5 },
      'publishIntervalOps',
    ],
    [
      'publishIntervalOps not a number',
      { serviceName: 'x', operations: ops, publishIntervalOps: 'often' },
      'publishIntervalOps',
    ],
    [
      'publishIntervalSeconds negative',
      { serviceName: 'x', operations: ops, publishIntervalSeconds: -1 },
      'publishIntervalSeconds',
    ],
    [
      'publishIntervalSeconds over a day',
      { serviceName: 'x', operations: ops, publishIntervalSeconds: 86_401 },
      'publishIntervalSeconds',
    ],
    ['maxDurationSamples 0', { serviceName: 'x', operations: ops, maxDurationSamples: 0 }, 'maxDurationSamples'],
    [
      'maxDurationSamples over a million',
      { serviceName: 'x', operations: ops, maxDurationSamples: 1_000_001 },
      'maxDurationSamples',
    ],
    ['percentile 0', { serviceName: 'x', operations: ops, percentiles: [0, 50] }, 'percentiles[0]'],
    ['percentile 101', { serviceName: 'x', operations: ops, percentiles: [50, 101] }, 'percentiles[1]'],
    ['percentile with 4 decimals', { serviceName: 'x', operations: ops, percentiles: [99.9999] }, 'percentiles[0]'],
    ['duplicate percentile', { serviceName: 'x', operations: ops, percentiles: '50, 95, 50' }, 'percentiles[2]'],
    [
      '11 percentiles',
      { serviceName: 'x', operations: ops, percentiles: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] },
      'percentiles',
    ],
    ['empty percentiles', { serviceName: 'x', operations: ops, percentiles: [] }, 'percentiles'],
    [
      'enableResourceMetrics maybe',
      { serviceName: 'x', operations: ops, enableResourceMetrics: 'maybe' },
      'enableResourceMetrics',
    ],
    [
      'enableBusinessMetrics 1',
      { serviceName: 'x', operations: ops, enableBusinessMetrics: 1 },
      'enableBusinessMetrics',
    ],
    ['kafkaTopic with a slash', { serviceName: 'x', operations: ops, kafkaTopic: 'a/b' }, 'kafkaTopic'],
    ['kafkaTopic ".."', { serviceName: 'x', operations: ops, kafkaTopic: '..' }, 'kafkaTopic'],
    [
      'kafkaTopic not in the ONEX format',
      { serviceName: 'x', operations: ops, kafkaTopic: 'x.metrics.v1' },
      'kafkaTopic',
    ],
    [
      'snapshotTopic not in the ONEX format',
      { serviceName: 'x', operations: ops, snapshotTopic: 'onex.evt.x.snap.v0' },
      'snapshotTopic',
    ],
    [
      'kafkaTopic too long for its .comprehensive twin',
      { envelope: 'omninode-bridge', serviceName: 'x', operations: ops, kafkaTopic: 't'.repeat(240) },
      'snapshotTopic',
    ],
    ['unknown envelope', { serviceName: 'x', operations: ops, envelope: 'OnexEnvelopeV1' }, 'envelope'],
    ['targetDir escaping with ..', { targetDir: '../elsewhere', serviceName: 'x', operations: ops }, 'targetDir'],
    ['absolute targetDir', { targetDir: '/tmp/x', serviceName: 'x', operations: ops }, 'targetDir'],
    ['targetDir with a newline', { targetDir: 'a\nb', serviceName: 'x', operations: ops }, 'targetDir'],
    ['unknown language', { language: 'rust', serviceName: 'x', operations: ops }, 'language'],
    ['misspelt key', { serviceName: 'x', operation: ops }, 'operation'],
    ['unknown key', { serviceName: 'x', operations: ops, colour: 'red' }, 'colour'],
    [
      'targetDir whose contract.yaml is not YAML',
      { targetDir: 'broken', serviceName: 'x', operations: ops },
      'targetDir',
    ],
    [
      'invalid default from contract (store_effect gives persist_state; override bad)',
      { targetDir: 'store', operations: 'Persist' },
      'operations[0]',
    ],
    ['answers file with a YAML syntax error', 'serviceName: [x\n', '--answers', 'bad.yaml'],
    ['answers file with a JSON syntax error', '{"serviceName": "x",}', '--answers', 'bad.json'],
    ['answers file holding a list', '- serviceName: x\n', '--answers', 'list.yaml'],
    ['answers file of an unknown format', 'serviceName = "x"', '--answers', 'answers.toml'],
    ['answers file that does not exist', undefined, '--answers', 'nowhere.json'],
  ];

  it('has at least 25 distinct invalid inputs', () => {
    expect(new Set(cases.map(([what]) => what)).size).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('%s', (_what, answers, field, name = 'answers.json') => {
    const file = path.join(tempDir('answers-'), name);
    if (typeof answers === 'string') writeFileSync(file, answers);
    else if (answers !== undefined) writeAnswers(file, answers);
    const result = cli(['--answers', file], dest);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^  ${field.replace(/[[\]]/g, '\\$&')}: `, 'm'));
    expect(snapshotTree(dest)).toEqual(before);
  });

  it('refuses a targetDir that escapes --dest through a symlink (exit 1, nothing written)', () => {
    const file = writeAnswers(path.join(tempDir('answers-'), 'a.json'), {
      targetDir: 'outside/x',
      serviceName: 'x',
      operations: ops,
    });
    const result = cli(['--answers', file], dest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is a symlink to /tmp, outside the destination');
    expect(snapshotTree(dest)).toEqual(before);
  });
});
