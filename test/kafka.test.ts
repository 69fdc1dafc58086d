/**
 * The generated Python runtime of the omninode-bridge envelope (OnexEnvelopeV1, the
 * older generation of ONEX nodes) publishing to Kafka, end to end (today's ONEX envelope
 * and event buses are in onex.test.ts):
 *
 * - the example node (examples/orders_effect) through aiokafka to the real test broker,
 *   read back from both topics;
 * - an ONEX node publishing through its own `kafka_client.publish_with_envelope`
 *   (a recording stand-in), including a client that refuses, raises or hangs;
 * - the example node with no broker listening.
 *
 * Events are checked against schema/onex-metrics-event.schema.json with two validators
 * (ajv in-process, python-jsonschema in test/python/validate_events.py).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, REPO, run, tempDir, venvBin, writeAnswers, type Result } from './support/helpers.js';
import { kafkaBootstrap } from './support/kafka.js';

const SCHEMA_FILE = path.join(REPO, 'schema', 'onex-metrics-event.schema.json');
const EXAMPLE = path.join(REPO, 'examples', 'orders_effect');
const PYTHON = venvBin('python');
const HELPERS = path.join(REPO, 'test', 'python');
const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string })
  .version;

/** From examples/orders_effect/contract.yaml: name orders_effect, version 1.0.0. */
const SERVICE_NAME = 'orders_effect_v1_0_0';
const OPERATIONS = ['create_order', 'cancel_order', 'get_order'] as const;
type OperationName = (typeof OPERATIONS)[number];
/** The contract's percentiles [50, 95, 99, 99.9] as payload keys. */
const PERCENTILE_KEYS = ['p50', 'p95', 'p99', 'p99_9'] as const;

// ------------------------------------------------------------------ types

interface Statistics {
  count: number;
  errors: number;
  error_rate: number;
  avg: number;
  min: number;
  max: number;
  [percentile: string]: number;
}

interface LastError {
  timestamp: string;
  type: string;
  details: string;
}

interface OperationPayload {
  service_name: string;
  operation: OperationName;
  timestamp: string;
  statistics: Statistics;
  last_error: LastError | null;
  dropped_events: number;
}

interface ComprehensivePayload {
  service_name: string;
  timestamp: string;
  operations: Record<string, Statistics>;
  resources?: { memory_mb: number; cpu_percent: number; active_connections: number; queue_depth: number };
  business?: { items_processed: number; throughput_per_second: number; custom_kpis: Record<string, number> };
  dropped_events: number;
}

interface Envelope {
  event_id: string;
  event_type: 'NODE_OPERATION_METRICS' | 'NODE_COMPREHENSIVE_METRICS';
  source_node_id: string;
  correlation_id: string | null;
  partition_key: string | null;
  payload: OperationPayload | ComprehensivePayload;
  metadata: { generator: string };
}

interface KafkaMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: unknown;
}

interface RecordedCall {
  event_type: string;
  source_node_id: string;
  payload: OperationPayload | ComprehensivePayload;
  topic: string | null;
  correlation_id: string | null;
  metadata: { generator: string } | null;
}

interface StandInRun {
  mode: string;
  /** False when stop_metrics was still running 5 s past its timeout. */
  stop_returned: boolean;
  /** Tasks still running after stop_metrics (the publisher's included). */
  leftover_tasks: string[];
  calls: RecordedCall[];
  results: { created: number; found: number; cancelled: number; key_errors: number };
  calls_seconds: number;
  stop_seconds: number;
  statistics: Record<OperationName, Statistics>;
  topics: { operation: string; comprehensive: string };
  service_name: string;
}

// ------------------------------------------------------------------ helpers

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $id: string };
const validateEvent = ajv.compile(schema);
const validatorOf = (definition: string): ValidateFunction => {
  const validate = ajv.getSchema(`${schema.$id}#/$defs/${definition}`);
  if (!validate) throw new Error(`schema has no $defs/${definition}`);
  return validate;
};

/** Schema errors of `document`, as readable strings (empty when valid). */
function ajvErrors(validate: ValidateFunction, document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}

/** The same documents through python-jsonschema (Draft 2020-12): invalid ones, with errors. */
function pythonSchemaErrors(documents: readonly unknown[], definition?: string): unknown[] {
  const args = [path.join(HELPERS, 'validate_events.py'), '--schema', SCHEMA_FILE];
  if (definition) args.push('--def', definition);
  const result = run(PYTHON, args, {
    input: documents.map((document) => JSON.stringify(document)).join('\n') + '\n',
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  expect(result.stderr).toBe('');
  const report = JSON.parse(result.stdout) as { checked: number; invalid: unknown[] };
  expect(report.checked).toBe(documents.length);
  return report.invalid;
}

/** Nearest rank on the window of the last calls: one key per contract percentile, ordered. */
function expectCoherentStatistics(statistics: Statistics, count: number, errors: number): void {
  expect(Object.keys(statistics).sort()).toEqual(
    ['count', 'errors', 'error_rate', 'avg', 'min', 'max', ...PERCENTILE_KEYS].sort(),
  );
  expect(statistics.count).toBe(count);
  expect(statistics.errors).toBe(errors);
  expect(statistics.error_rate).toBeCloseTo(errors / count, 12);
  const ordered = [statistics.min, ...PERCENTILE_KEYS.map((key) => statistics[key]), statistics.max];
  expect(ordered).toEqual([...ordered].sort((a, b) => (a ?? 0) - (b ?? 0)));
  expect(statistics.min).toBeGreaterThanOrEqual(0);
  expect(statistics.avg).toBeGreaterThanOrEqual(statistics.min);
  expect(statistics.avg).toBeLessThanOrEqual(statistics.max);
}

/** Errors of the example's rounds 0..calls-1: every third cancel (i % 3 == 0) misses. */
const cancelErrors = (calls: number): number => Math.ceil(calls / 3);

/** Temp dirs of this file, removed after its tests. */
const createdDirs: string[] = [];
afterAll(() => {
  for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of examples/orders_effect (without anything generated there) under a new temp dir. */
function copyExample(): { root: string; node: string } {
  const root = tempDir('onex-metrics-kafka-');
  createdDirs.push(root);
  const node = path.join(root, 'orders_effect');
  cpSync(EXAMPLE, node, {
    recursive: true,
    filter: (source) => {
      const name = path.basename(source);
      return name !== 'metrics' && name !== '.onex-metrics.yaml' && name !== '__pycache__';
    },
  });
  return { root, node };
}

/** Copies the example and generates its `metrics` package (omninode-bridge) with the built bin. */
function generateExample(answers: Record<string, unknown>): { root: string; node: string } {
  const dirs = copyExample();
  const file = writeAnswers(path.join(dirs.root, 'answers.json'), {
    targetDir: 'orders_effect',
    envelope: 'omninode-bridge',
    // These tests count events by call cadence: no time limit between them.
    minPublishIntervalSeconds: 0,
    ...answers,
  });
  const result = cli(['--answers', file, '--dest', dirs.root], dirs.root);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('create  orders_effect/metrics/mixin.py');
  return dirs;
}

/** A topic no earlier run has written to. */
const uniqueTopic = (): string => `orders_effect.metrics.${randomBytes(6).toString('hex')}`;

/** Runs `python node.py <calls>` in the example copy; `env` adds to (or unsets from) the test's env. */
function runExampleNode(
  node: string,
  calls: number,
  env: Record<string, string | undefined>,
  timeout: number,
): Result & { seconds: number } {
  const started = performance.now();
  const result = run(PYTHON, ['node.py', String(calls)], {
    cwd: node,
    timeout,
    // `default` shows ResourceWarnings, e.g. an unclosed producer or socket.
    env: { PYTHONWARNINGS: 'default', PYTHONDONTWRITEBYTECODE: '1', ...env },
  });
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** Lines a clean run must never print. */
const ALARMS = [
  'ResourceWarning',
  'Unclosed',
  'Task exception was never retrieved',
  'Task was destroyed',
  'never awaited',
  'building events failed',
];

/**
 * No alarm, and no traceback except (with `loggedFailures`) the one the publisher
 * logs with its rate-limited "sending failed" warning.
 */
function expectNoAlarms(output: string, loggedFailures = false): void {
  for (const alarm of ALARMS) expect(output, `output contains "${alarm}":\n${output}`).not.toContain(alarm);
  const lines = output.split('\n');
  lines.forEach((line, index) => {
    if (!line.startsWith('Traceback')) return;
    const expected =
      loggedFailures && /^metrics\.publisher metrics: sending failed, retrying/.test(lines[index - 1] ?? '');
    expect(expected, `unexpected traceback:\n${output}`).toBe(true);
  });
}

/** The last payload of each operation in `events` (in publication order). */
function lastOperationPayloads(payloads: readonly OperationPayload[]): Record<string, OperationPayload> {
  const last: Record<string, OperationPayload> = {};
  for (const payload of payloads) last[payload.operation] = payload;
  return last;
}

/** The `count` of each operation's events, in publication order. */
function countsByOperation(payloads: readonly OperationPayload[]): Record<string, number[]> {
  const counts: Record<string, number[]> = {};
  for (const payload of payloads) (counts[payload.operation] ??= []).push(payload.statistics.count);
  return counts;
}

// ------------------------------------------------------------------ tests

describe('the example node publishing to the Kafka test broker (aiokafka)', () => {
  const CALLS = 250;
  let bootstrap: string;
  let topic: string;
  let node: Result & { seconds: number };
  let messages: KafkaMessage[];

  beforeAll(() => {
    bootstrap = kafkaBootstrap();
    topic = uniqueTopic();
    const dirs = generateExample({ kafkaTopic: topic });
    node = runExampleNode(dirs.node, CALLS, { KAFKA_BOOTSTRAP_SERVERS: bootstrap }, 60_000);
    const consumed = run(
      PYTHON,
      [
        path.join(HELPERS, 'consume_events.py'),
        '--bootstrap',
        bootstrap,
        '--topic',
        topic,
        '--topic',
        `${topic}.comprehensive`,
        // At least one event per operation and a snapshot; all of them are there
        // once the node has exited, this only guards against a lagging high watermark.
        '--expect',
        String(OPERATIONS.length + 1),
        '--timeout',
        '40',
      ],
      { timeout: 60_000 },
    );
    expect(consumed.code, consumed.stderr).toBe(0);
    messages = consumed.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as KafkaMessage);
  });

  it('runs all its calls, flushes on stop_metrics and exits cleanly', () => {
    expect(node.code, `${node.stdout}\n${node.stderr}`).toBe(0);
    expectNoAlarms(node.stdout + node.stderr);
    expect(node.stderr).not.toContain('not delivered before stop');
    expect(node.stderr).not.toContain('sending failed');
    // With Kafka configured, events go to Kafka, not to the log.
    expect(node.stderr).not.toMatch(/^metrics\.events /m);
    expect(node.seconds).toBeLessThan(30);
  });

  it('publishes only events that validate against the event JSON Schema (ajv and python-jsonschema)', () => {
    expect(messages.length).toBeGreaterThan(0);
    const invalid = messages
      .map((message, index) => ({ index, errors: ajvErrors(validateEvent, message.value) }))
      .filter(({ errors }) => errors.length > 0);
    expect(invalid).toEqual([]);
    expect(pythonSchemaErrors(messages.map((message) => message.value))).toEqual([]);
  });

  it('keys every message by the envelope rule (here the source_node_id) and routes it by event type', () => {
    const ids = new Set<string>();
    for (const message of messages) {
      const envelope = message.value as Envelope;
      // The first of them that is set (a non-empty string).
      const expectedKey = [
        envelope.partition_key,
        envelope.correlation_id,
        envelope.source_node_id,
        envelope.event_id,
      ].find((candidate) => candidate !== null && candidate !== '');
      expect(message.key).toBe(expectedKey);
      expect(message.key).toBe(SERVICE_NAME);
      expect(envelope.source_node_id).toBe(SERVICE_NAME);
      expect(envelope.payload.service_name).toBe(SERVICE_NAME);
      expect(envelope.metadata.generator).toBe(`plop-pack-onex-metrics@${PACKAGE_VERSION}`);
      expect(envelope.payload.dropped_events).toBe(0);
      expect(message.topic).toBe(envelope.event_type === 'NODE_OPERATION_METRICS' ? topic : `${topic}.comprehensive`);
      ids.add(envelope.event_id);
    }
    expect(ids.size, 'event ids are unique').toBe(messages.length);
  });

  it('publishes every operation at its first call, then each publishIntervalOps (100) calls, and its final statistics on stop', () => {
    // One key for all events: each topic is one partition, so offsets are publication order.
    const payloads = messages
      .filter((message) => message.topic === topic)
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
      .map((message) => (message.value as Envelope).payload as OperationPayload);

    expect(countsByOperation(payloads)).toEqual({
      create_order: [1, 101, 201, CALLS],
      cancel_order: [1, 101, 201, CALLS],
      get_order: [1, 101, 201, CALLS],
    });

    const last = lastOperationPayloads(payloads);
    expect(Object.keys(last).sort()).toEqual([...OPERATIONS].sort());
    expectCoherentStatistics(last.create_order!.statistics, CALLS, 0);
    expectCoherentStatistics(last.cancel_order!.statistics, CALLS, cancelErrors(CALLS));
    expect(last.cancel_order!.statistics.errors).toBe(84);
    expectCoherentStatistics(last.get_order!.statistics, CALLS, 0);

    expect(last.create_order!.last_error).toBeNull();
    expect(last.get_order!.last_error).toBeNull();
    // The last miss is round 249 (the last i with i % 3 == 0).
    expect(last.cancel_order!.last_error).toMatchObject({ type: 'KeyError' });
    expect(last.cancel_order!.last_error!.details).toContain('no order missing-249');

    // create_order sleeps 1 ms; get_order is a dict lookup.
    expect(last.create_order!.statistics.min).toBeGreaterThan(0.5);
    expect(last.create_order!.statistics.p50!).toBeGreaterThan(last.get_order!.statistics.p50!);
  });

  it('ends with a comprehensive snapshot holding the same final statistics, resources and business sections', () => {
    const snapshots = messages
      .filter((message) => message.topic === `${topic}.comprehensive`)
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
      .map((message) => message.value as Envelope);
    expect(snapshots.length).toBeGreaterThanOrEqual(1);
    for (const snapshot of snapshots) expect(snapshot.event_type).toBe('NODE_COMPREHENSIVE_METRICS');

    const final = snapshots.at(-1)!.payload as ComprehensivePayload;
    expect(Object.keys(final.operations).sort()).toEqual([...OPERATIONS].sort());
    expectCoherentStatistics(final.operations.create_order!, CALLS, 0);
    expectCoherentStatistics(final.operations.cancel_order!, CALLS, 84);
    expectCoherentStatistics(final.operations.get_order!, CALLS, 0);

    // Nothing ran between the last operation events and the snapshot of stop_metrics.
    const last = lastOperationPayloads(
      messages
        .filter((message) => message.topic === topic)
        .sort((a, b) => a.offset - b.offset)
        .map((message) => (message.value as Envelope).payload as OperationPayload),
    );
    for (const operation of OPERATIONS) expect(final.operations[operation]).toEqual(last[operation]!.statistics);

    expect(final.resources).toBeDefined();
    expect(final.resources!.memory_mb).toBeGreaterThan(1);
    expect(final.resources!.cpu_percent).toBeGreaterThanOrEqual(0);
    expect(final.resources!.active_connections).toBe(0);
    expect(final.resources!.queue_depth).toBe(0);
    expect(final.business).toEqual({
      items_processed: 0,
      throughput_per_second: 0,
      custom_kpis: {},
    });
  });
});

describe("an ONEX node publishing through its kafka_client's publish_with_envelope", () => {
  const CALLS = 25;
  let packageDir: string;
  let topic: string;

  beforeAll(() => {
    topic = uniqueTopic();
    // An event every 10 calls, so the 25 rounds publish during the calls too.
    packageDir = generateExample({ kafkaTopic: topic, publishIntervalOps: 10 }).node;
  });

  function runStandIn(mode: 'ok' | 'false' | 'raise' | 'hang', stopTimeout: number): Result & { report: StandInRun } {
    const result = run(
      PYTHON,
      [
        path.join(HELPERS, 'onex_client_node.py'),
        '--package-dir',
        packageDir,
        '--mode',
        mode,
        '--calls',
        String(CALLS),
        '--stop-timeout',
        String(stopTimeout),
      ],
      {
        timeout: 30_000,
        // KAFKA_BOOTSTRAP_SERVERS is set (to a closed port): the kafka_client must win over it.
        env: { PYTHONWARNINGS: 'default', PYTHONDONTWRITEBYTECODE: '1', KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9' },
      },
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expectNoAlarms(result.stdout + result.stderr, mode !== 'ok');
    const report = JSON.parse(result.stdout) as StandInRun;
    expect(report.stop_returned, `stop_metrics(${stopTimeout}) never returned:\n${result.stderr}`).toBe(true);
    expect(report.leftover_tasks, 'tasks still running after stop_metrics').toEqual([]);
    return { ...result, report };
  }

  /** What the node's own operations returned: the same whatever the client does. */
  function expectNodeUnaffected(report: StandInRun): void {
    expect(report.results).toEqual({
      created: CALLS,
      found: CALLS,
      cancelled: CALLS - cancelErrors(CALLS),
      key_errors: cancelErrors(CALLS),
    });
    expectCoherentStatistics(report.statistics.create_order, CALLS, 0);
    expectCoherentStatistics(report.statistics.cancel_order, CALLS, cancelErrors(CALLS));
    expectCoherentStatistics(report.statistics.get_order, CALLS, 0);
  }

  it('hands every event to publish_with_envelope with its type, topic, source node and a valid payload', () => {
    const { report, stderr } = runStandIn('ok', 2);
    expectNodeUnaffected(report);
    expect(report.topics).toEqual({ operation: topic, comprehensive: `${topic}.comprehensive` });
    expect(report.stop_seconds).toBeLessThan(1);
    expect(stderr).not.toContain('not delivered before stop');
    expect(stderr).not.toContain('sending failed');
    // Events go to the client only: not to the log, and not to aiokafka (its port 9 is closed).
    expect(stderr).not.toMatch(/^metrics\.events /m);
    expect(stderr).not.toContain('aiokafka');

    const operationCalls = report.calls.filter((call) => call.event_type === 'NODE_OPERATION_METRICS');
    const snapshotCalls = report.calls.filter((call) => call.event_type === 'NODE_COMPREHENSIVE_METRICS');
    expect(operationCalls.length + snapshotCalls.length).toBe(report.calls.length);
    for (const call of operationCalls) expect(call.topic).toBe(topic);
    for (const call of snapshotCalls) expect(call.topic).toBe(`${topic}.comprehensive`);
    for (const call of report.calls) {
      expect(call.source_node_id).toBe(SERVICE_NAME);
      expect(call.correlation_id).toBeNull();
      expect(call.metadata).toEqual({ generator: `plop-pack-onex-metrics@${PACKAGE_VERSION}` });
      expect(call.payload.service_name).toBe(SERVICE_NAME);
    }

    // Payloads match the schema's payload definitions (ajv and python-jsonschema).
    const validateOperation = validatorOf('operationPayload');
    const validateSnapshot = validatorOf('comprehensivePayload');
    expect(operationCalls.flatMap((call) => ajvErrors(validateOperation, call.payload))).toEqual([]);
    expect(snapshotCalls.flatMap((call) => ajvErrors(validateSnapshot, call.payload))).toEqual([]);
    expect(
      pythonSchemaErrors(
        operationCalls.map((call) => call.payload),
        'operationPayload',
      ),
    ).toEqual([]);
    expect(
      pythonSchemaErrors(
        snapshotCalls.map((call) => call.payload),
        'comprehensivePayload',
      ),
    ).toEqual([]);

    // At the first call, every 10 calls after it, then the rest on stop; then one final snapshot.
    const payloads = operationCalls.map((call) => call.payload as OperationPayload);
    expect(countsByOperation(payloads)).toEqual({
      create_order: [1, 11, 21, CALLS],
      cancel_order: [1, 11, 21, CALLS],
      get_order: [1, 11, 21, CALLS],
    });
    expect(snapshotCalls).toHaveLength(1);
    expect(report.calls.at(-1)!.event_type).toBe('NODE_COMPREHENSIVE_METRICS');
    const last = lastOperationPayloads(payloads);
    for (const operation of OPERATIONS) expect(last[operation]!.statistics).toEqual(report.statistics[operation]);
    const snapshot = snapshotCalls[0]!.payload as ComprehensivePayload;
    expect(snapshot.operations).toEqual(report.statistics);
    expect(snapshot.resources).toBeDefined();
    expect(snapshot.business).toBeDefined();
  });

  it.each([
    ['false', 'returns False'],
    ['raise', 'raises'],
    ['hang', 'never returns'],
  ] as const)(
    'keeps the node working when publish_with_envelope %s (%s), and stop_metrics keeps its timeout',
    (mode, behaviour) => {
      const STOP_TIMEOUT = 1.5;
      const { report, stderr } = runStandIn(mode, STOP_TIMEOUT);
      expectNodeUnaffected(report);
      // The client was tried (and, unless it hangs, retried) ...
      expect(report.calls.length, `a client that ${behaviour} was never called`).toBeGreaterThanOrEqual(1);
      if (mode !== 'hang') {
        expect(report.calls.length).toBeGreaterThanOrEqual(2);
        expect(stderr).toMatch(/metrics: sending failed, retrying/);
      }
      // ... never slowed the calls down ...
      expect(report.calls_seconds).toBeLessThan(2);
      // ... and stop_metrics gave up after its timeout, saying so.
      expect(report.stop_seconds).toBeGreaterThanOrEqual(STOP_TIMEOUT - 0.05);
      expect(report.stop_seconds).toBeLessThan(STOP_TIMEOUT + 1);
      expect(stderr).toMatch(/metrics: \d+ event\(s\) not delivered before stop/);
      // The first attempt carried a valid operation payload.
      expect(ajvErrors(validatorOf('operationPayload'), report.calls[0]!.payload)).toEqual([]);
    },
  );

  it('returns from stop_metrics even when a failing publish ends at the moment stop cancels the publisher', () => {
    // For each delay d, the client's first publish starts stop_metrics(0) and fails d loop
    // steps later: the failure sweeps across the moment stop cancels the publisher task.
    const result = run(
      PYTHON,
      [
        path.join(HELPERS, 'onex_client_node.py'),
        '--package-dir',
        packageDir,
        '--race-sweep',
        '12',
        '--stop-timeout',
        '2',
      ],
      { timeout: 60_000, env: { PYTHONDONTWRITEBYTECODE: '1' } },
    );
    expect(result.code, result.stderr).toBe(0);
    const { race } = JSON.parse(result.stdout) as { race: { delay: number; stop_returned: boolean }[] };
    expect(race).toHaveLength(12);
    const hung = race.filter((outcome) => !outcome.stop_returned).map((outcome) => outcome.delay);
    expect(hung, 'delays at which stop_metrics never returned').toEqual([]);
  });
});

describe('the example node with no broker listening', () => {
  it('completes its calls, exits 0 and stop_metrics gives up within its timeout', async () => {
    const port = await freePort();
    const dirs = generateExample({ kafkaTopic: uniqueTopic() });
    const BOUND_MS = 30_000;
    const node = runExampleNode(dirs.node, 250, { KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}` }, BOUND_MS);

    expect(node.code, `${node.stdout}\n${node.stderr}`).toBe(0);
    expectNoAlarms(node.stdout + node.stderr, true);
    // stop_metrics() waits SEND_TIMEOUT_SECONDS (5 s) by default, then returns.
    expect(node.seconds).toBeGreaterThanOrEqual(4.5);
    expect(node.seconds).toBeLessThan(12);
    expect(node.stderr).toMatch(/metrics: sending failed, retrying/);
    // 250 rounds: 4 events per operation (at its first call, 101, 201 and on stop) and the
    // final snapshot, none delivered; so all the calls ran (200 would give 10) and the
    // publisher kept them, the one in flight when stop gave up included.
    const undelivered = /metrics: (\d+) event\(s\) not delivered before stop/.exec(node.stderr);
    expect(undelivered, node.stderr).not.toBeNull();
    expect(Number(undelivered![1])).toBe(4 * OPERATIONS.length + 1);
    // Nothing falls back to the log.
    expect(node.stderr).not.toMatch(/^metrics\.events /m);
  });
});
