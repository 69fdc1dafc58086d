/** The event JSON Schema (schema/onex-metrics-event.schema.json), compiled with ajv. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { REPO } from './helpers.js';

const schema = JSON.parse(readFileSync(path.join(REPO, 'schema/onex-metrics-event.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/** The schema errors of one event, as readable lines (empty when valid). */
export function schemaErrors(event: unknown): string[] {
  if (validate(event)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}

/**
 * The Kafka key of an envelope: the producer (onex); for omninode-bridge, the first set
 * of partition_key, correlation_id, source_node_id and event_id.
 */
export function expectedKey(envelope: Record<string, unknown>): string {
  if (typeof envelope.producer === 'string') return envelope.producer;
  for (const field of ['partition_key', 'correlation_id', 'source_node_id', 'event_id']) {
    const value = envelope[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  throw new Error('an envelope without event_id');
}
