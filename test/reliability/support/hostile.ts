/**
 * Hostile answers: a fixed corpus of nasty values, fast-check arbitraries derived from
 * the zod schema, and an independent oracle written from the answers contract (the
 * README's table) that says, for answers as the CLI parses them, which fields are
 * invalid (empty: the run must succeed).
 */
import fc from 'fast-check';
import type { z } from 'zod';
import {
  maxDurationSamplesField,
  operationNameField,
  publishIntervalOpsField,
  serviceNameField,
  topicField,
} from '../../../src/generators/metrics/answers/fields.js';

// ---------------------------------------------------------------- derived from the schema

interface ZodInternals {
  _zod: { def: { checks?: { _zod: { def: Record<string, unknown> } }[]; out?: ZodInternals } };
}

/** The regex a zod string field checks (so the arbitraries follow the schema, not a copy). */
export function patternOf(field: z.ZodType): RegExp {
  const checks = (field as unknown as ZodInternals)._zod.def.checks ?? [];
  for (const check of checks) {
    const pattern = check._zod.def.pattern;
    if (pattern instanceof RegExp) return pattern;
  }
  throw new Error('no regex check on this field');
}

/** The inclusive bounds of a (preprocessed) zod number field. */
export function boundsOf(field: z.ZodType): { min: number; max: number } {
  const inner = (field as unknown as ZodInternals)._zod.def.out ?? (field as unknown as ZodInternals);
  let min = -Infinity;
  let max = Infinity;
  for (const check of inner._zod.def.checks ?? []) {
    const def = check._zod.def;
    if (def.check === 'greater_than') min = def.value as number;
    if (def.check === 'less_than') max = def.value as number;
  }
  return { min, max };
}

export const SERVICE_NAME_RE = patternOf(serviceNameField);
export const OPERATION_RE = patternOf(operationNameField);
export const TOPIC_RE = patternOf(topicField);
export const OPS_BOUNDS = boundsOf(publishIntervalOpsField);
export const SAMPLES_BOUNDS = boundsOf(maxDurationSamplesField);

// ---------------------------------------------------------------- the corpus

/** Words reserved or special in Python or TypeScript/JavaScript, as operation names. */
export const KEYWORD_OPERATIONS = [
  // Python keywords and soft keywords
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
  'match',
  'case',
  'type',
  '_',
  // Python builtins and dunders
  'print',
  'str',
  'int',
  'list',
  'dict',
  'object',
  'self',
  'cls',
  'id',
  'len',
  '__init__',
  '__class__',
  '__dict__',
  '__slots__',
  '__all__',
  '__name__',
  '__getattr__',
  '__',
  '___',
  // JavaScript / TypeScript reserved words, literals and dangerous property names
  'case',
  'catch',
  'const',
  'debugger',
  'default',
  'delete',
  'do',
  'enum',
  'export',
  'extends',
  'false',
  'function',
  'instanceof',
  'new',
  'null',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'typeof',
  'var',
  'void',
  'let',
  'static',
  'implements',
  'interface',
  'package',
  'private',
  'protected',
  'public',
  'declare',
  'get',
  'set',
  'of',
  'any',
  'boolean',
  'number',
  'string',
  'symbol',
  'never',
  'unknown',
  'undefined',
  'constructor',
  'prototype',
  '__proto__',
  'then',
  'valueof',
  'nan',
  'infinity',
  // names the generated code itself uses
  'operation',
  'operations',
  'metrics',
  'config',
  'window',
  'index',
  'tracker',
  'publisher',
  // dotted, as ONEX names operations, and the longest legal name
  'gateway.attach',
  'class.def',
  '__proto__.constructor',
  'a.b.c.d',
  `a${'b'.repeat(63)}`,
].filter((name, index, all) => all.indexOf(name) === index);

const LONG = 'x'.repeat(10_000);

/** Strings that break naive generators: quotes, escapes, template syntax, line breaks, look-alikes. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '"',
  "'",
  '"""',
  "'''",
  '`',
  '\\',
  '\\"',
  "\\'",
  '\\\\',
  '"\\',
  'a"b',
  "a'b",
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\u000b',
  '\f',
  '\u0000',
  'a\u0000b',
  '\u001b[31mred',
  '\u007f',
  '\u0085',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u200b',
  '\u202e',
  '\u00a0',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  'раss',
  'ｓｅｒｖｉｃｅ',
  '\u212a',
  '\u017f',
  'e\u0301',
  'Ω',
  '${x}',
  '${process.exit(1)}',
  '`${1}`',
  '{{x}}',
  '{x}',
  '{{',
  '}}',
  '{',
  '}',
  '%s',
  '%(x)s',
  '%%',
  '<%',
  '%>',
  '<%= 1 %>',
  '<%- x %>',
  '<%%',
  '%%>',
  '<%_ _%>',
  '*/',
  '/*',
  '//',
  '#',
  '-->',
  '<!--',
  '</script>',
  '\\u0041',
  '\\x41',
  '\\N{BULLET}',
  '\\U0001F600',
  '\\0',
  '"); import os; os.system("id"); ("',
  "'); require('fs').rmSync('/'); ('",
  '"+__import__("os").getcwd()+"',
  '# coding: latin-1',
  'coding=foo',
  '-*- coding: utf-16 -*-',
  '# type: ignore',
  '// @ts-nocheck',
  '/// <reference path="x" />',
  '@ts-ignore',
  'x\n// @ts-nocheck',
  '..',
  '.',
  '../x',
  '../../../../etc/passwd',
  '/etc/passwd',
  'a/../../b',
  'C:\\Windows',
  '\\\\server\\share',
  '~',
  '$(id)',
  '; rm -rf /',
  '|',
  '&&',
  '*',
  '?',
  '[a]',
  'None',
  'True',
  'null',
  'true',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '0x10',
  ' 5 ',
  '+5',
  '.5',
  '5.',
  '1_000',
  '1,2',
  'yes',
  'No',
  ...KEYWORD_OPERATIONS.slice(0, 12),
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(100),
  'a'.repeat(101),
  't'.repeat(235),
  't'.repeat(236),
  'd'.repeat(255),
  'd'.repeat(256),
  LONG,
];

/** Values of the wrong type (as JSON or YAML would give them). */
export const WRONG_TYPES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  1.5,
  1e308,
  -1e308,
  5e-324,
  [],
  {},
  [null],
  [[]],
  { a: 1 },
  ['a', 1],
  Array.from({ length: 10_000 }, (_, i) => `op_${i}`),
];

// ---------------------------------------------------------------- arbitraries

const keyword = fc.constantFrom(...KEYWORD_OPERATIONS);
const operationName = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(OPERATION_RE) },
  { weight: 1, arbitrary: keyword },
);

/** A path segment: any characters but separators and control characters (all legal in targetDir). */
const segment = fc.oneof(
  fc.constantFrom(
    'nodes',
    'v1_0_0',
    'coding=foo',
    'coding:latin-1',
    '${x}',
    '{{x}}',
    '<%= x %>',
    '"""',
    "'",
    '*/',
    'ü',
    'e\u0301',
    '\u2028',
    '\u0085',
    '\ufeff',
    '\u202e',
    '\ud83d\ude00',
    '\ud800',
    ' lead',
    'trail ',
    '-',
    '.hidden',
    'd'.repeat(255),
    'é'.repeat(127),
  ),
  fc
    .string({ unit: 'binary', minLength: 1, maxLength: 24 })
    .filter((s) => !/[\u0000-\u001f\u007f/\\]/.test(s) && s !== '.' && s !== '..'),
);

export const validTargetDir = fc.oneof(
  fc.constantFrom('.', './', 'node', 'nodes/orders/v1_0_0/', 'a//b/./c', 'a/../b', 'a\\b', 'x/..'),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
);

const percentile = fc.oneof(
  fc.integer({ min: 1, max: 100_000 }).map((thousandths) => thousandths / 1000),
  fc.constantFrom(0.001, 0.1, 1, 50, 90, 95, 99, 99.9, 99.99, 99.999, 100),
);

const numberLike = (n: number) => fc.constantFrom<unknown>(n, String(n), ` ${n} `, `${n}.0`, `+${n}`, `${n}e0`);

/** A topic of the ONEX format (onex.<kind>.<producer>.<event>.v<N>), at most 249 characters. */
const onexTopic = fc
  .tuple(
    fc.constantFrom('evt', 'cmd', 'intent', 'dlq'),
    fc.stringMatching(/^[a-z0-9-]{1,40}$/),
    fc.stringMatching(/^[a-z0-9._-]{1,60}$/),
    fc.integer({ min: 1, max: 99 }),
  )
  .map(([kind, producer, name, version]) => `onex.${kind}.${producer}.${name}.v${version}`);
const legalTopic = fc
  .stringMatching(TOPIC_RE)
  .filter((topic) => topic.length <= 235 && topic !== '.' && topic !== '..');

const answerRecord = fc.record(
  {
    language: fc.constantFrom('python', 'typescript'),
    targetDir: validTargetDir,
    serviceName: fc.oneof(
      fc.stringMatching(SERVICE_NAME_RE),
      fc.constantFrom('a', `A${'z'.repeat(99)}`, 'a.b-c_d', 'None', 'class', 'Infinity'),
    ),
    operations: fc.oneof(
      { weight: 4, arbitrary: fc.uniqueArray(operationName, { minLength: 1, maxLength: 12 }) },
      { weight: 1, arbitrary: fc.uniqueArray(operationName, { minLength: 90, maxLength: 100 }) },
      { weight: 1, arbitrary: fc.uniqueArray(keyword, { minLength: 1, maxLength: 100 }) },
      {
        weight: 1,
        arbitrary: fc.uniqueArray(operationName, { minLength: 1, maxLength: 8 }).map((names) => names.join(' , ')),
      },
    ),
    publishIntervalOps: fc.integer(OPS_BOUNDS).chain(numberLike),
    publishIntervalSeconds: fc
      .oneof(
        fc.integer({ min: 1, max: 86_400 }),
        fc.double({ min: 1e-9, max: 86_400, noNaN: true }).filter((s) => s > 0),
      )
      .chain(numberLike),
    minPublishIntervalSeconds: fc
      .oneof(fc.constant(0), fc.integer({ min: 0, max: 86_400 }), fc.double({ min: 0, max: 86_400, noNaN: true }))
      .chain(numberLike),
    maxDurationSamples: fc.integer(SAMPLES_BOUNDS).chain(numberLike),
    percentiles: fc.oneof(
      fc.uniqueArray(percentile, { minLength: 1, maxLength: 10 }),
      fc.uniqueArray(percentile, { minLength: 1, maxLength: 10 }).map((values) => values.join(', ')),
    ),
    // In a file, yes/no answers are booleans (the hostile values include their strings).
    enableResourceMetrics: fc.boolean(),
    enableBusinessMetrics: fc.boolean(),
    trackHandlers: fc.boolean(),
    tests: fc.constantFrom('full', 'smoke', 'none'),
    serviceVersion: fc.oneof(
      fc.stringMatching(/^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/),
      fc.constantFrom<unknown>(null, '', '  ', '1.0.0'),
    ),
  },
  { requiredKeys: ['serviceName', 'operations'] },
);

/** Valid answers of either envelope, with topics that envelope takes. */
export const validAnswers = fc
  .tuple(
    answerRecord,
    fc.option(fc.constantFrom('onex', 'omninode-bridge'), { nil: undefined }),
    fc.option(fc.constantFrom(0, 1), { nil: undefined }),
    onexTopic,
    legalTopic,
    onexTopic,
    legalTopic,
  )
  .map(([answers, envelope, topics, onexOperation, legalOperation, onexSnapshot, legalSnapshot]) => {
    const valid: Record<string, unknown> = { ...answers };
    if (envelope !== undefined) valid.envelope = envelope;
    const bridge = envelope === 'omninode-bridge';
    if (topics !== undefined) valid.kafkaTopic = bridge ? legalOperation : onexOperation;
    if (topics === 1) valid.snapshotTopic = bridge ? legalSnapshot : onexSnapshot;
    return valid;
  });

export const ANSWER_FIELDS = [
  'language',
  'targetDir',
  'envelope',
  'serviceName',
  'serviceVersion',
  'operations',
  'publishIntervalOps',
  'publishIntervalSeconds',
  'minPublishIntervalSeconds',
  'maxDurationSamples',
  'percentiles',
  'enableResourceMetrics',
  'enableBusinessMetrics',
  'trackHandlers',
  'kafkaTopic',
  'snapshotTopic',
  'alerts',
  'tests',
] as const;

const hostileScalar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...WRONG_TYPES) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(...KEYWORD_OPERATIONS) },
);

const hostileValue = fc.oneof(
  { weight: 5, arbitrary: hostileScalar },
  { weight: 2, arbitrary: fc.array(hostileScalar, { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Hostile keys: typos, prototype names, the record's own keys with odd values. */
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'toString',
  'servicename',
  'operation',
  'kafka_topic',
  '',
  ' ',
  'serviceName ',
  '_files',
  '_generator',
  LONG.slice(0, 300),
);

export type RawAnswers = Record<string, unknown>;

/** Valid answers with 1–3 fields (or an extra key) replaced by something hostile. */
export const hostileAnswers = fc
  .tuple(
    validAnswers,
    fc.uniqueArray(fc.constantFrom<string>(...ANSWER_FIELDS), { minLength: 1, maxLength: 3 }),
    fc.array(hostileValue, { minLength: 3, maxLength: 3 }),
    fc.option(fc.tuple(hostileKey, hostileValue), { freq: 4, nil: undefined }),
  )
  .map(([answers, fields, values, extra]) => {
    const hostile: RawAnswers = { ...answers };
    fields.forEach((field, index) => {
      hostile[field] = values[index];
    });
    if (extra)
      Object.defineProperty(hostile, extra[0], {
        value: extra[1],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return hostile;
  });

// ---------------------------------------------------------------- the oracle (the answers contract)

export interface Normalized {
  language: 'python' | 'typescript';
  targetDir: string;
  envelope: 'onex' | 'omninode-bridge';
  serviceName: string;
  serviceVersion: string | null;
  operations: string[];
  publishIntervalOps: number;
  publishIntervalSeconds: number;
  minPublishIntervalSeconds: number;
  maxDurationSamples: number;
  percentiles: number[];
  enableResourceMetrics: boolean;
  enableBusinessMetrics: boolean;
  trackHandlers: boolean;
  kafkaTopic: string;
  snapshotTopic: string;
  alerts: { p99Ms?: number; errorRate?: number; silent?: boolean; forMinutes?: number } | null;
  tests: 'full' | 'smoke' | 'none';
}

export type Verdict = { valid: true; answers: Normalized } | { valid: false; fields: Set<string> };

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
const asNumber = (value: unknown): unknown =>
  typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
const asList = (value: unknown): unknown =>
  typeof value === 'string' ? (value.trim() === '' ? [] : value.split(',').map((item) => item.trim())) : value;
const MAX_SEGMENT_BYTES = 255;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MAX_TARGET_DIR_BYTES = 1024;

function posixNormalize(dir: string): string {
  const out: string[] = [];
  for (const part of dir.replaceAll('\\', '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out.at(-1) !== '..') out.pop();
    else out.push(part);
  }
  return out.length === 0 ? '.' : out.join('/');
}

/** Independent re-statement of the answers contract, for answers as parsed from the file. */
export function oracle(input: unknown): Verdict {
  const bad = new Set<string>();
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { valid: false, fields: new Set(['--answers']) };
  const raw = input as Record<string, unknown>;
  const known = new Set<string>([...ANSWER_FIELDS, '_generator', '_files']);
  // Unknown keys are reported beside the rest; they do not stop the checks that
  // need every answer valid (the topics against the envelope).
  const unknown = new Set(Object.keys(raw).filter((key) => !known.has(key)));
  const has = (key: string) => Object.prototype.hasOwnProperty.call(raw, key) && raw[key] !== undefined;
  const get = (key: string) => (has(key) ? raw[key] : undefined);

  const language = has('language') ? raw.language : 'python';
  if (language !== 'python' && language !== 'typescript') bad.add('language');

  let targetDir = '.';
  const dir = get('targetDir');
  if (dir !== undefined) {
    if (
      typeof dir !== 'string' ||
      /[\u0000-\u001f\u007f]/.test(dir) ||
      LONE_SURROGATE.test(dir) ||
      dir.trim() === '' ||
      /^[\\/]|^[A-Za-z]:[\\/]/.test(dir)
    ) {
      bad.add('targetDir');
    } else {
      targetDir = posixNormalize(dir);
      if (targetDir === '..' || targetDir.startsWith('../')) bad.add('targetDir');
      // What a file system can hold: NAME_MAX per directory name, a bounded path.
      if (Buffer.byteLength(targetDir) > MAX_TARGET_DIR_BYTES) bad.add('targetDir');
      if (targetDir.split('/').some((part) => Buffer.byteLength(part) > MAX_SEGMENT_BYTES)) bad.add('targetDir');
    }
  }

  const envelope = has('envelope') ? raw.envelope : 'onex';
  if (envelope !== 'onex' && envelope !== 'omninode-bridge') bad.add('envelope');

  const serviceName = get('serviceName');
  if (typeof serviceName !== 'string' || !/^[A-Za-z][A-Za-z0-9._-]{0,99}$/.test(serviceName)) bad.add('serviceName');

  let serviceVersion: string | null = null;
  if (has('serviceVersion') && raw.serviceVersion !== null) {
    const version = raw.serviceVersion;
    if (typeof version !== 'string') bad.add('serviceVersion');
    else if (version.trim() !== '') {
      if (!/^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/.test(version)) bad.add('serviceVersion');
      serviceVersion = version;
    }
  }

  const operations = asList(get('operations'));
  const operationName = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;
  if (
    !Array.isArray(operations) ||
    operations.length < 1 ||
    operations.length > 100 ||
    operations.some(
      (name, i) =>
        typeof name !== 'string' || name.length > 64 || !operationName.test(name) || operations.indexOf(name) !== i,
    )
  ) {
    bad.add('operations');
  }

  const integer = (key: string, min: number, max: number, fallback: number): number => {
    if (!has(key)) return fallback;
    const value = asNumber(raw[key]);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) bad.add(key);
    return value as number;
  };
  const publishIntervalOps = integer('publishIntervalOps', 1, 1_000_000, 100);
  const maxDurationSamples = integer('maxDurationSamples', 1, 1_000_000, 1000);

  let publishIntervalSeconds = 60;
  if (has('publishIntervalSeconds')) {
    const value = asNumber(raw.publishIntervalSeconds);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 86_400)
      bad.add('publishIntervalSeconds');
    publishIntervalSeconds = value as number;
  }

  let minPublishIntervalSeconds = 1;
  if (has('minPublishIntervalSeconds')) {
    const value = asNumber(raw.minPublishIntervalSeconds);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 86_400)
      bad.add('minPublishIntervalSeconds');
    minPublishIntervalSeconds = value as number;
  }

  let percentiles = [50, 95, 99];
  if (has('percentiles')) {
    const list = asList(raw.percentiles);
    if (!Array.isArray(list) || list.length < 1 || list.length > 10) bad.add('percentiles');
    else {
      const values = list.map(asNumber);
      const ok = values.every(
        (p) =>
          typeof p === 'number' &&
          Number.isFinite(p) &&
          p > 0 &&
          p <= 100 &&
          Math.abs(p * 1000 - Math.round(p * 1000)) < 1e-6 &&
          Math.round(p * 1000) >= 1,
      );
      // "at most 3 decimals": values are compared (and keyed) at that precision.
      const canonical = ok ? (values as number[]).map((p) => Math.round(p * 1000) / 1000) : [];
      if (!ok || new Set(canonical).size !== canonical.length) bad.add('percentiles');
      else percentiles = [...canonical].sort((a, b) => a - b);
    }
  }

  const bool = (key: string, fallback = true): boolean => {
    if (!has(key)) return fallback;
    const value = raw[key];
    // In a file, yes/no answers are booleans: "yes" (a string in YAML 1.2) is refused.
    if (typeof value === 'boolean') return value;
    bad.add(key);
    return false;
  };
  const enableResourceMetrics = bool('enableResourceMetrics');
  const enableBusinessMetrics = bool('enableBusinessMetrics');
  const trackHandlers = bool('trackHandlers', false);
  const tests = has('tests') ? raw.tests : 'full';
  if (!['full', 'smoke', 'none'].includes(tests as string)) bad.add('tests');

  // alerts: null, or an object of known keys naming at least one alert; typed on one
  // line as "p99Ms=250, silent=yes" (only there is yes/no text).
  let alerts: Normalized['alerts'] = null;
  if (has('alerts')) {
    let value = raw.alerts;
    if (typeof value === 'string') {
      value =
        value.trim() === ''
          ? null
          : Object.fromEntries(
              value.split(',').map((pair) => {
                const [name = '', ...rest] = pair.trim().split('=');
                const text = rest.join('=').trim();
                const yesNo = { true: true, yes: true, y: true, false: false, no: false, n: false } as Record<
                  string,
                  boolean
                >;
                const word = text.toLowerCase();
                return [name.trim(), name.trim() === 'silent' && word in yesNo ? yesNo[word] : text];
              }),
            );
    }
    if (value === null) alerts = null;
    else if (typeof value !== 'object' || Array.isArray(value)) bad.add('alerts');
    else {
      const given = value as Record<string, unknown>;
      const limits: Record<string, [number, number, boolean]> = {
        p99Ms: [0, 86_400_000, false],
        errorRate: [0, 1, false],
        forMinutes: [0, 1440, true],
      };
      const out: Record<string, unknown> = {};
      let ok = true;
      for (const [key, entry] of Object.entries(given)) {
        if (entry === undefined && Object.hasOwn(limits, key)) continue;
        if (key === 'silent') {
          if (entry !== undefined && typeof entry !== 'boolean') ok = false;
          out.silent = entry;
        } else if (Object.hasOwn(limits, key)) {
          const [low, high, inclusive] = limits[key]!;
          const number = asNumber(entry);
          if (
            typeof number !== 'number' ||
            !Number.isFinite(number) ||
            number > high ||
            (inclusive ? number < low : number <= low)
          )
            ok = false;
          out[key] = number;
        } else ok = false;
      }
      if (ok && out.p99Ms === undefined && out.errorRate === undefined && out.silent !== true) ok = false;
      if (ok) alerts = out as Normalized['alerts'];
      else bad.add('alerts');
    }
  }

  const legal = (topic: unknown): boolean =>
    typeof topic === 'string' && /^[A-Za-z0-9._-]{1,249}$/.test(topic) && topic !== '.' && topic !== '..';
  for (const key of ['kafkaTopic', 'snapshotTopic']) if (has(key) && !legal(raw[key])) bad.add(key);

  if (has('_generator') && typeof raw._generator !== 'string') bad.add('_generator');
  if (has('_files')) {
    const files = raw._files;
    if (
      typeof files !== 'object' ||
      files === null ||
      Array.isArray(files) ||
      Object.values(files).some((hash) => typeof hash !== 'string')
    ) {
      bad.add('_files');
    }
  }

  const invalid = () => ({ valid: false as const, fields: new Set([...bad, ...unknown]) });
  if (bad.size > 0) return invalid();

  // Once every answer is valid on its own, the topics (given or derived from the
  // service name) must suit the envelope: ONEX's format, or Kafka's for the bridge.
  const name = serviceName as string;
  const producer = name.toLowerCase().replace(/[_.]/g, '-');
  const onex = envelope === 'onex';
  const kafkaTopic = has('kafkaTopic')
    ? (raw.kafkaTopic as string)
    : onex
      ? `onex.evt.${producer}.operation-metrics.v1`
      : `${name}.metrics.v1`;
  const snapshotTopic = has('snapshotTopic')
    ? (raw.snapshotTopic as string)
    : onex
      ? `onex.evt.${producer}.node-metrics.v1`
      : `${kafkaTopic}.comprehensive`;
  const onexFormat = /^onex\.(evt|cmd|intent|dlq)\.[a-z0-9-]+\.[a-z0-9._-]+\.v[1-9]\d*$/;
  for (const [key, topic] of [
    ['kafkaTopic', kafkaTopic],
    ['snapshotTopic', snapshotTopic],
  ] as const) {
    if (!legal(topic) || (onex && !onexFormat.test(topic))) bad.add(key);
  }
  if (bad.size > 0 || unknown.size > 0) return invalid();
  return {
    valid: true,
    answers: {
      language: language as Normalized['language'],
      targetDir,
      envelope: envelope as Normalized['envelope'],
      serviceName: name,
      serviceVersion,
      operations: operations as string[],
      publishIntervalOps,
      publishIntervalSeconds,
      minPublishIntervalSeconds,
      maxDurationSamples,
      percentiles,
      enableResourceMetrics,
      enableBusinessMetrics,
      trackHandlers,
      kafkaTopic,
      snapshotTopic,
      alerts,
      tests: tests as Normalized['tests'],
    },
  };
}

/** The top-level fields an error output names (`  operations[2]: …` → `operations`). */
export function namedFields(stderr: string): Set<string> {
  const names = new Set<string>();
  const name = String.raw`"(?:[^"\\]|\\.)*"|[A-Za-z0-9_$-]+`;
  const line = new RegExp(String.raw`^ {2}(${name})(?:\[\d+\]|\.(?:${name}))*: `, 'gm');
  for (const match of stderr.matchAll(line)) names.add(match[1]!);
  return names;
}
