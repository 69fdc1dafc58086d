/**
 * The generated TypeScript package, run for real in a strict Node 20 ESM project:
 * prettier, tsc --strict, its own vitest suite, compile errors for unknown
 * operations, and a process that exits once metrics are stopped.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, expectBoundedBurst, run, stressAnswers, tempDir, writeAnswers } from './support/helpers.js';
import { bin, makeTypescriptProject } from './support/typescript.js';

const configurations = {
  default: { serviceName: 'orders_service', operations: ['create_order', 'cancel_order', 'get_order'] },
  stress: stressAnswers(),
  'omninode-bridge': {
    envelope: 'omninode-bridge',
    serviceName: 'orders_service',
    operations: ['create_order', 'gateway.attach'],
  },
};

/** A closed port on 127.0.0.1: nothing listens there. */
const DEAD_BROKER = '127.0.0.1:1';

describe.each(Object.entries(configurations))('generated TypeScript, %s answers', (_name, answers) => {
  let project: string;
  const inProject = (command: string, args: string[], env: Record<string, string> = {}, timeout = 300_000) =>
    run(bin(command), args, { cwd: project, env, timeout });

  beforeAll(() => {
    const dest = tempDir();
    project = makeTypescriptProject(path.join(dest, 'service'));
    writeAnswers(path.join(dest, 'answers.json'), { ...answers, targetDir: 'service' });
    const result = cli(['--answers', 'answers.json'], dest);
    expect(result.code, result.stderr).toBe(0);
  });

  it('is formatted as prettier formats it', () => {
    const result = inProject('prettier', ['--check', 'metrics']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('passes tsc --strict --noEmit', () => {
    const result = inProject('tsc', ['-p', 'tsconfig.json', '--strict', '--noEmit']);
    expect(result.code, result.stdout).toBe(0);
  });

  it('passes its own generated vitest suite', () => {
    const result = inProject('vitest', ['run', '--root', project, '--reporter', 'verbose']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Tests +1\d passed/);
  });

  it('makes an unknown operation a compile error', () => {
    const operation = JSON.stringify((answers.operations as string[])[0]);
    writeFileSync(
      path.join(project, 'uses-metrics.ts'),
      [
        'import { MetricsTracker, trackMetrics, withMetrics } from "./metrics/index.js";',
        '',
        'const tracker = new MetricsTracker();',
        `tracker.wrap(${operation}, () => 1);`,
        'export class Service extends withMetrics(Object) {',
        '  @trackMetrics("not_an_op")',
        '  handle(): number {',
        '    return 1;',
        '  }',
        '}',
        'tracker.wrap("not_an_op", () => 1);',
        '',
      ].join('\n'),
    );
    const result = inProject('tsc', ['-p', 'tsconfig.json']);
    expect(result.code).toBe(2);
    const errors = result.stdout.split('\n').filter((line) => line.includes('error TS'));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/uses-metrics\.ts\(6,17\): error TS2345: Argument of type '"not_an_op"'/);
    expect(errors[1]).toMatch(/uses-metrics\.ts\(11,14\): error TS2345: Argument of type '"not_an_op"'/);
  });

  it('lets the process exit after stop(), with the broker absent and no unhandled rejection', () => {
    const operation = JSON.stringify((answers.operations as string[])[0]);
    writeFileSync(
      path.join(project, 'exits.ts'),
      [
        'import { MetricsTracker } from "./metrics/index.js";',
        '',
        'process.on("unhandledRejection", (reason) => {',
        '  console.error("UNHANDLED", reason);',
        '  process.exitCode = 3;',
        '});',
        'const tracker = new MetricsTracker();',
        `const work = tracker.wrap(${operation}, async (i: number) => i * 2);`,
        'let sum = 0;',
        'for (let i = 0; i < 500; i += 1) sum += await work(i);',
        'tracker.publishAll();',
        'const started = Date.now();',
        'await tracker.stop(1000);',
        'console.log(JSON.stringify({ sum, stopMs: Date.now() - started, dropped: tracker.publisher.dropped }));',
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const result = inProject('tsx', ['exits.ts'], { KAFKA_BOOTSTRAP_SERVERS: DEAD_BROKER }, 30_000);
    const elapsed = Date.now() - started;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('UNHANDLED');
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      sum: number;
      stopMs: number;
      dropped: number;
    };
    expect(report.sum).toBe(249_500);
    expect(report.stopMs).toBeLessThan(2_000);
    expect(report.dropped).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(15_000);
  });
});

describe('the tests answer (TypeScript)', () => {
  const generate = (tests: string) => {
    const dest = tempDir();
    const project = makeTypescriptProject(path.join(dest, 'service'));
    writeAnswers(path.join(dest, 'answers.json'), { ...configurations.default, targetDir: 'service', tests });
    const result = cli(['--answers', 'answers.json'], dest);
    expect(result.code, result.stderr).toBe(0);
    return project;
  };

  it("smoke: Node.js's own test runner through tsx, no vitest; formatted and strict", () => {
    const project = generate('smoke');
    const files = readdirSync(path.join(project, 'metrics'));
    expect(files).toContain('smoke-test.ts');
    expect(files).not.toContain('metrics.test.ts');
    expect(readFileSync(path.join(project, 'metrics/smoke-test.ts'), 'utf8')).not.toMatch(/from "vitest"/);
    const tests = run(bin('tsx'), ['--test', 'metrics/smoke-test.ts'], { cwd: project, timeout: 120_000 });
    expect(tests.code, tests.stdout + tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/^# pass 2$/m);
    for (const [command, args] of [
      ['prettier', ['--check', 'metrics']],
      ['tsc', ['-p', 'tsconfig.json', '--strict', '--noEmit']],
    ] as const) {
      const result = run(bin(command), [...args], { cwd: project, timeout: 300_000 });
      expect(result.code, result.stdout + result.stderr).toBe(0);
    }
  });

  it('none: no test file', () => {
    const project = generate('none');
    expect(readdirSync(path.join(project, 'metrics')).filter((file) => /test/.test(file))).toEqual([]);
  });
});

describe('the event rate of generated TypeScript (minPublishIntervalSeconds, default 1)', () => {
  it('100 000 calls in about a second give at most one operation event a second, each a second apart, and exact counts', () => {
    const dest = tempDir();
    const project = makeTypescriptProject(path.join(dest, 'service'));
    writeAnswers(path.join(dest, 'answers.json'), {
      serviceName: 'busy_service',
      operations: ['hit'],
      targetDir: 'service',
    });
    expect(cli(['--answers', 'answers.json'], dest).code).toBe(0);
    writeFileSync(
      path.join(project, 'burst.ts'),
      [
        'import { KAFKA_TOPIC } from "./metrics/config.js";',
        'import { MemoryTransport, MetricsTracker } from "./metrics/index.js";',
        'class Clocked extends MemoryTransport {',
        '  readonly at: number[] = [];',
        '  override async send(topic: string, key: Buffer | null, value: Buffer): Promise<void> {',
        '    this.at.push(performance.now());',
        '    await super.send(topic, key, value);',
        '  }',
        '}',
        'const transport = new Clocked();',
        'const metrics = new MetricsTracker({ transport });',
        'const hit = metrics.wrap("hit", () => undefined);',
        'let calls = 0;',
        'const start = performance.now();',
        // 100 000 calls spread over about a second: 100 between pauses of a millisecond.
        'for (let batch = 0; batch < 1000; batch += 1) {',
        '  for (let i = 0; i < 100; i += 1) hit();',
        '  calls += 100;',
        '  await new Promise((resolve) => setTimeout(resolve, 1));',
        '}',
        'const burst = (performance.now() - start) / 1000;',
        'const times = transport.at.filter((_, i) => transport.messages[i]![0] === KAFKA_TOPIC).map((t) => t / 1000);',
        'await metrics.stop();',
        'const operations = transport.messages.filter(([topic]) => topic === KAFKA_TOPIC);',
        'const last = JSON.parse(operations.at(-1)![2].toString("utf8")).payload.statistics.count;',
        'console.log(JSON.stringify({ calls, burst, times, last }));',
      ].join('\n'),
    );
    const result = run(bin('tsx'), ['burst.ts'], { cwd: project, timeout: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expectBoundedBurst('TypeScript', result.stdout);
  });
});
