/**
 * The answers contract of the `metrics` generator: the zod schema built from the table
 * of answers (`fields.ts`), with the defaults and the checks that span answers. It
 * validates prompts, plop bypass arguments, answers files and the recorded
 * `.onex-metrics.yaml`; every type of answers used elsewhere is derived from it.
 */
import { z, type ZodOptional, type ZodType } from 'zod';
import {
  type AnswerIssue,
  closestKey,
  displayKey,
  fieldPath,
  InvalidAnswersError,
} from '../../../core/answers-error.js';
import { RECORD_KEYS } from '../../../core/record.js';
import {
  ANSWER_KEYS,
  type AnswerField,
  COMPREHENSIVE_SUFFIX,
  type Envelope,
  FIELDS,
  normalizeTargetDir,
  topicProblem,
} from './fields.js';

// ---------------------------------------------------------------- answers

/** The zod shape of the answers: each field of the table, optional unless required. */
type Shape<F> = {
  [K in keyof F]: F[K] extends { schema: infer S extends ZodType }
    ? F[K] extends { required: true }
      ? S
      : ZodOptional<S>
    : never;
};

function shapeOf<F extends Record<string, AnswerField>>(fields: F): Shape<F> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, field]) => [key, field.required ? field.schema : field.schema.optional()]),
  ) as Shape<F>;
}

/** The answers a user gives (any source); missing keys take their defaults. */
export const answersSchema = z
  .strictObject({
    ...shapeOf(FIELDS),
    // Provenance written into the record; accepted so the record is an answers file.
    _generator: z.string().optional(),
    _files: z.record(z.string(), z.string()).optional(),
  })
  .transform(({ _generator, _files, ...answers }, ctx) => {
    const envelope = answers.envelope ?? FIELDS.envelope.default;
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
      language: answers.language ?? FIELDS.language.default,
      targetDir: normalizeTargetDir(answers.targetDir ?? FIELDS.targetDir.default),
      envelope,
      serviceName: answers.serviceName,
      serviceVersion: answers.serviceVersion ?? FIELDS.serviceVersion.default,
      operations: answers.operations,
      publishIntervalOps: answers.publishIntervalOps ?? FIELDS.publishIntervalOps.default,
      publishIntervalSeconds: answers.publishIntervalSeconds ?? FIELDS.publishIntervalSeconds.default,
      minPublishIntervalSeconds: answers.minPublishIntervalSeconds ?? FIELDS.minPublishIntervalSeconds.default,
      maxDurationSamples: answers.maxDurationSamples ?? FIELDS.maxDurationSamples.default,
      percentiles: answers.percentiles ?? [...FIELDS.percentiles.default],
      enableResourceMetrics: answers.enableResourceMetrics ?? FIELDS.enableResourceMetrics.default,
      enableBusinessMetrics: answers.enableBusinessMetrics ?? FIELDS.enableBusinessMetrics.default,
      trackHandlers: answers.trackHandlers ?? FIELDS.trackHandlers.default,
      kafkaTopic,
      snapshotTopic,
      alerts: answers.alerts ?? FIELDS.alerts.default,
      tests: answers.tests ?? FIELDS.tests.default,
    };
  });

/** Raw answers as a user may write them (before defaults and coercion). */
export type AnswersInput = z.input<typeof answersSchema>;
/** Normalized answers: every key present, coerced, defaults applied. */
export type Answers = z.output<typeof answersSchema>;

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
