/**
 * The answers contract of the `metrics` generator.
 *
 * One zod schema drives the interactive prompts (per-field validation), plop bypass
 * arguments, answers files and the recorded `.onex-metrics.yaml`. Every type of answers
 * used elsewhere is derived from it.
 */
import path from 'node:path';
import { z } from 'zod';
import {
  type AnswerIssue,
  closestKey,
  displayKey,
  fieldPath,
  InvalidAnswersError,
} from '../../../core/answers-error.js';
import { RECORD_KEYS } from '../../../core/record.js';

/** Target languages that have templates under `templates/<language>/`. */
export const LANGUAGES = ['python', 'typescript'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The event envelope the generated code publishes: `onex`, the `ModelEventEnvelope` of
 * today's omnibase-core on the node's event bus; `omninode-bridge`, the `OnexEnvelopeV1`
 * of the older omninode_bridge nodes, through their `kafka_client`.
 */
export const ENVELOPES = ['onex', 'omninode-bridge'] as const;
export type Envelope = (typeof ENVELOPES)[number];

export const DEFAULT_PERCENTILES: readonly number[] = [50, 95, 99];
/** The snapshot topic of `omninode-bridge` is the operation topic with this suffix. */
export const COMPREHENSIVE_SUFFIX = '.comprehensive';
const MAX_TOPIC_LENGTH = 249;

// ---------------------------------------------------------------- coercions
// Plop bypass and hand-written YAML give numbers and lists as strings; yes/no only plop's bypass.

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

function numberLike(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
}

function booleanLike(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (['true', 'yes', 'y'].includes(word)) return true;
  if (['false', 'no', 'n'].includes(word)) return false;
  return value;
}

function listLike(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return [];
  return value.split(',').map((item) => item.trim());
}

/** A check naming each repeated item of a list (`operations[2]: "a" is listed twice`). */
function noDuplicates<T>(show: (item: T) => string) {
  return (items: readonly T[], ctx: z.RefinementCtx) => {
    items.forEach((item, index) => {
      if (items.indexOf(item) !== index) {
        ctx.addIssue({ code: 'custom', path: [index], message: `${show(item)} is listed twice: remove the duplicate` });
      }
    });
  };
}

// ---------------------------------------------------------------- fields

/** snake_case, or dotted as ONEX writes them (`gateway.attach`). */
const OPERATION = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;
const MAX_OPERATION_LENGTH = 64;
/** A UTF-16 half without its other half: not a character, and no file name can hold it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** NAME_MAX of Linux and macOS file systems, in bytes. */
const MAX_NAME_BYTES = 255;
/** Room for `--dest` and the generated paths within PATH_MAX (4096). */
const MAX_TARGET_DIR_BYTES = 1024;
const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,99}$/;
const SERVICE_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
/** omnibase_infra `util_onex_topic_format`: `onex.<kind>.<producer>.<event-name>.v<N>`. */
export const ONEX_TOPIC = /^onex\.(evt|cmd|intent|dlq)\.[a-z0-9-]+\.[a-z0-9._-]+\.v[1-9]\d*$/;

export const languageField = z.enum(LANGUAGES, {
  error: () => `must be one of ${LANGUAGES.join(', ')}`,
});

export const envelopeField = z.enum(ENVELOPES, {
  error: () =>
    `must be one of ${ENVELOPES.join(', ')} (onex: today's ModelEventEnvelope; omninode-bridge: the older OnexEnvelopeV1)`,
});

export const targetDirField = z
  .string({ error: 'must be a path relative to the destination directory (--dest)' })
  .refine((dir) => !/[\u0000-\u001f\u007f]/.test(dir), 'must not contain control characters (NUL, newline, ...)')
  .refine((dir) => dir.trim() !== '', 'must not be empty: use "." for the destination itself')
  .refine(
    (dir) => !path.isAbsolute(dir) && !path.win32.isAbsolute(dir),
    'must be relative to the destination directory (--dest), not absolute',
  )
  .refine((dir) => {
    const normal = path.posix.normalize(dir.replaceAll('\\', '/'));
    return normal !== '..' && !normal.startsWith('../');
  }, 'must stay inside the destination directory (--dest; no ".." escape)')
  // Paths a file system cannot hold are answers errors, not I/O failures at write time.
  .refine((dir) => !LONE_SURROGATE.test(dir), 'must be valid Unicode (it holds half of a surrogate pair)')
  .refine(
    (dir) =>
      normalizeTargetDir(dir)
        .split('/')
        .every((name) => Buffer.byteLength(name) <= MAX_NAME_BYTES),
    `must not hold a directory name longer than ${MAX_NAME_BYTES} bytes (UTF-8), the limit of file systems`,
  )
  .refine(
    (dir) => Buffer.byteLength(normalizeTargetDir(dir)) <= MAX_TARGET_DIR_BYTES,
    `must be at most ${MAX_TARGET_DIR_BYTES} bytes long (UTF-8)`,
  );

export const serviceNameField = z
  .string({ error: 'is required: a name like "store_effect_v1_0_0"' })
  .regex(SERVICE_NAME, 'must start with a letter and hold only letters, digits, ".", "_" or "-" (1-100 characters)');

/** The node's version, for the events' metadata; blank or null when it has none. */
export const serviceVersionField = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
  z
    .string({ error: 'must be a version string like "1.0.0", or empty for none' })
    .regex(SERVICE_VERSION, 'must be a version like "1.0.0": letters, digits, ".", "+", "_" or "-" (1-64 characters)')
    .nullable(),
);

export const operationNameField = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'is empty (a stray comma?): give a name or remove it', abort: true })
  .max(MAX_OPERATION_LENGTH, `must be at most ${MAX_OPERATION_LENGTH} characters`)
  .regex(
    OPERATION,
    'must be snake_case (lowercase letters, digits, "_", not starting with a digit), or such names joined by "." as in "gateway.attach"',
  );

export const operationsField = z.preprocess(
  listLike,
  z
    .array(operationNameField, { error: 'is required: a list of operation names, e.g. "persist_state, query_state"' })
    .min(1, 'needs at least one operation name')
    .max(100, 'allows at most 100 operations')
    .superRefine(noDuplicates((name) => `"${name}"`)),
);

function integerField(min: number, max: number) {
  return z.preprocess(
    numberLike,
    z
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max.toLocaleString('en-US')}`),
  );
}

export const publishIntervalOpsField = integerField(1, 1_000_000);
export const maxDurationSamplesField = integerField(1, 1_000_000);

export const publishIntervalSecondsField = z.preprocess(
  numberLike,
  z
    .number({ error: 'must be a number of seconds, 0 < s <= 86400' })
    .refine(Number.isFinite, 'must be a finite number of seconds')
    .refine((s) => s > 0, 'must be greater than 0')
    .refine((s) => s <= 86_400, 'must be at most 86400 (one day)'),
);

export const percentileValue = z.preprocess(
  numberLike,
  z
    .number({ error: 'must be a number, 0 < p <= 100' })
    .refine(Number.isFinite, 'must be a finite number')
    .refine((p) => p > 0 && p <= 100, 'must be greater than 0 and at most 100')
    .refine((p) => Math.abs(p * 1000 - Math.round(p * 1000)) < 1e-6, 'may have at most 3 decimals')
    // 1e-7 passes both checks above, but is 0 at 3 decimals (and `p1e-7` is no identifier).
    .refine((p) => Math.round(p * 1000) >= 1, 'must be at least 0.001 (percentiles have at most 3 decimals)')
    // 50.0000000001 passes the check above (binary fractions need a tolerance): from here on
    // it is 50, so keys (`p50`), ranks and duplicates all use the same 3-decimal value.
    .transform((p) => Math.round(p * 1000) / 1000),
);

export const percentilesField = z.preprocess(
  listLike,
  z
    .array(percentileValue, { error: 'must be a list of numbers, e.g. "50, 95, 99"' })
    .min(1, 'needs at least one percentile')
    .max(10, 'allows at most 10 percentiles')
    .superRefine(noDuplicates(String))
    // Ascending order gives one canonical record and payload key order.
    .transform((values) => [...values].sort((a, b) => a - b)),
);

/** What each yes/no answer turns on, for its error messages. */
export const YES_NO_ANSWERS = {
  enableResourceMetrics: 'resource metrics: memory, CPU, connections, queue depth',
  enableBusinessMetrics: 'business metrics: counters, KPIs, throughput',
  trackHandlers: "time the handlers the contract routes, at the node's route_to_handlers (Python)",
} as const;

/**
 * A yes/no answer in a file or from code: true or false, never a string. YAML 1.2 reads
 * `yes` as the string "yes" (YAML 1.1 tools read it as true, and `no` as false), so a
 * string is refused rather than guessed at.
 */
const booleanField = (key: keyof typeof YES_NO_ANSWERS) =>
  z.boolean({
    error: (issue) =>
      typeof issue.input === 'string'
        ? `must be true or false, not the string ${JSON.stringify(issue.input)}: write true or false without quotes (${YES_NO_ANSWERS[key]})`
        : `must be true or false (${YES_NO_ANSWERS[key]})`,
  });

/** The same answer typed on plop's command line, where every value is text: yes/y/true, no/n/false. */
export const typedYesNoField = (key: keyof typeof YES_NO_ANSWERS) =>
  z.preprocess(booleanLike, z.boolean({ error: `must be yes or no (${YES_NO_ANSWERS[key]})` }));

export const enableResourceMetricsField = booleanField('enableResourceMetrics');
export const enableBusinessMetricsField = booleanField('enableBusinessMetrics');
export const trackHandlersField = booleanField('trackHandlers');

/** A legal Kafka topic; the `onex` envelope also needs the ONEX format (`topicProblem`). */
export const topicField = z
  .string({ error: 'must be a Kafka topic name' })
  .regex(TOPIC, `must hold only letters, digits, ".", "_" or "-" (1-${MAX_TOPIC_LENGTH} characters)`)
  .refine((topic) => topic !== '.' && topic !== '..', 'must not be "." or ".."');

/** What is wrong with `topic` for this envelope, or undefined when it is fine. */
export function topicProblem(topic: string, envelope: Envelope): string | undefined {
  const legal = topicField.safeParse(topic);
  if (!legal.success) return legal.error.issues[0]?.message ?? 'is not a legal Kafka topic';
  if (envelope === 'onex' && !ONEX_TOPIC.test(topic)) {
    return 'must follow the ONEX topic format onex.<evt|cmd|intent|dlq>.<producer: a-z 0-9 ->.<event-name: a-z 0-9 . _ ->.v<N>, e.g. "onex.evt.orders-effect.operation-metrics.v1" (or choose envelope: omninode-bridge)';
  }
  return undefined;
}

// ---------------------------------------------------------------- answers

/** The answers a user gives (any source); missing keys take their defaults. */
export const answersSchema = z
  .strictObject({
    language: languageField.optional(),
    targetDir: targetDirField.optional(),
    envelope: envelopeField.optional(),
    serviceName: serviceNameField,
    serviceVersion: serviceVersionField.optional(),
    operations: operationsField,
    publishIntervalOps: publishIntervalOpsField.optional(),
    publishIntervalSeconds: publishIntervalSecondsField.optional(),
    maxDurationSamples: maxDurationSamplesField.optional(),
    percentiles: percentilesField.optional(),
    enableResourceMetrics: enableResourceMetricsField.optional(),
    enableBusinessMetrics: enableBusinessMetricsField.optional(),
    trackHandlers: trackHandlersField.optional(),
    kafkaTopic: topicField.optional(),
    snapshotTopic: topicField.optional(),
    // Provenance written into the record; accepted so the record is an answers file.
    _generator: z.string().optional(),
    _files: z.record(z.string(), z.string()).optional(),
  })
  .transform(({ _generator, _files, ...answers }, ctx) => {
    const envelope = answers.envelope ?? 'onex';
    const kafkaTopic = answers.kafkaTopic ?? defaultTopic(envelope, answers.serviceName);
    const snapshotTopic = answers.snapshotTopic ?? defaultSnapshotTopic(envelope, kafkaTopic, answers.serviceName);
    // Topics follow the envelope's rules; a default (derived from serviceName) is
    // checked like a given one, and says so.
    for (const [key, topic, given] of [
      ['kafkaTopic', kafkaTopic, answers.kafkaTopic !== undefined],
      ['snapshotTopic', snapshotTopic, answers.snapshotTopic !== undefined],
    ] as const) {
      const problem = topicProblem(topic, envelope);
      if (problem === undefined) continue;
      const from = key === 'snapshotTopic' && envelope === 'omninode-bridge' ? 'kafkaTopic' : 'serviceName';
      const message = given ? problem : `the default "${topic}" (from ${from}) ${problem}: give ${key} explicitly`;
      ctx.addIssue({ code: 'custom', path: [key], message });
    }
    return {
      language: answers.language ?? ('python' as Language),
      targetDir: normalizeTargetDir(answers.targetDir ?? '.'),
      envelope,
      serviceName: answers.serviceName,
      serviceVersion: answers.serviceVersion ?? null,
      operations: answers.operations,
      publishIntervalOps: answers.publishIntervalOps ?? 100,
      publishIntervalSeconds: answers.publishIntervalSeconds ?? 60,
      maxDurationSamples: answers.maxDurationSamples ?? 1000,
      percentiles: answers.percentiles ?? [...DEFAULT_PERCENTILES],
      enableResourceMetrics: answers.enableResourceMetrics ?? true,
      enableBusinessMetrics: answers.enableBusinessMetrics ?? true,
      trackHandlers: answers.trackHandlers ?? false,
      kafkaTopic,
      snapshotTopic,
    };
  });

/** Raw answers as a user may write them (before defaults and coercion). */
export type AnswersInput = z.input<typeof answersSchema>;
/** Normalized answers: every key present, coerced, defaults applied. */
export type Answers = z.output<typeof answersSchema>;

/** The answer keys, in the order used by prompts and the record. */
export const ANSWER_KEYS = [
  'language',
  'targetDir',
  'envelope',
  'serviceName',
  'serviceVersion',
  'operations',
  'publishIntervalOps',
  'publishIntervalSeconds',
  'maxDurationSamples',
  'percentiles',
  'enableResourceMetrics',
  'enableBusinessMetrics',
  'trackHandlers',
  'kafkaTopic',
  'snapshotTopic',
] as const satisfies readonly (keyof Answers)[];

/** The producer segment of ONEX topics: `Orders_Effect.v2` → `orders-effect-v2`. */
export function topicProducer(serviceName: string): string {
  return serviceName.toLowerCase().replace(/[_.]/g, '-');
}

/** The default topic of operation events. */
export function defaultTopic(envelope: Envelope, serviceName: string): string {
  return envelope === 'onex'
    ? `onex.evt.${topicProducer(serviceName)}.operation-metrics.v1`
    : `${serviceName}.metrics.v1`;
}

/** The default topic of the full snapshot. */
export function defaultSnapshotTopic(envelope: Envelope, kafkaTopic: string, serviceName: string): string {
  return envelope === 'onex'
    ? `onex.evt.${topicProducer(serviceName)}.node-metrics.v1`
    : `${kafkaTopic}${COMPREHENSIVE_SUFFIX}`;
}

/** `./a//b/` → `a/b`; `.` stays `.`. Paths in records and plans are POSIX. */
export function normalizeTargetDir(dir: string): string {
  const normal = path.posix.normalize(dir.replaceAll('\\', '/')).replace(/\/+$/, '');
  return normal === '' ? '.' : normal;
}

/** Payload key of a percentile: 50 → `p50`, 99.9 → `p99_9`, 0.001 → `p0_001`. */
export function percentileKey(percentile: number): string {
  const key = `p${String(percentile).replace('.', '_')}`;
  // Keys are pasted into generated code as identifiers: anything else is refused, not emitted.
  if (typeof percentile !== 'number' || !/^p\d{1,3}(_\d{1,3})?$/.test(key)) {
    throw new TypeError(`not a percentile with at most 3 decimals: ${JSON.stringify(String(percentile))}`);
  }
  return key;
}

/** A percentile in thousandths, the exact integer the generated code ranks with. */
export function percentileThousandths(percentile: number): number {
  const thousandths = Math.round(percentile * 1000);
  if (typeof percentile !== 'number' || !(thousandths >= 1 && thousandths <= 100_000)) {
    throw new TypeError(`not a percentile, 0 < p <= 100: ${JSON.stringify(String(percentile))}`);
  }
  return thousandths;
}

// ---------------------------------------------------------------- errors

const ALL_KEYS: readonly string[] = [...ANSWER_KEYS, ...RECORD_KEYS];

function valueAt(input: unknown, segments: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

export function issuesOf(error: z.ZodError, input: unknown): AnswerIssue[] {
  return error.issues.flatMap((issue): AnswerIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: displayKey(key),
        message: `is not an answer of this generator${suggestion(key)}; valid keys: ${ANSWER_KEYS.join(', ')}`,
      }));
    }
    const field = fieldPath(issue.path) || '(answers)';
    if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
      return [{ field, message: requiredMessage(field) }];
    }
    return [{ field, message: issue.message }];
  });
}

function requiredMessage(field: string): string {
  if (field === '(answers)') return 'must be a mapping of answer keys to values';
  return `is required: give it in the answers file or as --${field}`;
}

function suggestion(key: string): string {
  const match = closestKey(key, ALL_KEYS);
  return match ? ` (did you mean "${match}"?)` : '';
}

/** Validates answers from any source; throws `InvalidAnswersError` naming every bad field. */
export function parseAnswers(input: unknown, source?: string): Answers {
  const result = answersSchema.safeParse(input);
  if (!result.success) throw new InvalidAnswersError(issuesOf(result.error, input), source);
  return result.data;
}
