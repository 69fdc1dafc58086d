/**
 * The newcomer path of the README, without Kafka: copy examples/orders_effect,
 * generate its `metrics` package with the bin, run `python node.py`, read the events
 * in the log. And what a newcomer sees when running the node before generating.
 */
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, REPO, run, tempDir, venvBin, writeAnswers, type Result } from './support/helpers.js';

const EXAMPLE = path.join(REPO, 'examples', 'orders_effect');
const SCHEMA_FILE = path.join(REPO, 'schema', 'onex-metrics-event.schema.json');
const PYTHON = venvBin('python');

/** Defaults from examples/orders_effect/contract.yaml (name orders_effect) and the onex envelope. */
const SERVICE_NAME = 'orders_effect';
const OPERATION_TOPIC = 'onex.evt.orders-effect.operation-metrics.v1';
const SNAPSHOT_TOPIC = 'onex.evt.orders-effect.node-metrics.v1';
const OPERATIONS = ['create_order', 'cancel_order', 'get_order'];

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validateEvent = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

interface Statistics {
  count: number;
  errors: number;
  error_rate: number;
  [key: string]: number;
}

interface LoggedEvent {
  topic: string;
  event: {
    event_type: string;
    producer: string;
    payload: {
      operation?: string;
      statistics?: Statistics;
      operations?: Record<string, Statistics>;
      last_error?: { type: string; details: string } | null;
    };
  };
}

/** Temp dirs of this file, removed after its tests. */
const createdDirs: string[] = [];
afterAll(() => {
  for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the example, leaving out anything generated in the repository's copy. */
function copyExample(): { root: string; node: string } {
  const root = tempDir('onex-metrics-example-');
  createdDirs.push(root);
  const node = path.join(root, 'orders_effect');
  cpSync(EXAMPLE, node, {
    recursive: true,
    filter: (source) => !['metrics', '.onex-metrics.yaml', '__pycache__'].includes(path.basename(source)),
  });
  return { root, node };
}

/**
 * `python node.py <calls>` in `node`, with Kafka explicitly not configured; the log
 * shows whole envelopes (`ONEX_METRICS_LOG_ENVELOPES=1`) unless `summary`.
 */
function runNode(node: string, calls: number, summary = false): Result {
  return run(PYTHON, ['node.py', String(calls)], {
    cwd: node,
    timeout: 60_000,
    env: {
      KAFKA_BOOTSTRAP_SERVERS: undefined,
      ONEX_METRICS_LOG_ENVELOPES: summary ? undefined : '1',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONWARNINGS: 'default',
    },
  });
}

/** The `metrics.events <topic> {json}` lines of the LoggingTransport, parsed. */
function loggedEvents(output: string): LoggedEvent[] {
  const events: LoggedEvent[] = [];
  for (const line of output.split('\n')) {
    const match = /^metrics\.events (\S+) (\{.*\})$/.exec(line);
    if (match) events.push({ topic: match[1]!, event: JSON.parse(match[2]!) as LoggedEvent['event'] });
  }
  return events;
}

describe('the example node, generated with the bin and run without Kafka', () => {
  const CALLS = 120;
  let generated: Result;
  let node: Result;
  let events: LoggedEvent[];
  let dirs: { root: string; node: string };

  beforeAll(() => {
    dirs = copyExample();
    // Only the directory: everything else comes from contract.yaml and the defaults.
    const answers = writeAnswers(path.join(dirs.root, 'answers.json'), { targetDir: 'orders_effect' });
    generated = cli(['--answers', answers, '--dest', dirs.root], dirs.root);
    node = runNode(dirs.node, CALLS);
    events = loggedEvents(node.stdout + node.stderr);
  });

  it('generates the metrics package next to node.py', () => {
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('Done.');
    for (const file of ['__init__.py', 'mixin.py', 'decorator.py', 'transport.py', 'publisher.py']) {
      expect(existsSync(path.join(dirs.node, 'metrics', file)), file).toBe(true);
    }
  });

  it('runs to the end (exit 0) and logs its events as "metrics.events <topic> {json}"', () => {
    expect(node.code, `${node.stdout}\n${node.stderr}`).toBe(0);
    for (const alarm of ['Traceback', 'ResourceWarning', 'Task exception was never retrieved', 'never awaited']) {
      expect(node.stdout + node.stderr).not.toContain(alarm);
    }
    expect(node.stderr).not.toContain('not delivered before stop');
    // 120 calls, publishIntervalOps 100, at most one event a second: each operation at its
    // first call, at its 100th only if a second has passed since (else the event waits for
    // the second, or for stop), and on stop with every call; then the snapshot.
    const seen = events.map(({ topic, event }) => `${topic} ${event.event_type} ${event.payload.operation ?? '-'}`);
    expect(seen.filter((line) => line.includes(' node-metrics '))).toEqual([`${SNAPSHOT_TOPIC} node-metrics -`]);
    for (const operation of OPERATIONS) {
      const counts = events
        .filter(({ topic, event }) => topic === OPERATION_TOPIC && event.payload.operation === operation)
        .map(({ event }) => event.payload.statistics!.count);
      expect(counts[0], operation).toBe(1);
      expect(counts.at(-1), operation).toBe(CALLS);
      expect(counts.length, operation).toBeLessThanOrEqual(3);
    }
    expect(seen.at(-1), 'the snapshot of stop_metrics comes last').toMatch(/ node-metrics -$/);
  });

  it('by default logs one short line an event: counts, error rate, percentiles and max in ms, drops', () => {
    const quiet = runNode(dirs.node, CALLS, true);
    expect(quiet.code, quiet.stderr).toBe(0);
    const lines = (quiet.stdout + quiet.stderr).split('\n').filter((line) => line.startsWith('metrics.events '));
    expect(lines).toHaveLength(events.length);
    const ms = '[0-9.e+-]+ ms';
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^metrics\\.events orders_effect cancel_order: 120 calls, 40 errors \\(33\\.3%\\), p50 ${ms}, p95 ${ms}, p99 ${ms}, p99_9 ${ms}, max ${ms}; 0 events dropped$`,
          ),
        ),
      ]),
    );
    expect(lines.at(-1)).toMatch(
      /^metrics\.events orders_effect snapshot: 3 operations, 360 calls, 40 errors, memory [0-9.]+ MB, cpu [0-9.]+ %, 0 items\/s; 0 events dropped$/,
    );
    for (const line of lines) expect(line.length).toBeLessThan(200);
  });

  it('logs only events that validate against the event JSON Schema', () => {
    expect(events.length).toBeGreaterThan(0);
    const invalid = events
      .map(({ event }, index) => ({ index, valid: validateEvent(event), errors: validateEvent.errors ?? null }))
      .filter(({ valid }) => !valid);
    expect(invalid).toEqual([]);
    for (const { event } of events) expect(event.producer).toBe(SERVICE_NAME);
  });

  it("logs the node's final statistics: 120 calls each, every third cancel an error", () => {
    const errors = Math.ceil(CALLS / 3); // i % 3 == 0 for i in 0..119
    const expected: Record<string, [number, number]> = {
      create_order: [CALLS, 0],
      cancel_order: [CALLS, errors],
      get_order: [CALLS, 0],
    };
    const final = events.at(-1)!.event.payload.operations!;
    const lastOf = (operation: string) =>
      events.filter(({ event }) => event.payload.operation === operation).at(-1)!.event.payload;
    for (const [operation, [count, failed]] of Object.entries(expected)) {
      expect(lastOf(operation).statistics).toMatchObject({ count, errors: failed });
      expect(final[operation]).toMatchObject({ count, errors: failed, error_rate: failed / count });
    }
    expect(lastOf('cancel_order').last_error).toMatchObject({ type: 'KeyError' });
    expect(lastOf('cancel_order').last_error!.details).toContain('missing-117');
  });
});

describe('the example node before generating', () => {
  it('exits non-zero and tells to run `npx plop metrics`', () => {
    const { node } = copyExample();
    expect(existsSync(path.join(node, 'metrics'))).toBe(false);
    const result = runNode(node, 5);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('npx plop metrics');
    expect(result.stderr).toContain("No module named 'metrics'");
    expect(result.stderr).not.toContain('Traceback');
  });
});
