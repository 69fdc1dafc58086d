/**
 * What `watch` reads from an operation event, in either envelope profile: omnibase-core's
 * `ModelEventEnvelope` (`metadata.tags.instance`) or the older `OnexEnvelopeV1`
 * (`source_instance`). Anything else on the topics is counted as invalid, never trusted.
 */
import { z } from 'zod';
import type { DurationSketch } from './sketch.js';

const count = z.number().int().nonnegative();
const duration = z.number().nonnegative();

const sketchSchema = z.object({
  gamma: z.number().gt(1),
  index_offset: z.number().int(),
  bin_counts: z.array(count),
  zero_count: count,
  count,
  sum: duration,
  min: duration,
  max: duration,
});

const operationPayload = z.object({
  service_name: z.string().min(1),
  operation: z.string().min(1),
  timestamp: z.string(),
  statistics: z.object({ count, errors: count }).loose(),
  sketch: sketchSchema,
  dropped_events: count,
});

const envelope = z.object({
  payload: z.record(z.string(), z.unknown()),
  metadata: z
    .object({ tags: z.record(z.string(), z.string()).optional() })
    .loose()
    .nullish(),
  source_instance: z.string().nullish(),
});

/** One instance's view of one operation, from its latest event. */
export interface Observation {
  service: string;
  operation: string;
  instance: string;
  /** When the instance built the event (ms since the epoch). */
  time: number;
  /** Lifetime calls and errors of the operation in that instance. */
  count: number;
  errors: number;
  sketch: DurationSketch;
  dropped: number;
}

export type Parsed =
  { kind: 'operation'; observation: Observation } | { kind: 'other' } | { kind: 'invalid'; reason: string };

/**
 * An event's bytes as an observation; `other` for a valid event of another kind (the
 * snapshot), `invalid` with the first reason for anything else.
 */
export function parseEvent(value: Buffer | string): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  const outer = envelope.safeParse(json);
  if (!outer.success) return { kind: 'invalid', reason: firstIssue(outer.error) };
  const { payload, metadata, source_instance: sourceInstance } = outer.data;
  if (!('operation' in payload))
    return 'operations' in payload
      ? { kind: 'other' }
      : { kind: 'invalid', reason: 'payload: neither an operation event nor a snapshot' };
  if (!('sketch' in payload)) {
    return { kind: 'invalid', reason: 'payload.sketch: missing (a package generated before sketches: regenerate it)' };
  }
  const inner = operationPayload.safeParse(payload);
  if (!inner.success) return { kind: 'invalid', reason: `payload.${firstIssue(inner.error)}` };
  const { service_name: service, operation, timestamp, statistics, sketch, dropped_events: dropped } = inner.data;
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return { kind: 'invalid', reason: 'payload.timestamp: not an ISO-8601 time' };
  return {
    kind: 'operation',
    observation: {
      service,
      operation,
      instance: metadata?.tags?.instance ?? sourceInstance ?? 'unknown',
      time,
      count: statistics.count,
      errors: statistics.errors,
      sketch,
      dropped,
    },
  };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid' : `${issue.path.join('.') || '(event)'}: ${issue.message}`;
}
