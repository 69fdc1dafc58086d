/**
 * Today's Node.js and toolchain: on the LTS lines 22 and 24 (binaries from the npm
 * registry, scripts/node-env), the pack itself runs (the bin and `plop metrics`), and
 * the generated TypeScript compiles with today's TypeScript, passes its own suite under
 * today's vitest and publishes to the test broker with today's @platformatic/kafka
 * (test/toolchain, installed by scripts/ts-toolchain).
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, runAsync, stressAnswers, tempDir, writeAnswers } from './support/helpers.js';
import { consumeEvents, kafkaBootstrap } from './support/kafka.js';
import { STRICT_TSCONFIG } from './support/typescript.js';

let toolchain: string;

beforeAll(async () => {
  const installed = await runAsync(path.join(REPO, 'scripts', 'ts-toolchain'), [], { timeout: 300_000 });
  expect(installed.code, installed.stderr).toBe(0);
  toolchain = installed.stdout.trim().split('\n').at(-1)!;
}, 300_000);

describe.each(['22', '24'])('Node %s', (major) => {
  let nodeBin: string;
  /** `node <args>` of this line, with its bin directory first on PATH. */
  const node = (args: string[], cwd: string, env: Record<string, string> = {}) =>
    runAsync(path.join(nodeBin, 'node'), args, {
      cwd,
      timeout: 240_000,
      env: { PATH: `${nodeBin}:${process.env.PATH}`, ...env },
    });
  const tool = (name: string) => path.join(toolchain, 'node_modules', ...name.split('/'));

  /** A user's TypeScript service project on today's toolchain, the package generated into it. */
  async function service(answers: Record<string, unknown>): Promise<string> {
    const dest = tempDir(`node${major}-`);
    const project = path.join(dest, 'service');
    writeAnswers(path.join(dest, 'answers.json'), { ...answers, language: 'typescript', targetDir: 'service' });
    const generated = await node([path.join(REPO, 'bin', 'onex-metrics.js'), '--answers', 'answers.json'], dest);
    expect(generated.code, generated.stderr).toBe(0);
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'service', private: true, type: 'module' }),
    );
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(STRICT_TSCONFIG));
    symlinkSync(path.join(toolchain, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    return project;
  }

  beforeAll(async () => {
    const installed = await runAsync(path.join(REPO, 'scripts', 'node-env'), [major], { timeout: 120_000 });
    expect(installed.code, installed.stderr).toBe(0);
    nodeBin = installed.stdout.trim().split('\n').at(-1)!;
    const version = await node(['--version'], REPO);
    expect(version.stdout).toMatch(new RegExp(`^v${major}\\.`));
  }, 150_000);

  it('runs the pack: `plop metrics` with a bypass, as in this repository', async () => {
    const dest = tempDir(`node${major}-plop-`);
    const result = await node(
      [
        path.join(REPO, 'node_modules', 'plop', 'bin', 'plop.js'),
        'metrics',
        '--dest',
        dest,
        '--',
        '--targetDir',
        'node',
        '--serviceName',
        'svc',
        '--operations',
        'a, b.c',
      ],
      REPO,
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('create  node/metrics/mixin.py');
  });

  it.each([
    ['default', { serviceName: 'orders_service', operations: ['create_order', 'gateway.attach'] }],
    ['stress', stressAnswers()],
  ])(
    "the generated TypeScript (%s answers) passes tsc --strict and its own suite under today's TypeScript and vitest",
    async (_name, answers) => {
      const project = await service(answers);
      const tsc = await node([tool('typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
      expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
      const vitest = await node([tool('vitest/vitest.mjs'), 'run', '--root', project], project);
      expect(vitest.code, vitest.stdout + vitest.stderr).toBe(0);
      expect(vitest.stdout).toMatch(/Tests +1\d passed/);
      expect(vitest.stdout).toContain('v5.');
    },
  );

  it('publishes to the test broker with @platformatic/kafka 2 (what npm installs today)', async () => {
    const suffix = `${major}-${Date.now().toString(36)}`;
    const kafkaTopic = `onex.evt.orders-service.operation-metrics-${suffix}.v1`;
    const snapshotTopic = `onex.evt.orders-service.node-metrics-${suffix}.v1`;
    const project = await service({
      serviceName: 'orders_service',
      operations: ['create_order'],
      kafkaTopic,
      snapshotTopic,
    });
    const demo = await node([tool('tsx/dist/cli.mjs'), 'metrics/demo.ts'], project, {
      KAFKA_BOOTSTRAP_SERVERS: kafkaBootstrap(),
    });
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/metrics: events delivered by KafkaTransport, the first to onex\.evt\.orders-service/);
    const consumed = await consumeEvents<{ payload: { statistics?: { count: number } } }>(
      [kafkaTopic, snapshotTopic],
      3,
      { timeoutSeconds: 40 },
    );
    const counts = consumed
      .filter((message) => message.topic === kafkaTopic)
      .map((message) => message.value.payload.statistics!.count);
    // The demo: 100 calls, an event at the first and on stop.
    expect(counts).toEqual([1, 100]);
  });
});
