/**
 * The generated code against the real ONEX framework: omnibase-core, -spi and -infra as
 * published on PyPI, installed by scripts/onex-env into a venv of their own (Python
 * >= 3.12, no psutil).
 *
 * - Every event of both kinds, from generated Python and generated TypeScript, is a
 *   `ModelEventEnvelope` (omnibase-core validates it, and dumps it back unchanged).
 * - A node of a real ONEX class (`NodeEffect`) with the mixin publishes through the real
 *   `EventBusInmemory`, and through the real `EventBusKafka` to the test broker with
 *   ONEX topic enforcement on: what arrives validates, with exact counts.
 * - Operations are found in every contract.yaml of the installed packages that names any.
 * - The package, with the omnibase packages alone, imports, passes its own tests,
 *   mypy --strict, ruff and omnibase-core's code checks; the real event buses satisfy
 *   its `EventBus` protocol under mypy --strict.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { contractDefaults } from '../src/generators/metrics/answers/contract.js';
import { cli, onexBin, ONEX_VENV, REPO, run, runAsync, tempDir, venvBin, writeAnswers } from './support/helpers.js';
import { consumeEvents, kafkaBootstrap } from './support/kafka.js';
import { bin, makeTypescriptProject } from './support/typescript.js';

const ONEX_HELPERS = path.join(REPO, 'test', 'onex');
const OPERATIONS = ['create_order', 'cancel_order', 'gateway.attach'] as const;
const CALLS = 250;
/** One call in three of cancel_order fails (rounds 0, 3, ...). */
const CANCEL_ERRORS = Math.ceil(CALLS / 3);

interface Validation {
  checked: number;
  invalid: { index: number; errors: string[] }[];
  event_types: Record<string, number>;
}

interface NodeRun {
  statistics: Record<string, { count: number; errors: number }>;
  cancel_errors: number;
  publisher: { queued: number; sent: number; dropped: number; transport: string };
  topics: { operation: string; snapshot: string };
  delivered: [string, string | null, string][];
}

interface Envelope {
  event_type: string;
  producer: string;
  payload: { operation?: string; statistics?: { count: number; errors: number }; dropped_events: number };
  metadata: { tags: Record<string, string> };
}

/** Events (JSON lines) through omnibase-core's ModelEventEnvelope. */
function validateEnvelopes(events: readonly string[]): Validation {
  const result = run(onexBin('python'), [path.join(ONEX_HELPERS, 'validate_envelopes.py')], {
    input: `${events.join('\n')}\n`,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  expect(result.stderr).toBe('');
  const validation = JSON.parse(result.stdout) as Validation;
  expect(validation.checked).toBe(events.length);
  return validation;
}

/** A Python package for the node of test/onex/node_with_bus.py; returns its node directory. */
function generateNodePackage(extra: Record<string, unknown> = {}): string {
  const dest = tempDir('onex-node-');
  writeAnswers(path.join(dest, 'answers.json'), {
    targetDir: 'node',
    serviceName: 'orders_effect',
    serviceVersion: '1.0.0',
    operations: [...OPERATIONS],
    publishIntervalOps: 50,
    minPublishIntervalSeconds: 0,
    ...extra,
  });
  const result = cli(['--answers', 'answers.json'], dest);
  expect(result.code, result.stderr).toBe(0);
  return path.join(dest, 'node');
}

async function runNode(node: string, args: string[], env: Record<string, string> = {}): Promise<NodeRun> {
  const result = await runAsync(
    onexBin('python'),
    [path.join(ONEX_HELPERS, 'node_with_bus.py'), '--package-dir', node, '--calls', String(CALLS), ...args],
    { cwd: node, timeout: 120_000, env: { PYTHONDONTWRITEBYTECODE: '1', ...env } },
  );
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  // Nothing of ours is logged per call or per event: a clean run prints no warning.
  expect(result.stderr).not.toMatch(/^metrics/m);
  return JSON.parse(result.stdout) as NodeRun;
}

/** The counts of each operation's events in publication order, and the snapshot count. */
function countsOf(envelopes: readonly Envelope[]): { operations: Record<string, number[]>; snapshots: number } {
  const operations: Record<string, number[]> = {};
  let snapshots = 0;
  for (const envelope of envelopes) {
    if (envelope.event_type === 'node-metrics') snapshots += 1;
    else (operations[envelope.payload.operation!] ??= []).push(envelope.payload.statistics!.count);
  }
  return { operations, snapshots };
}

/** At the first call, then every 50 calls, the last at 250 (from stop_metrics), and one snapshot. */
const EXPECTED_COUNTS = {
  operations: Object.fromEntries(OPERATIONS.map((operation) => [operation, [1, 51, 101, 151, 201, 250]])),
  snapshots: 1,
};

function expectExactStatistics(report: NodeRun): void {
  expect(report.cancel_errors).toBe(CANCEL_ERRORS);
  expect(report.statistics.create_order).toMatchObject({ count: CALLS, errors: 0 });
  expect(report.statistics.cancel_order).toMatchObject({ count: CALLS, errors: CANCEL_ERRORS });
  expect(report.statistics['gateway.attach']).toMatchObject({ count: CALLS, errors: 0 });
  expect(report.publisher.dropped).toBe(0);
  expect(report.publisher.sent).toBe(report.publisher.queued);
}

describe('events of generated code are ModelEventEnvelopes of omnibase-core', () => {
  it('Python: a NodeEffect with the mixin publishes through the real EventBusInmemory, every event valid, counts exact', async () => {
    const report = await runNode(generateNodePackage(), ['--bus', 'inmemory']);
    expectExactStatistics(report);
    expect(report.publisher.transport).toBe('EventBusTransport');
    expect(report.topics).toEqual({
      operation: 'onex.evt.orders-effect.operation-metrics.v1',
      snapshot: 'onex.evt.orders-effect.node-metrics.v1',
    });
    // What the bus delivered to its subscribers is what the publisher sent.
    expect(report.delivered).toHaveLength(report.publisher.sent);
    const validation = validateEnvelopes(report.delivered.map(([, , value]) => value));
    expect(validation.invalid).toEqual([]);
    expect(validation.event_types).toEqual({ 'operation-metrics': 18, 'node-metrics': 1 });
    const envelopes = report.delivered.map(([, , value]) => JSON.parse(value) as Envelope);
    expect(countsOf(envelopes)).toEqual(EXPECTED_COUNTS);
    for (const [topic, key, value] of report.delivered) {
      const envelope = JSON.parse(value) as Envelope;
      expect(topic).toBe(envelope.event_type === 'node-metrics' ? report.topics.snapshot : report.topics.operation);
      expect(key).toBe('orders_effect');
      expect(envelope.producer).toBe('orders_effect');
      expect(envelope.metadata.tags).toMatchObject({ service_version: '1.0.0', environment: 'development' });
    }
    const snapshot = envelopes.at(-1)!.payload as unknown as { operations: NodeRun['statistics'] };
    expect(snapshot.operations.cancel_order).toMatchObject({ count: CALLS, errors: CANCEL_ERRORS });
  });

  it('TypeScript: operation events and the snapshot are valid too', () => {
    const dest = tempDir('onex-ts-');
    const node = makeTypescriptProject(path.join(dest, 'node'));
    writeAnswers(path.join(dest, 'answers.json'), {
      language: 'typescript',
      targetDir: 'node',
      serviceName: 'orders_service',
      serviceVersion: '2.1.0',
      operations: ['create_order', 'gateway.attach'],
    });
    expect(cli(['--answers', 'answers.json'], dest).code).toBe(0);
    copyFileSync(path.join(REPO, 'test/typescript/emit-events.ts'), path.join(node, 'emit-events.ts'));
    const emitted = run(bin('tsx'), ['emit-events.ts'], { cwd: node, env: { ONEX_REGION: 'eu-west-1' } });
    expect(emitted.code, emitted.stderr).toBe(0);
    const events = emitted.stdout.trim().split('\n');
    const validation = validateEnvelopes(events);
    expect(validation.invalid).toEqual([]);
    // Published at the first call, at 10 and 20 calls of each operation, the rest (25)
    // on stop, then the snapshot.
    expect(validation.event_types).toEqual({ 'operation-metrics': 8, 'node-metrics': 1 });
    const first = JSON.parse(events[0]!) as Envelope;
    expect(first.metadata.tags).toMatchObject({ service_version: '2.1.0', region: 'eu-west-1' });
  });

  it('while omninode-bridge events (OnexEnvelopeV1, the older generation) are refused, as the issue found', () => {
    const dest = tempDir('onex-bridge-');
    writeAnswers(path.join(dest, 'answers.json'), { envelope: 'omninode-bridge', serviceName: 'x', operations: ['a'] });
    expect(cli(['--answers', 'answers.json'], dest).code).toBe(0);
    const script = [
      'import asyncio, metrics',
      'class Node(metrics.MetricsTrackingMixin): pass',
      'async def main():',
      '    node, transport = Node(), metrics.MemoryTransport()',
      '    node._initialize_metrics(transport=transport)',
      '    await node._track_operation_metrics("a", 1.0, True)',
      '    await node.stop_metrics()',
      '    for _, _, value in transport.messages: print(value.decode())',
      'asyncio.run(main())',
    ].join('\n');
    const emitted = run(venvBin('python'), ['-c', script], { cwd: dest });
    expect(emitted.code, emitted.stderr).toBe(0);
    const validation = validateEnvelopes(emitted.stdout.trim().split('\n'));
    expect(validation.invalid).toHaveLength(2);
    expect(validation.invalid[0]!.errors).toEqual(
      expect.arrayContaining([
        'envelope_version: Input should be an object',
        'event_id: Extra inputs are not permitted',
      ]),
    );
  });
});

describe('a NodeEffect publishing through the real EventBusKafka to the test broker, ONEX topics enforced', () => {
  const consume = async (topics: NodeRun['topics'], expected: number): Promise<string[]> =>
    (await consumeEvents([topics.operation, topics.snapshot], expected, { timeoutSeconds: 40 })).map((event) =>
      JSON.stringify(event.value),
    );
  /** Topics no earlier run wrote to, in the ONEX format. */
  const uniqueTopics = () => {
    const suffix = randomBytes(5).toString('hex');
    return {
      kafkaTopic: `onex.evt.orders-effect.operation-metrics-${suffix}.v1`,
      snapshotTopic: `onex.evt.orders-effect.node-metrics-${suffix}.v1`,
    };
  };
  const env = { ONEX_TOPIC_ENFORCEMENT_MODE: 'reject' };

  it.each([
    ['given to _initialize_metrics(event_bus=...)', 'kafka', 'EventBusTransport'],
    ['made by the package from KAFKA_BOOTSTRAP_SERVERS', 'env', 'KafkaEventBusTransport'],
  ])('delivers every event, valid and exactly counted, with the bus %s', async (_how, bus, transport) => {
    const node = generateNodePackage(uniqueTopics());
    const args = bus === 'kafka' ? ['--bus', 'kafka', '--bootstrap', kafkaBootstrap()] : ['--bus', 'env'];
    const report = await runNode(node, args, { ...env, KAFKA_BOOTSTRAP_SERVERS: kafkaBootstrap() });
    expectExactStatistics(report);
    expect(report.publisher.transport).toBe(transport);
    const events = await consume(report.topics, report.publisher.sent);
    expect(events).toHaveLength(report.publisher.sent);
    const validation = validateEnvelopes(events);
    expect(validation.invalid).toEqual([]);
    expect(countsOf(events.map((event) => JSON.parse(event) as Envelope))).toEqual(EXPECTED_COUNTS);
  });

  it('runs where EventBusKafka does refuse a topic outside the ONEX format (the enforcement is on)', async () => {
    const script = [
      'import asyncio, sys',
      'from omnibase_infra.event_bus.event_bus_kafka import EventBusKafka',
      'async def main():',
      '    bus = EventBusKafka.from_bootstrap(sys.argv[1])',
      '    await bus.start()',
      '    try:',
      '        await bus.publish_envelope({"payload": {}}, "orders_effect.metrics.v1", key=b"x")',
      '        print("published")',
      '    except Exception as error:',
      '        print("refused:", type(error).__name__)',
      '    finally:',
      '        await bus.close()',
      'asyncio.run(main())',
    ].join('\n');
    const result = await runAsync(onexBin('python'), ['-c', script, kafkaBootstrap()], { timeout: 60_000, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toMatch(/^refused: /);
  });
});

describe("a real node of omnibase-infra, node_checkpoint_effect, through ONEX's real routing", () => {
  it('scaffolded from its contract alone, tracks its three real handlers: exact counts and errors, valid events, no log per call', async () => {
    const sitePackages = path.join(ONEX_VENV, 'lib', readdirSync(path.join(ONEX_VENV, 'lib'))[0]!, 'site-packages');
    const dest = tempDir('onex-checkpoint-');
    mkdirSync(path.join(dest, 'node'));
    copyFileSync(
      path.join(sitePackages, 'omnibase_infra/nodes/node_checkpoint_effect/contract.yaml'),
      path.join(dest, 'node', 'contract.yaml'),
    );
    writeAnswers(path.join(dest, 'answers.json'), { targetDir: 'node' });
    const generated = cli(['--answers', 'answers.json'], dest);
    expect(generated.code, generated.stderr).toBe(0);
    const record = parseYaml(readFileSync(path.join(dest, 'node', '.onex-metrics.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(record).toMatchObject({
      serviceName: 'node_checkpoint_effect',
      serviceVersion: '1.0.0',
      operations: ['write_checkpoint', 'read_checkpoint', 'list_checkpoints'],
      trackHandlers: true,
    });

    const ROUNDS = 30;
    const result = await runAsync(
      onexBin('python'),
      [
        path.join(ONEX_HELPERS, 'checkpoint_node.py'),
        '--package-dir',
        path.join(dest, 'node'),
        '--rounds',
        String(ROUNDS),
      ],
      { cwd: dest, timeout: 120_000, env: { HOME: dest, PYTHONDONTWRITEBYTECODE: '1' } },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      expected: Record<string, { count: number; errors: number }>;
      delivered: string[];
      log: string[];
      transport: string;
    };
    // Writes: one a round, a second (refused) every third round; reads: the phase
    // written and one never written (returned success=False); one list a round.
    expect(report.expected).toEqual({
      write_checkpoint: { count: ROUNDS + ROUNDS / 3, errors: ROUNDS / 3 },
      read_checkpoint: { count: 2 * ROUNDS, errors: ROUNDS },
      list_checkpoints: { count: ROUNDS, errors: 0 },
    });
    expect(report.transport).toBe('EventBusTransport');
    expect(report.log, 'the metrics loggers said something during the calls').toEqual([]);
    const validation = validateEnvelopes(report.delivered);
    expect(validation.invalid).toEqual([]);
    const last: Record<string, { count: number; errors: number }> = {};
    for (const event of report.delivered.map((value) => JSON.parse(value) as Envelope)) {
      if (event.event_type === 'operation-metrics') last[event.payload.operation!] = event.payload.statistics!;
    }
    for (const [operation, { count, errors }] of Object.entries(report.expected)) {
      expect(last[operation], operation).toMatchObject({ count, errors });
    }
  });
});

describe("the README's handler example (examples/orders_handlers), as a newcomer runs it", () => {
  it('scaffolded from its contract alone, runs with the omnibase packages and logs valid events with exact counts', () => {
    const dest = tempDir('onex-handlers-example-');
    const node = path.join(dest, 'orders_handlers');
    cpSync(path.join(REPO, 'examples', 'orders_handlers'), node, {
      recursive: true,
      filter: (source) => !['metrics', '.onex-metrics.yaml', '__pycache__'].includes(path.basename(source)),
    });
    writeAnswers(path.join(dest, 'answers.json'), { targetDir: 'orders_handlers' });
    const generated = cli(['--answers', 'answers.json'], dest);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('create  orders_handlers/metrics/handlers.py');

    const CALLS = 60;
    const result = run(onexBin('python'), ['node.py', String(CALLS)], {
      cwd: node,
      timeout: 120_000,
      env: { KAFKA_BOOTSTRAP_SERVERS: undefined, ONEX_METRICS_LOG_ENVELOPES: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(result.code, result.stderr).toBe(0);
    const events = (result.stdout + result.stderr)
      .split('\n')
      .map((line) => /^metrics\.events (\S+) (\{.*\})$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => match[2]!);
    expect(validateEnvelopes(events).invalid).toEqual([]);
    const last: Record<string, { count: number; errors: number }> = {};
    for (const event of events.map((value) => JSON.parse(value) as Envelope)) {
      if (event.event_type === 'operation-metrics') last[event.payload.operation!] = event.payload.statistics!;
    }
    expect(last.create_order).toMatchObject({ count: CALLS, errors: 0 });
    expect(last.cancel_order).toMatchObject({ count: CALLS, errors: CALLS / 3 });
  });
});

describe('operations in every contract.yaml of the installed omnibase packages', () => {
  /**
   * Where a contract may hold a name under an operation-like key, and whether the
   * name is one of the node's operations. A path not listed here makes the test fail:
   * a new layout must be read or explicitly set aside.
   */
  const OPERATION_PATHS: Record<string, string> = {
    'handler_routing.handlers[].operation': 'handler_routing.handlers[].operation',
    'io_operations[].operation': 'io_operations[]',
    'io_operations[].operation_type': 'io_operations[]',
    'io_operations[].name': 'io_operations[]',
    'effect_operations.operations[].operation_name': 'effect_operations.operations[]',
    'effect_operations.operations[].name': 'effect_operations.operations[]',
    'subcontracts.effect.operations[]': 'subcontracts.effect.operations',
    'operations[]': 'operations',
  };
  /** Operation-like keys that name something else: error codes, benchmarks, FSM steps. */
  const NOT_OPERATIONS = [
    /^error_handling\.error_codes\[\]\.operation$/,
    /^timing_constraints\.validations\[\]\.operation$/,
    /^performance_benchmarks\.[a-z_]+\.metrics\[\]\.operation$/,
    /^input_subscriptions\[\]\.operation$/,
    /^state_transitions\.operations\[\]\.operation_(name|type)$/,
    /^board_checks\[\]\.operation$/,
    /^effect_operations\.operations\[\]\.io_config\.operation$/,
    /^effect\.operation_name$/,
    /^workflow_coordination\..*\.step_config\.operation$/,
  ];

  /** Every string under a key named operation, operation_name or operation_type, or in an operations list. */
  function namedOperations(node: unknown, at = ''): { path: string; name: string }[] {
    if (Array.isArray(node)) return node.flatMap((item) => namedOperations(item, `${at}[]`));
    if (typeof node !== 'object' || node === null) return [];
    return Object.entries(node).flatMap(([key, value]) => {
      const here = at ? `${at}.${key}` : key;
      const found: { path: string; name: string }[] = [];
      if (['operation', 'operation_name', 'operation_type', 'name'].includes(key) && typeof value === 'string') {
        found.push({ path: here, name: value });
      }
      if (key === 'operations' && Array.isArray(value)) {
        for (const item of value) if (typeof item === 'string') found.push({ path: `${here}[]`, name: item });
      }
      if (key === 'operations' && !Array.isArray(value) && typeof value === 'object' && value !== null && at === '') {
        for (const name of Object.keys(value)) found.push({ path: 'operations[]', name });
      }
      return [...found, ...namedOperations(value, here)];
    });
  }

  it('finds the operations of every contract that names any, by layout, and prints the share', () => {
    const sitePackages = path.join(ONEX_VENV, 'lib', readdirSync(path.join(ONEX_VENV, 'lib'))[0]!, 'site-packages');
    const contracts = ['omnibase_core', 'omnibase_spi', 'omnibase_infra'].flatMap((pkg) =>
      (readdirSync(path.join(sitePackages, pkg), { recursive: true }) as string[])
        .filter((file) => path.basename(file) === 'contract.yaml')
        .map((file) => path.join(pkg, file)),
    );
    const byLayout: Record<string, { contracts: number; found: number }> = {};
    const missed: string[] = [];
    const unknownPaths = new Set<string>();
    let naming = 0;
    let found = 0;
    for (const file of contracts) {
      const document = parseYaml(readFileSync(path.join(sitePackages, file), 'utf8')) as Record<string, unknown>;
      const generator = new Set(contractDefaults(document, file).operations?.value ?? []);
      const named = namedOperations(document).filter(({ path: where, name }) => {
        if (where in OPERATION_PATHS) return !/^(\*|all|any|default)$/.test(name);
        if (!where.endsWith('.name') && where !== 'name' && !NOT_OPERATIONS.some((pattern) => pattern.test(where))) {
          unknownPaths.add(where);
        }
        return false;
      });
      if (named.length === 0) continue;
      naming += 1;
      const layouts = new Set(named.map(({ path: where }) => OPERATION_PATHS[where]!));
      const complete = named.every(({ name }) => generator.has(name));
      if (complete) found += 1;
      else
        missed.push(
          `${file}: ${named
            .filter(({ name }) => !generator.has(name))
            .map(({ name }) => name)
            .join(', ')}`,
        );
      for (const layout of layouts) {
        byLayout[layout] ??= { contracts: 0, found: 0 };
        byLayout[layout].contracts += 1;
        if (complete) byLayout[layout].found += 1;
      }
    }
    const share = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;
    const lines = [
      `${contracts.length} contract.yaml files; ${naming} name operations; the generator finds all of them in ${found} (${share(found, naming)})`,
      ...Object.entries(byLayout).map(
        ([layout, { contracts: n, found: f }]) => `  ${layout}: ${f} of ${n} contracts (${share(f, n)})`,
      ),
    ];
    console.log(lines.join('\n'));
    expect(contracts.length).toBeGreaterThanOrEqual(179);
    expect([...unknownPaths], 'operation-like keys in a place no rule covers').toEqual([]);
    expect(missed).toEqual([]);
    expect(found).toBe(naming);
    expect(naming).toBeGreaterThanOrEqual(110);
  });
});

describe('the generated package with the omnibase packages alone (no psutil)', () => {
  let node: string;
  beforeAll(() => {
    node = generateNodePackage();
    // A node directory as ONEX lays it out, its contract a COMPUTE node's: the checks
    // are strictest for non-effect nodes.
    writeFileSync(path.join(node, 'contract.yaml'), 'name: orders_effect\nnode_type: COMPUTE_GENERIC\n');
  });

  it('runs in a venv without psutil: imports, resources from the standard library, its own tests pass', () => {
    const noPsutil = run(onexBin('python'), ['-c', 'import psutil'], { cwd: node });
    expect(noPsutil.stderr).toContain("No module named 'psutil'");
    const probe = run(
      onexBin('python'),
      [
        '-c',
        'import metrics; from metrics.resources import ResourceMonitor; print(ResourceMonitor().collect()["source"])',
      ],
      { cwd: node },
    );
    expect(probe.stdout.trim(), probe.stderr).toBe('stdlib');
    const tests = run(onexBin('python'), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'metrics'], {
      cwd: node,
      timeout: 300_000,
    });
    expect(tests.code, tests.stdout + tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/\b1\d passed\b/);
  });

  it('passes mypy --strict and ruff; the real EventBusKafka and EventBusInmemory satisfy its EventBus protocol, BackendMetricsPrometheus its MetricsBackend', () => {
    writeFileSync(
      path.join(node, 'buses.py'),
      [
        'from omnibase_core.backends.metrics import BackendMetricsPrometheus',
        'from omnibase_core.event_bus.event_bus_inmemory import EventBusInmemory',
        'from omnibase_infra.event_bus.event_bus_kafka import EventBusKafka',
        '',
        'from metrics import EventBus, MetricsBackend',
        'from metrics.event_bus import StartableEventBus',
        '',
        '',
        'def buses(kafka: EventBusKafka, memory: EventBusInmemory) -> list[EventBus]:',
        '    return [kafka, memory]',
        '',
        '',
        'def startable(kafka: EventBusKafka) -> StartableEventBus:',
        '    return kafka',
        '',
        '',
        'def not_a_bus() -> EventBus:',
        '    return object()  # the one error expected',
        '',
        '',
        'def backend(prometheus: BackendMetricsPrometheus) -> MetricsBackend:',
        '    return prometheus',
        '',
      ].join('\n'),
    );
    const mypy = run(onexBin('mypy'), ['--strict', '--no-incremental', 'metrics', 'buses.py'], {
      cwd: node,
      timeout: 600_000,
    });
    expect(mypy.stdout).toMatch(
      /^buses\.py:18: error: Incompatible return value type \(got "object", expected "EventBus"\)/m,
    );
    expect(mypy.stdout).toContain('Found 1 error in 1 file');
    for (const args of [
      ['check', 'metrics'],
      ['format', '--check', 'metrics'],
    ]) {
      const ruff = run(venvBin('ruff'), [args[0]!, '--no-cache', ...args.slice(1)], { cwd: node });
      expect(ruff.code, ruff.stdout + ruff.stderr).toBe(0);
    }
  });

  it("records every event's statistics into a node's MixinMetrics backend (the real BackendMetricsPrometheus)", () => {
    const result = run(onexBin('python'), [path.join(ONEX_HELPERS, 'metrics_backend.py'), '--package-dir', node], {
      timeout: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const { statistics, exposition } = JSON.parse(result.stdout) as {
      statistics: Record<string, number>;
      exposition: string;
    };
    const sample = (name: string, labels: string): number => {
      const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}}`));
      expect(line, `${name}{${labels}} in\n${exposition}`).toBeDefined();
      return Number(line!.split(' ').at(-1));
    };
    const labels = 'operation="create_order",service="orders_effect"';
    expect(sample('operation_calls_total', labels)).toBe(250);
    expect(sample('operation_errors_total', labels)).toBe(25);
    expect(sample('operation_error_rate', labels)).toBe(0.1);
    for (const statistic of ['avg', 'min', 'max', 'p50', 'p95', 'p99']) {
      expect(sample('operation_duration_ms', `${labels},statistic="${statistic}"`)).toBe(statistics[statistic]);
    }
  });

  it("passes omnibase-core's code checks that apply to a node's code", () => {
    // Strictest scope: the package's own files beside a COMPUTE contract, so the
    // no-I/O-outside-effects check reads every one of them.
    const strict = path.join(tempDir('onex-checks-'), 'metrics');
    cpSync(path.join(node, 'metrics'), strict, { recursive: true });
    writeFileSync(path.join(strict, 'contract.yaml'), 'name: orders_effect\nnode_type: COMPUTE_GENERIC\n');
    const result = run(onexBin('python'), [path.join(ONEX_HELPERS, 'code_checks.py'), path.dirname(strict)], {
      timeout: 300_000,
    });
    const report = JSON.parse(result.stdout) as {
      files: string[];
      checks: { id: string; passed: boolean; findings: unknown[] }[];
      not_run: { id: string; why: string }[];
    };
    console.log(
      [
        `omnibase-core code checks on ${report.files.length} files:`,
        ...report.checks.map(
          (check) => `  ${check.id}: ${check.passed ? 'pass' : `FAIL ${JSON.stringify(check.findings)}`}`,
        ),
        ...report.not_run.map((check) => `  ${check.id}: not run (${check.why})`),
      ].join('\n'),
    );
    expect(report.files, JSON.stringify(report.files)).toContain('metrics/event_bus.py');
    expect(report.checks.filter((check) => !check.passed)).toEqual([]);
    expect(report.checks.map((check) => check.id)).toEqual(
      expect.arrayContaining(['arch-no-direct-kafka-producer', 'no-untyped-metadata', 'arch-no-io-outside-effects']),
    );
    expect(result.code).toBe(0);
  });
});
