/** The broker started by the global setup (scripts/kafka), and reading back what was sent to it. */
import path from 'node:path';
import { expect } from 'vitest';
import { REPO, run, runAsync, venvBin } from './helpers.js';

export function kafkaBootstrap(): string {
  const fromSetup = process.env.ONEX_METRICS_KAFKA;
  if (fromSetup) return fromSetup;
  const status = run(`${REPO}/scripts/kafka`, ['status'], { cwd: REPO });
  if (status.code !== 0) throw new Error(`Kafka is not running: start it with scripts/kafka start\n${status.stderr}`);
  return status.stdout.trim().split('\n').at(-1)!;
}

export interface ConsumedEvent<Value = Record<string, unknown>> {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Value;
}

/**
 * Reads the events of `topics` from the beginning (test/python/consume_events.py), waiting
 * for at least `expected` of them; fails the test when the consumer does.
 */
export async function consumeEvents<Value = Record<string, unknown>>(
  topics: readonly string[],
  expected: number,
  { bootstrap = kafkaBootstrap(), python = venvBin('python'), timeoutSeconds = 60 } = {},
): Promise<ConsumedEvent<Value>[]> {
  const args = [path.join(REPO, 'test/python/consume_events.py'), '--bootstrap', bootstrap];
  for (const topic of topics) args.push('--topic', topic);
  args.push('--expect', String(expected), '--timeout', String(timeoutSeconds));
  const result = await runAsync(python, args, { timeout: (timeoutSeconds + 30) * 1000 });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ConsumedEvent<Value>);
}
