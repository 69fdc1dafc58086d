/**
 * `onex-metrics watch` against the real broker: three instances of one service (two
 * generated Python packages, one of each envelope profile, and a generated TypeScript
 * package) publish their operation events to a metrics topic; `watch` reads it as a
 * consumer group and must show the fleet: every instance, exact counts, and fleet
 * percentiles within the sketch's 1 % of the exact ones over the union of the instances'
 * windows, in its JSON lines and on /metrics; messages that are not metrics events are
 * counted, never fatal. promtool accepts the exposition, and a real Prometheus server
 * (Debian's package, scripts/prometheus) scraping `watch` answers a PromQL query for the
 * fleet p99 within the same 1 %. Two `watch` processes in one consumer group share a
 * 4-partition topic: each service is reported by exactly one of them.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, REPO, run, runAsync, tempDir, venvBin, writeAnswers } from './support/helpers.js';
import { kafkaBootstrap } from './support/kafka.js';
import { bin, makeTypescriptProject } from './support/typescript.js';

const OPERATION = 'lookup';
const WINDOW = 1000;
const CALLS = 1500;
const ERROR_EVERY = 50;

type Call = [string, number, boolean];

/** Seeded log-normal durations (ms) around e^mu. */
function calls(seed: number, mu: number): Call[] {
  let state = seed;
  const uniform = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  return Array.from({ length: CALLS }, (_, i): Call => {
    const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    return [OPERATION, Math.exp(mu + normal), i % ERROR_EVERY !== 0];
  });
}

const INSTANCES = [
  { name: 'py-onex', language: 'python', envelope: 'onex', calls: calls(1, 0) },
  { name: 'py-bridge', language: 'python', envelope: 'omninode-bridge', calls: calls(2, 1) },
  { name: 'ts-onex', language: 'typescript', envelope: 'onex', calls: calls(3, 2.5) },
] as const;

/** The nearest-rank percentile p (0–100) over the union of the instances' windows. */
function exactPercentile(p: number): number {
  const union = INSTANCES.flatMap((instance) => instance.calls.slice(-WINDOW).map(([, ms]) => ms)).sort(
    (a, b) => a - b,
  );
  return union[Math.ceil((p / 100) * union.length) - 1]!;
}

interface Row {
  service: string;
  operation: string;
  instances: number;
  stale: number;
  count: number;
  errors: number;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
interface Line {
  events: number;
  invalid: number;
  last_invalid?: string;
  rows: Row[];
}

const root = tempDir('onex-watch-');
const suffix = randomBytes(3).toString('hex');
const service = `fleet_${suffix}`;
const topic = `onex.evt.fleet-${suffix}.operation-metrics.v1`;

/** The events one instance publishes, from its generated package. */
function eventsOf(instance: (typeof INSTANCES)[number]): string[] {
  const dest = path.join(root, instance.name);
  const node = path.join(dest, 'node');
  if (instance.language === 'typescript') makeTypescriptProject(node);
  writeAnswers(path.join(dest, 'answers.json'), {
    language: instance.language,
    envelope: instance.envelope,
    serviceName: service,
    operations: [OPERATION],
    maxDurationSamples: WINDOW,
    targetDir: 'node',
  });
  const generated = cli(['--answers', 'answers.json'], dest);
  expect(generated.code, generated.stderr).toBe(0);
  const input = JSON.stringify(instance.calls);
  let result;
  if (instance.language === 'python') {
    result = run(venvBin('python'), [path.join(REPO, 'test/python/fleet_instance.py'), instance.name], {
      env: { ...process.env, ONEX_METRICS_NODE: node },
      input,
      stdio: 'pipe',
    });
  } else {
    copyFileSync(path.join(REPO, 'test/typescript/fleet-instance.ts'), path.join(node, 'fleet-instance.ts'));
    result = run(bin('tsx'), ['fleet-instance.ts', instance.name], { cwd: node, input, stdio: 'pipe' });
  }
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.split('\n').filter((line) => line.trim() !== '');
}

/** `onex-metrics watch` in the background with `args`; resolves when it exits. */
function watch(args: readonly string[], seconds: number) {
  return runAsync(
    process.execPath,
    [
      path.join(REPO, 'bin/onex-metrics.js'),
      'watch',
      '--brokers',
      kafkaBootstrap(),
      '--json',
      '--every',
      '1',
      '--exit-after',
      String(seconds),
      ...args,
    ],
    { timeout: (seconds + 30) * 1000 },
  );
}

describe('onex-metrics watch', () => {
  let operationEvents = 0;
  /** One operation event of the Python onex instance, to copy under other services. */
  let sample = '';

  beforeAll(async () => {
    const producer = new Producer({
      clientId: 'watch-test',
      bootstrapBrokers: [kafkaBootstrap()],
      serializers: stringSerializers,
      autocreateTopics: true,
    });
    try {
      const messages = INSTANCES.flatMap(eventsOf)
        .filter((event) => 'operation' in (JSON.parse(event) as { payload: object }).payload)
        .map((value) => ({ topic, key: service, value }));
      operationEvents = messages.length;
      sample = messages[0]!.value;
      await producer.send({
        messages: [
          ...messages,
          { topic, key: 'stray', value: 'not an event' },
          { topic, key: 'stray', value: JSON.stringify({ payload: { operation: OPERATION } }) },
        ],
      });
    } finally {
      await producer.close();
    }
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('shows every instance, exact counts and fleet percentiles within 1 % (JSON lines, /metrics, a real Prometheus)', async () => {
    const port = await freePort();
    const watching = watch(
      ['--topic', topic, '--group', `watch-test-${suffix}`, '--prometheus', `127.0.0.1:${port}`],
      25,
    );
    // Scrape once the events are in (a few seconds after the group joins).
    let exposition = '';
    for (let attempt = 0; attempt < 20 && !/instances\{[^}]*\} 3\b/.test(exposition); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      exposition = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((response) => response.text())
        .catch(() => '');
    }
    const asked = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
    });
    const openMetrics = { type: asked.headers.get('content-type') ?? '', body: await asked.text() };

    // A real Prometheus scrapes watch; PromQL gives the fleet p99.
    const promPort = await freePort();
    const config = path.join(root, 'prometheus.yml');
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: watch\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
    );
    const promEnv = { ...process.env, PROMETHEUS_STATE_DIR: path.join(root, 'prometheus-state') };
    const started = run(path.join(REPO, 'scripts/prometheus'), ['start', config, String(promPort)], { env: promEnv });
    expect(started.code, started.stderr).toBe(0);
    const query = `onex_operation_duration_seconds{service="${service}",operation="${OPERATION}",quantile="0.99"}`;
    let promP99: number | undefined;
    try {
      for (let attempt = 0; attempt < 40 && promP99 === undefined; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const answer = (await fetch(
          `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(query)}`,
        ).then((response) => response.json())) as { data: { result: { value: [number, string] }[] } };
        const value = answer.data.result[0]?.value[1];
        if (value !== undefined) promP99 = Number(value);
      }
    } finally {
      run(path.join(REPO, 'scripts/prometheus'), ['stop'], { env: promEnv });
    }
    expect(promP99, `no answer from Prometheus to ${query}`).toBeDefined();
    expect(Math.abs(promP99! * 1000 - exactPercentile(99))).toBeLessThanOrEqual(0.01 * exactPercentile(99));

    const result = await watching;
    expect(result.code, result.stderr).toBe(0);
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Line;

    expect(last.events).toBe(operationEvents);
    expect(last.invalid).toBe(2);
    expect(last.last_invalid).toMatch(/^payload\./);
    const row = last.rows.find((candidate) => candidate.service === service)!;
    expect(row).toMatchObject({
      operation: OPERATION,
      instances: 3,
      stale: 0,
      count: CALLS * 3,
      errors: (CALLS / ERROR_EVERY) * 3,
      samples: WINDOW * 3,
    });
    for (const p of [50, 95, 99] as const) {
      const exact = exactPercentile(p);
      expect(Math.abs(row[`p${p}`] - exact), `p${p}: fleet ${row[`p${p}`]}, exact ${exact}`).toBeLessThanOrEqual(
        0.01 * exact,
      );
    }
    expect(row.max).toBe(exactPercentile(100));

    // The same fleet in the Prometheus text format, in seconds.
    const labels = `service="${service}",operation="${OPERATION}"`;
    expect(exposition).toContain('# TYPE onex_operation_duration_seconds summary');
    expect(exposition).toContain(`onex_operation_calls_total{${labels}} ${CALLS * 3}\n`);
    expect(exposition).toContain(`onex_operation_instances{${labels}} 3\n`);
    const p99 = new RegExp(`onex_operation_duration_seconds\\{${labels},quantile="0.99"\\} (\\S+)`).exec(exposition);
    expect(p99, exposition).not.toBeNull();
    expect(Math.abs(Number(p99![1]) * 1000 - exactPercentile(99))).toBeLessThanOrEqual(0.01 * exactPercentile(99));

    // OpenMetrics to a scraper that asks for it (as the real Prometheus does).
    expect(openMetrics.type).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(openMetrics.body).toMatch(/# TYPE onex_operation_calls counter\n[^]*\n# EOF\n$/);

    // promtool, Prometheus's own linter, accepts the exposition.
    const bin = run(path.join(REPO, 'scripts/prometheus'), ['install']).stdout.trim().split('\n').at(-1)!;
    const promtool = run(path.join(bin, 'promtool'), ['check', 'metrics'], {
      input: exposition,
      stdio: 'pipe',
    });
    expect(promtool.code, promtool.stdout + promtool.stderr).toBe(0);
  }, 90_000);

  it('two processes in one group share a multi-partition topic: each service is reported by exactly one', async () => {
    const shared = `onex.evt.shared-${suffix}.operation-metrics.v1`;
    const admin = new Admin({ clientId: 'watch-test', bootstrapBrokers: [kafkaBootstrap()] });
    try {
      await admin.createTopics({ topics: [shared], partitions: 4, replicas: 1 });
    } finally {
      await admin.close();
    }
    const group = ['--topic', shared, '--group', `watch-shared-${suffix}`];
    const first = watch(group, 30);
    const second = watch(group, 30);
    // Both join the group and the partitions are shared out before any event comes.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const services = Array.from({ length: 8 }, (_, i) => `shared_${suffix}_${i}`);
    const event = JSON.parse(sample) as { payload: Record<string, unknown> };
    const producer = new Producer({
      clientId: 'watch-test',
      bootstrapBrokers: [kafkaBootstrap()],
      serializers: stringSerializers,
    });
    try {
      await producer.send({
        // Keyed by the service, as the generated publishers key their events.
        messages: services.map((name) => ({
          topic: shared,
          key: name,
          value: JSON.stringify({ ...event, payload: { ...event.payload, service_name: name } }),
        })),
      });
    } finally {
      await producer.close();
    }
    const reported: string[][] = [];
    for (const result of await Promise.all([first, second])) {
      expect(result.code, result.stderr).toBe(0);
      const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Line;
      reported.push(last.rows.map((row) => row.service).sort());
    }
    console.log(
      `watch processes in one group reported ${reported.map((names) => names.length).join(' and ')} services`,
    );
    expect(reported[0]!.filter((name) => reported[1]!.includes(name))).toEqual([]);
    expect([...reported[0]!, ...reported[1]!].sort()).toEqual(services.sort());
    expect(reported[0]!.length).toBeGreaterThan(0);
    expect(reported[1]!.length).toBeGreaterThan(0);
  }, 90_000);

  it('explains its flags, and says which one is missing', () => {
    const help = cli(['watch', '--help'], root);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--prometheus HOST:PORT');
    const missing = run(process.execPath, [path.join(REPO, 'bin/onex-metrics.js'), 'watch'], {
      cwd: root,
      env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: '' },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('give --brokers HOST:PORT or set KAFKA_BOOTSTRAP_SERVERS');
    const port = cli(['watch', '--brokers', '127.0.0.1:1', '--prometheus', 'nowhere'], root);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--prometheus must be HOST:PORT');
  });
});
