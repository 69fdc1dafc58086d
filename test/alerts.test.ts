/**
 * The `alerts` answer's files against a real Prometheus (Debian's package, scripts/prometheus):
 * promtool accepts the rule files; with three services' events on the real broker and
 * `onex-metrics watch` serving them, each alert fires for the service whose load breaches it
 * and for no other; every query of the generated Grafana dashboard returns data.
 *
 * - orders_a: p99 far above its 1 ms threshold, 10 % errors against 5 %: both fire;
 * - orders_b: the same durations, no errors, thresholds it does not reach: nothing fires;
 * - orders_c: one event, then silence: with `watch --interval 1` it is stale after 3 s,
 *   and only its instance-silent alert fires.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, REPO, run, runAsync, tempDir, venvBin, writeAnswers } from './support/helpers.js';
import { kafkaBootstrap } from './support/kafka.js';

const root = tempDir('onex-alerts-');
const suffix = randomBytes(3).toString('hex');
const topic = `onex.evt.alerts-${suffix}.operation-metrics.v1`;
const SERVICES = {
  a: { name: `orders_a_${suffix}`, alerts: { p99Ms: 1, errorRate: 0.05, silent: true, forMinutes: 0 }, errors: 10 },
  b: { name: `orders_b_${suffix}`, alerts: { p99Ms: 100_000, errorRate: 0.5, silent: true, forMinutes: 0 }, errors: 0 },
  c: { name: `orders_c_${suffix}`, alerts: { p99Ms: 100_000, errorRate: 0.5, silent: true, forMinutes: 0 }, errors: 0 },
} as const;
type Key = keyof typeof SERVICES;

const prometheusScript = path.join(REPO, 'scripts/prometheus');
const promEnv = { ...process.env, PROMETHEUS_STATE_DIR: path.join(root, 'prometheus-state') };
let promtool = '';
const files: Record<Key, { alerts: string; dashboard: string }> = {} as never;
let template: { payload: Record<string, unknown>; metadata: { tags: Record<string, string> } };

beforeAll(() => {
  promtool = path.join(run(prometheusScript, ['install']).stdout.trim().split('\n').at(-1)!, 'promtool');
  for (const [key, service] of Object.entries(SERVICES) as [Key, (typeof SERVICES)[Key]][]) {
    const dest = path.join(root, key);
    writeAnswers(path.join(dest, 'answers.json'), {
      serviceName: service.name,
      operations: ['lookup'],
      alerts: service.alerts,
      targetDir: 'node',
    });
    const generated = cli(['--answers', 'answers.json'], dest);
    expect(generated.code, generated.stderr).toBe(0);
    files[key] = {
      alerts: path.join(dest, 'node/metrics/alerts.yml'),
      dashboard: path.join(dest, 'node/metrics/dashboard.json'),
    };
  }
  // A real operation event (durations around 10 ms) to copy for every service and tick.
  const calls = Array.from({ length: 200 }, (_, i) => ['lookup', 5 + (i % 20) * 0.5, true]);
  const instance = run(venvBin('python'), [path.join(REPO, 'test/python/fleet_instance.py'), 'i-1'], {
    env: { ...process.env, ONEX_METRICS_NODE: path.join(root, 'a/node') },
    input: JSON.stringify(calls),
    stdio: 'pipe',
  });
  expect(instance.code, instance.stderr).toBe(0);
  template = instance.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as typeof template)
    .filter((event) => 'operation' in event.payload)
    .at(-1)!;
}, 120_000);
afterAll(() => {
  run(prometheusScript, ['stop'], { env: promEnv });
  rmSync(root, { recursive: true, force: true });
});

/** Service `key`'s event at tick `tick`: 100 calls a tick, its share of errors. */
function eventOf(key: Key, tick: number): string {
  const { name, errors } = SERVICES[key];
  const statistics = template.payload.statistics as Record<string, number>;
  return JSON.stringify({
    ...template,
    payload: {
      ...template.payload,
      service_name: name,
      timestamp: new Date().toISOString(),
      statistics: { ...statistics, count: 100 * (tick + 1), errors: errors * (tick + 1) },
    },
  });
}

describe('alert rules and dashboard of the alerts answer', () => {
  it('are accepted by promtool', () => {
    for (const key of Object.keys(SERVICES) as Key[]) {
      const checked = run(promtool, ['check', 'rules', files[key].alerts]);
      expect(checked.code, checked.stdout + checked.stderr).toBe(0);
      expect(checked.stdout).toContain('SUCCESS: 3 rules found');
    }
  });

  it('fire on a real Prometheus for the service that breaches each one, and for no other; every dashboard query has data', async () => {
    const watchPort = await freePort();
    const promPort = await freePort();
    const watching = runAsync(
      process.execPath,
      [
        path.join(REPO, 'bin/onex-metrics.js'),
        'watch',
        '--brokers',
        kafkaBootstrap(),
        '--topic',
        topic,
        '--group',
        `alerts-${suffix}`,
        '--interval',
        '1',
        '--json',
        '--exit-after',
        '45',
        '--prometheus',
        `127.0.0.1:${watchPort}`,
      ],
      { timeout: 90_000 },
    );
    const config = path.join(root, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        ...Object.values(files).map((file) => `  - ${file.alerts}`),
        'scrape_configs:',
        '  - job_name: watch',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${watchPort}']`,
        '',
      ].join('\n'),
    );
    const started = run(prometheusScript, ['start', config, String(promPort)], { env: promEnv });
    expect(started.code, started.stderr).toBe(0);
    const api = async <T>(query: string): Promise<T> =>
      ((await (await fetch(`http://127.0.0.1:${promPort}/api/v1/${query}`)).json()) as { data: T }).data;

    const producer = new Producer({
      clientId: 'alerts-test',
      bootstrapBrokers: [kafkaBootstrap()],
      serializers: stringSerializers,
      autocreateTopics: true,
    });
    const fired = new Set<string>();
    const dashboardData = new Map<string, number>();
    try {
      for (let tick = 0; tick < 25; tick += 1) {
        const keys: Key[] = tick === 0 ? ['a', 'b', 'c'] : ['a', 'b'];
        await producer.send({
          messages: keys.map((key) => ({ topic, key: SERVICES[key].name, value: eventOf(key, tick) })),
        });
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const { alerts } = await api<{ alerts: { labels: Record<string, string>; state: string }[] }>('alerts');
        for (const alert of alerts.filter((candidate) => candidate.state === 'firing')) {
          fired.add(`${alert.labels.alertname} ${alert.labels.service}`);
        }
        if (tick >= 20) {
          // Every panel of orders_a's dashboard, queried as Grafana would.
          const dashboard = JSON.parse(readFileSync(files.a.dashboard, 'utf8')) as {
            panels: { title: string; targets: { expr: string }[] }[];
          };
          for (const panel of dashboard.panels) {
            const { result } = await api<{ result: unknown[] }>(
              `query?query=${encodeURIComponent(panel.targets[0]!.expr)}`,
            );
            dashboardData.set(panel.title, Math.max(dashboardData.get(panel.title) ?? 0, result.length));
          }
        }
      }
    } finally {
      await producer.close();
      run(prometheusScript, ['stop'], { env: promEnv });
    }
    const result = await watching;
    expect(result.code, result.stderr).toBe(0);

    console.log(`alerts fired: ${[...fired].sort().join(', ')}`);
    const { a, b, c } = SERVICES;
    expect([...fired].sort()).toEqual(
      [`OnexInstanceSilent ${c.name}`, `OnexOperationErrorRateHigh ${a.name}`, `OnexOperationP99High ${a.name}`].sort(),
    );
    expect([...fired].some((alert) => alert.endsWith(b.name))).toBe(false);
    console.log(`dashboard series per panel: ${JSON.stringify(Object.fromEntries(dashboardData))}`);
    expect(dashboardData.size).toBe(4);
    for (const [title, series] of dashboardData) expect(series, title).toBeGreaterThan(0);
  }, 150_000);
});
