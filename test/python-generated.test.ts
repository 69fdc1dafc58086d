/**
 * The generated Python package, run for real: ruff, mypy --strict, its own pytest
 * suite and an independent behavioural suite, for the default answers and for the
 * stress configuration of the foundation issue.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  cli,
  expectBoundedBurst,
  listFiles,
  REPO,
  run,
  stressAnswers,
  tempDir,
  venvBin,
  writeAnswers,
} from './support/helpers.js';

/** The lint rules the generated code is held to, well beyond ruff's defaults. */
const STRICT_RUFF = [
  '--select',
  'E,F,W,I,B,BLE,G,UP,SIM,RUF,C4,PIE,PT,RET,ASYNC,S',
  '--ignore',
  'E501,ASYNC109,S101,S311',
];

const configurations = {
  default: { serviceName: 'orders_effect', operations: ['create_order', 'cancel_order', 'get_order'] },
  stress: stressAnswers(),
  // The older envelope, and the handler wiring, with dotted names as ONEX writes them.
  'omninode-bridge': {
    envelope: 'omninode-bridge',
    serviceName: 'orders_effect',
    serviceVersion: '2.0.0',
    operations: ['create_order', 'gateway.attach'],
    trackHandlers: true,
  },
};

describe.each(Object.entries(configurations))('generated Python, %s answers', (_name, answers) => {
  let node: string;
  let record: Record<string, unknown>;
  const inNode = (command: string, args: string[], env: Record<string, string> = {}) =>
    run(venvBin(command), args, { cwd: node, env, timeout: 600_000 });

  beforeAll(() => {
    const dest = tempDir();
    writeAnswers(path.join(dest, 'answers.json'), { ...answers, targetDir: 'node' });
    const result = cli(['--answers', 'answers.json'], dest);
    expect(result.code, result.stderr).toBe(0);
    node = path.join(dest, 'node');
    record = parseYaml(readFileSync(path.join(node, '.onex-metrics.yaml'), 'utf8')) as Record<string, unknown>;
  });

  it('passes ruff check (default and strict rules) and ruff format --check', () => {
    for (const args of [
      ['check', '.'],
      ['check', ...STRICT_RUFF, '.'],
      ['format', '--check', '.'],
    ]) {
      const result = inNode('ruff', [args[0]!, '--no-cache', ...args.slice(1)]);
      expect(result.code, `ruff ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
    }
  });

  it('passes mypy --strict', () => {
    const result = inNode('mypy', ['--strict', '--no-incremental', 'metrics']);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^Success: no issues found/m);
  });

  it('passes its own generated pytest suite', () => {
    const result = inNode('python', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'metrics']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    // At least the tests of every configuration (more with handlers or resources), none skipped.
    expect(Number(/\b(\d+) passed\b/.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(14);
    expect(result.stdout).not.toMatch(/skipped|deselected/);
  });

  it('behaves as a node would expect (independent suite)', () => {
    const result = inNode(
      'python',
      [
        '-m',
        'pytest',
        '-q',
        '-p',
        'no:cacheprovider',
        '--rootdir',
        node,
        path.join(REPO, 'test/python/test_generated_behaviour.py'),
      ],
      { ONEX_METRICS_NODE: node, ONEX_METRICS_ANSWERS: JSON.stringify(record) },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\b7 passed\b/);
  });

  it('makes tracking an unknown operation a mypy error', () => {
    const operations = answers.operations as string[];
    writeFileSync(
      path.join(node, 'uses_metrics.py'),
      [
        'from metrics import track_metrics',
        '',
        '',
        `@track_metrics(${JSON.stringify(operations[0])})`,
        'async def known() -> None: ...',
        '',
        '',
        '@track_metrics("not_an_op")',
        'async def unknown() -> None: ...',
        '',
      ].join('\n'),
    );
    const result = inNode('mypy', ['--strict', '--no-incremental', 'uses_metrics.py']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'uses_metrics.py:8: error: Argument 1 to "track_metrics" has incompatible type "Literal[\'not_an_op\']"',
    );
    expect(result.stdout).toContain('Found 1 error in 1 file');
  });
});

describe('generated Python at low traffic (publishIntervalSeconds 0.5)', () => {
  it('starts publishing at the first call: its event at once, then the timed snapshot while idle', () => {
    const dest = tempDir();
    writeAnswers(path.join(dest, 'answers.json'), {
      serviceName: 'quiet_node',
      operations: ['ping'],
      publishIntervalSeconds: 0.5,
      targetDir: 'node',
    });
    expect(cli(['--answers', 'answers.json'], dest).code).toBe(0);
    // Before: nothing until stop_metrics (the publisher started only after
    // publishIntervalOps calls or an explicit start_metrics()).
    const script = [
      'import asyncio, json, metrics',
      'class Node(metrics.MetricsTrackingMixin):',
      '    def __init__(self):',
      '        self.transport = metrics.MemoryTransport()',
      '        self._initialize_metrics(transport=self.transport)',
      '    @metrics.track_metrics("ping")',
      '    async def ping(self): await asyncio.sleep(0)',
      'async def main():',
      '    node = Node()',
      '    for _ in range(30): await node.ping()',
      '    await asyncio.sleep(1.2)',
      '    seen = [(t, json.loads(v)["payload"]) for t, _, v in node.transport.messages]',
      '    await node.stop_metrics()',
      '    print(json.dumps([[t, p.get("statistics", p.get("operations", {}).get("ping"))["count"]] for t, p in seen]))',
      'asyncio.run(main())',
    ].join('\n');
    const result = run(venvBin('python'), ['-c', script], { cwd: path.join(dest, 'node') });
    expect(result.code, result.stderr).toBe(0);
    const seen = JSON.parse(result.stdout) as [string, number][];
    expect(seen[0]).toEqual(['onex.evt.quiet-node.operation-metrics.v1', 1]);
    expect(seen).toContainEqual(['onex.evt.quiet-node.operation-metrics.v1', 30]);
    expect(seen).toContainEqual(['onex.evt.quiet-node.node-metrics.v1', 30]);
  });
});

describe('the tests answer (Python)', () => {
  const generate = (tests: string) => {
    const dest = tempDir();
    writeAnswers(path.join(dest, 'answers.json'), { ...configurations.default, targetDir: 'node', tests });
    const result = cli(['--answers', 'answers.json'], dest);
    expect(result.code, result.stderr).toBe(0);
    return path.join(dest, 'node');
  };

  it('smoke: a few tests on the standard library alone, run by unittest, strict lint and types clean', () => {
    const node = generate('smoke');
    expect(listFiles(path.join(node, 'metrics', 'tests'))).toEqual(['__init__.py', 'test_smoke.py']);
    expect(readFileSync(path.join(node, 'metrics/tests/test_smoke.py'), 'utf8')).not.toMatch(/^(import|from) pytest/m);
    const unittest = run(venvBin('python'), ['-m', 'unittest', 'discover', '-s', 'metrics/tests', '-t', '.'], {
      cwd: node,
    });
    expect(unittest.code, unittest.stderr).toBe(0);
    expect(unittest.stderr).toMatch(/^Ran 2 tests in .*\n\nOK\n$/m);
    for (const args of [
      ['check', '--no-cache', ...STRICT_RUFF, '.'],
      ['format', '--check', '--no-cache', '.'],
    ]) {
      const ruff = run(venvBin('ruff'), args, { cwd: node });
      expect(ruff.code, ruff.stdout).toBe(0);
    }
    const mypy = run(venvBin('mypy'), ['--strict', '--no-incremental', 'metrics'], { cwd: node, timeout: 300_000 });
    expect(mypy.code, mypy.stdout).toBe(0);
  });

  it('none: no tests directory, and the package still type-checks', () => {
    const node = generate('none');
    expect(listFiles(path.join(node, 'metrics')).filter((file) => file.startsWith('tests/'))).toEqual([]);
    const mypy = run(venvBin('mypy'), ['--strict', '--no-incremental', 'metrics'], { cwd: node, timeout: 300_000 });
    expect(mypy.code, mypy.stdout).toBe(0);
  });
});

describe('the event rate of generated Python (minPublishIntervalSeconds, default 1)', () => {
  it('100 000 calls in about a second give at most one operation event a second, each a second apart, and exact counts', () => {
    const dest = tempDir();
    writeAnswers(path.join(dest, 'answers.json'), { serviceName: 'busy_node', operations: ['hit'], targetDir: 'node' });
    expect(cli(['--answers', 'answers.json'], dest).code).toBe(0);
    const script = [
      'import asyncio, json, time, metrics, metrics.config',
      'class Clocked(metrics.MemoryTransport):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.at = []',
      '    async def send(self, topic, key, value):',
      '        self.at.append(time.monotonic())',
      '        await super().send(topic, key, value)',
      'class Node(metrics.MetricsTrackingMixin):',
      '    def __init__(self, transport):',
      '        self._initialize_metrics(transport=transport)',
      '    @metrics.track_metrics("hit")',
      '    def hit(self): return None',
      'async def main():',
      '    transport = Clocked()',
      '    node = Node(transport)',
      '    calls, start = 0, time.monotonic()',
      // 100 000 calls spread over about a second: 100 between pauses of a millisecond.
      '    for _ in range(1000):',
      '        for _ in range(100): node.hit()',
      '        calls += 100',
      '        await asyncio.sleep(0.001)',
      '    burst = time.monotonic() - start',
      '    during = [(t, json.loads(v)) for t, (topic, _, v) in zip(transport.at, transport.messages) if topic == metrics.config.KAFKA_TOPIC]',
      '    await node.stop_metrics()',
      '    last = [json.loads(v) for topic, _, v in transport.messages if topic == metrics.config.KAFKA_TOPIC][-1]',
      '    print(json.dumps({"calls": calls, "burst": burst, "times": [t for t, _ in during], "last": last["payload"]["statistics"]["count"]}))',
      'asyncio.run(main())',
    ].join('\n');
    const result = run(venvBin('python'), ['-c', script], { cwd: path.join(dest, 'node'), timeout: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expectBoundedBurst('Python', result.stdout);
  });
});
