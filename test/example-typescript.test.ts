/**
 * The TypeScript example service (examples/orders_service_ts), scaffolded and run:
 * events to the log by default, to the real Kafka broker with KAFKA_BOOTSTRAP_SERVERS,
 * every one valid against the same JSON Schema as the Python events.
 */
import { cpSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, REPO, run, runAsync, tempDir, writeAnswers } from './support/helpers.js';
import { consumeEvents, kafkaBootstrap } from './support/kafka.js';
import { expectedKey, schemaErrors } from './support/schema.js';
import { bin } from './support/typescript.js';

type Envelope = Record<string, unknown> & { event_type: string; payload: Record<string, unknown> };

const CALLS = 120;
const CANCEL_ERRORS = Math.ceil(CALLS / 3);

function scaffold(topics: Record<string, string> = {}): string {
  const dest = tempDir('example-ts-');
  const service = path.join(dest, 'service');
  // Not what a user may have generated in the repository's copy.
  const generated = ['metrics', '.onex-metrics.yaml', 'node_modules'];
  cpSync(path.join(REPO, 'examples/orders_service_ts'), service, {
    recursive: true,
    filter: (source) => !generated.includes(path.basename(source)),
  });
  symlinkSync(path.join(REPO, 'node_modules'), path.join(service, 'node_modules'), 'dir');
  writeAnswers(path.join(dest, 'answers.json'), { targetDir: 'service', ...topics });
  const result = cli(['--answers', 'answers.json'], dest);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/^create +service\/metrics\/tracker\.ts$/m);
  return service;
}

/** The final operation event of each operation, and the snapshots. */
function summarize(events: Envelope[]) {
  const last = new Map<string, Record<string, unknown>>();
  for (const event of events.filter((e) => e.event_type === 'operation-metrics')) {
    last.set(event.payload.operation as string, event.payload);
  }
  const snapshots = events.filter((e) => e.event_type === 'node-metrics');
  return { last, snapshots };
}

function expectTheRun(events: Envelope[]): void {
  expect(events.length).toBeGreaterThan(3);
  for (const event of events) expect(schemaErrors(event), JSON.stringify(event)).toEqual([]);
  const { last, snapshots } = summarize(events);
  const stats = (operation: string) => last.get(operation)!.statistics as Record<string, number>;
  expect(stats('create_order')).toMatchObject({ count: CALLS, errors: 0 });
  expect(stats('cancel_order')).toMatchObject({ count: CALLS, errors: CANCEL_ERRORS });
  expect(stats('get_order')).toMatchObject({ count: CALLS, errors: 0 });
  expect(last.get('cancel_order')!.last_error).toMatchObject({ type: 'Error', details: 'no order missing-117' });
  expect(snapshots.length).toBeGreaterThanOrEqual(1);
  const snapshot = snapshots.at(-1)!.payload;
  expect(Object.keys(snapshot)).toEqual(expect.arrayContaining(['operations', 'resources', 'business']));
}

describe('the TypeScript example service', () => {
  let service: string;

  beforeAll(() => {
    service = scaffold();
  });

  it('type-checks with the generated package (tsc --strict)', () => {
    const result = run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: service });
    expect(result.code, result.stdout).toBe(0);
  });

  it('logs valid events by default', async () => {
    const result = await runAsync(bin('tsx'), ['service.ts', String(CALLS)], {
      cwd: service,
      timeout: 60_000,
      env: { ONEX_METRICS_LOG_ENVELOPES: '1' },
    });
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('metrics.events '))
      .map((line) => JSON.parse(line.split(' ').slice(2).join(' ')) as Envelope);
    expectTheRun(events);
  });

  it('publishes valid, correctly keyed events to the real Kafka broker', async () => {
    const run = Date.now().toString(36);
    const topic = `onex.evt.orders-service.operation-metrics-${run}.v1`;
    const snapshotTopic = `onex.evt.orders-service.node-metrics-${run}.v1`;
    const kafkaService = scaffold({ kafkaTopic: topic, snapshotTopic });
    const bootstrap = kafkaBootstrap();
    const produced = await runAsync(bin('tsx'), ['service.ts', String(CALLS)], {
      cwd: kafkaService,
      env: { KAFKA_BOOTSTRAP_SERVERS: bootstrap },
      timeout: 90_000,
    });
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stdout).not.toContain('metrics.events');
    const messages = await consumeEvents<Envelope>([topic, snapshotTopic], 4, { bootstrap });
    for (const message of messages) {
      expect(message.key).toBe(expectedKey(message.value));
      expect(message.key).toBe('orders_service');
      expect(message.topic).toBe(message.value.event_type === 'operation-metrics' ? topic : snapshotTopic);
    }
    expectTheRun(messages.map((message) => message.value));
  });
});
