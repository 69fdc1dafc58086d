/**
 * The real interactive prompts, driven through a pseudo-terminal the way a person uses
 * them: read the prompt, type, press arrows/space/enter. Covers `npx plop metrics`, the
 * `onex-metrics` bin without arguments, and a fresh clone's first run.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  listFiles,
  readRecord,
  recordedFiles,
  REPO,
  run,
  runAsync,
  tempDir,
  venvBin,
  withStoreEffect,
} from './support/helpers.js';
import { KEY, spawnPty, type PtySession } from './support/pty.js';
import { bin, makeTypescriptProject } from './support/typescript.js';

const sessions: PtySession[] = [];
const temps: string[] = [];

afterEach(() => {
  // A failed test must not leave a prompt waiting for input.
  for (const session of sessions.splice(0)) session.kill();
});

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function pty(command: string, args: readonly string[], cwd: string): PtySession {
  const session = spawnPty(command, args, { cwd, env: { CI: undefined, NODE_ENV: undefined } });
  sessions.push(session);
  return session;
}

/** A temp destination holding a copy of the store_effect node (its contract.yaml). */
function destWithStoreEffect(): string {
  const dest = tempDir('onex-metrics-pty-');
  temps.push(dest);
  return withStoreEffect(dest);
}

/** Checkbox rows on screen after the last "Percentiles" prompt: label → checked. */
function percentileBoxes(screen: string): Map<string, boolean> {
  const lines = screen.split('\n');
  let start = -1;
  lines.forEach((line, index) => {
    if (line.includes('? Percentiles')) start = index;
  });
  const boxes = new Map<string, boolean>();
  for (const line of lines.slice(start + 1)) {
    const row = /^\s*❯?\s*(◉|◯|\(\*\)|\( \))\s*(p[\d.]+)\s*$/.exec(line);
    if (row) boxes.set(row[2]!, row[1] === '◉' || row[1] === '(*)');
  }
  return boxes;
}

function checked(boxes: Map<string, boolean>): string[] {
  return [...boxes].filter(([, on]) => on).map(([label]) => label);
}

/**
 * Uses the generated package as a node would (the mixin's ONEX method names): 1000
 * calls of query_state lasting 1..1000 ms, then prints its operations, the percentile
 * keys of the statistics and the topics events were sent to.
 */
const STATISTICS_PROBE = `
import asyncio, json
from metrics import OPERATIONS, MemoryTransport, MetricsTrackingMixin

class Node(MetricsTrackingMixin):
    def __init__(self, transport: MemoryTransport) -> None:
        self._initialize_metrics(transport=transport)

async def main() -> None:
    transport = MemoryTransport()
    node = Node(transport)
    for ms in range(1, 1001):
        await node._track_operation_metrics("query_state", float(ms), True)
    stats = await node._calculate_operation_statistics("query_state")
    await node.stop_metrics()
    print(json.dumps({
        "operations": list(OPERATIONS),
        "percentiles": {k: v for k, v in stats.items() if k.startswith("p")},
        "topics": sorted({topic for topic, _, _ in transport.messages}),
    }))

asyncio.run(main())
`;

describe('npx plop metrics in a terminal', () => {
  it('takes typed answers, arrow/space checkbox choices and contract defaults, and writes working Python', async () => {
    const dest = destWithStoreEffect();
    const target = path.join(dest, 'store_effect');
    const session = pty('npx', ['plop', 'metrics', '--dest', dest], REPO);

    await session.answer(`? Node directory to write metrics/ into, relative to ${dest} (.)`, 'store_effect');

    // No project marker in the node: python is the highlighted default.
    await session.expect('? Language of the generated code');
    await session.waitForScreen((screen) => /^❯ python$/m.test(screen), 'python highlighted');
    session.write(KEY.enter);

    // Today's ONEX envelope is the highlighted default.
    await session.expect('? Event envelope');
    await session.waitForScreen((screen) => /^❯ onex — today's ONEX/m.test(screen), 'onex highlighted');
    session.write(KEY.enter);

    // The defaults come from the contract, and the messages say so.
    const serviceLine = await session.expect(/\? Service name[^\n]*\(store_effect\)/);
    expect(serviceLine).toMatch(/\? Service name — from contract\.yaml name \(store_effect\)$/);
    session.write(KEY.enter);
    const versionLine = await session.expect(/\? Service version[^\n]*\(1\.0\.0\)/);
    expect(versionLine).toMatch(/— from contract\.yaml version \(1\.0\.0\)$/);
    session.write(KEY.enter);

    const operationsLine = await session.expect(/\? Operations to track[^\n]*\(persist_state\)/);
    expect(operationsLine).toMatch(/— from contract\.yaml operations \(persist_state\)$/);
    // Typing replaces the shown default.
    session.write(`persist_state, query_state${KEY.enter}`);

    await session.answer('? Publish an operation every how many of its calls (100)');
    await session.answer('? Publish every how many seconds (60)');
    await session.answer('? At most one event of an operation every how many seconds (0: no limit) (1)');
    await session.answer('? Durations kept per operation for statistics (the window) (1000)');

    await session.expect('? Percentiles');
    const initial = percentileBoxes(
      await session.waitForScreen((screen) => percentileBoxes(screen).size === 7, 'the seven percentile checkboxes'),
    );
    expect([...initial.keys()]).toEqual(['p50', 'p75', 'p90', 'p95', 'p99', 'p99.9', 'p100']);
    expect(checked(initial)).toEqual(['p50', 'p95', 'p99']);

    // Cursor on p50: down to p95, untoggle it; down to p99.9, toggle it.
    session.write(`${KEY.down.repeat(3)}${KEY.space}${KEY.down.repeat(2)}${KEY.space}`);
    const toggled = await session.waitForScreen(
      (screen) => checked(percentileBoxes(screen)).join() === 'p50,p99,p99.9',
      'p50, p99 and p99.9 checked',
    );
    expect(toggled).toMatch(/❯\s*◉\s*p99\.9/);
    session.write(KEY.enter);

    await session.answer('? Other percentiles (comma-separated, e.g. 99.99), or enter for none', '99.99');
    await session.answer('? Resource metrics (memory, CPU, connections, queue depth)? (Y/n)');
    await session.answer('? Business metrics (items processed, throughput, KPIs)? (Y/n)', 'n');
    await session.answer("? Time the handlers the contract routes, at the node's routing (Python)? (y/N)");
    await session.answer('? Topic for operation events (onex.evt.store-effect.operation-metrics.v1)');
    await session.answer('? Topic for the full snapshot (onex.evt.store-effect.node-metrics.v1)');
    await session.answer('? Prometheus alert rules');
    await session.answer('? Tests generated with the package');
    await session.expect('onex-metrics done:');

    const exit = await session.exit();
    expect(exit.exitCode, session.screenText()).toBe(0);

    const record = readRecord(target);
    expect(record).toMatchObject({
      targetDir: 'store_effect',
      envelope: 'onex',
      serviceName: 'store_effect',
      serviceVersion: '1.0.0',
      operations: ['persist_state', 'query_state'],
      publishIntervalOps: 100,
      publishIntervalSeconds: 60,
      minPublishIntervalSeconds: 1,
      maxDurationSamples: 1000,
      percentiles: [50, 99, 99.9, 99.99],
      enableResourceMetrics: true,
      enableBusinessMetrics: false,
      kafkaTopic: 'onex.evt.store-effect.operation-metrics.v1',
      snapshotTopic: 'onex.evt.store-effect.node-metrics.v1',
    });
    const files = listFiles(target);
    expect(files).toContain('metrics/resources.py');
    expect(files).not.toContain('metrics/business.py');
    expect(files).toContain('metrics/mixin.py');
    expect(files).toEqual([...recordedFiles(target), 'contract.yaml'].sort());

    // The generated package behaves: its own tests pass, it type-checks strictly, and
    // its statistics carry exactly the chosen percentiles.
    const pytest = run(venvBin('python'), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'metrics'], {
      cwd: target,
      timeout: 120_000,
    });
    expect(pytest.code, `${pytest.stdout}\n${pytest.stderr}`).toBe(0);
    expect(pytest.stdout).toMatch(/\d+ passed/);
    const mypy = run(venvBin('mypy'), ['--strict', 'metrics'], { cwd: target, timeout: 120_000 });
    expect(mypy.code, `${mypy.stdout}\n${mypy.stderr}`).toBe(0);
    const probe = run(venvBin('python'), ['-c', STATISTICS_PROBE], {
      cwd: target,
      timeout: 60_000,
    });
    expect(probe.code, probe.stderr).toBe(0);
    expect(JSON.parse(probe.stdout)).toEqual({
      operations: ['persist_state', 'query_state'],
      percentiles: { p50: 500, p99: 990, p99_9: 999, p99_99: 1000 },
      topics: expect.arrayContaining(['onex.evt.store-effect.operation-metrics.v1']),
    });
  });

  it('chooses TypeScript with the arrow keys and writes a package that compiles and passes its tests', async () => {
    const dest = destWithStoreEffect();
    const target = path.join(dest, 'store_effect');
    makeTypescriptProject(dest);
    const session = pty('npx', ['plop', 'metrics', '--dest', dest], REPO);

    await session.answer('? Node directory', 'store_effect');
    // The node directory holds only contract.yaml: python is the default, moved off with an arrow.
    await session.expect('? Language of the generated code — no project file found, so python');
    await session.waitForScreen((screen) => /^❯ python$/m.test(screen), 'python highlighted');
    session.write(KEY.down);
    await session.waitForScreen((screen) => /^❯ typescript$/m.test(screen), 'typescript highlighted');
    session.write(KEY.enter);
    await session.answer('? Event envelope');
    await session.answer(/\? Service name[^\n]*\(store_effect\)/);
    await session.answer('? Service version');
    await session.answer(/\? Operations to track[^\n]*\(persist_state\)/, 'persist_state, load_state');
    await session.answer('? Publish an operation every');
    await session.answer('? Publish every how many seconds');
    await session.answer('? At most one event of an operation');
    await session.answer('? Durations kept');
    await session.expect('? Percentiles');
    await session.waitForScreen((screen) => percentileBoxes(screen).size === 7, 'the percentile checkboxes');
    session.write(KEY.enter);
    await session.answer('? Other percentiles');
    await session.answer('? Resource metrics');
    await session.answer('? Business metrics');
    await session.answer('? Time the handlers');
    await session.answer('? Topic for operation events');
    await session.answer('? Topic for the full snapshot');
    await session.answer('? Prometheus alert rules');
    await session.answer('? Tests generated with the package');
    await session.expect('onex-metrics done:');
    const exit = await session.exit();
    expect(exit.exitCode, session.screenText()).toBe(0);

    const record = readRecord(target);
    expect(record).toMatchObject({ language: 'typescript', operations: ['persist_state', 'load_state'] });
    const files = listFiles(target);
    expect(files).toContain('metrics/tracker.ts');
    expect(files.filter((file) => file.endsWith('.py'))).toEqual([]);
    const tsc = run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: dest, timeout: 120_000 });
    expect(tsc.code, tsc.stdout).toBe(0);
    const vitest = await runAsync(bin('vitest'), ['run', '--root', dest], { cwd: dest, timeout: 120_000 });
    expect(vitest.code, vitest.stdout + vitest.stderr).toBe(0);
    expect(vitest.stdout).toMatch(/Tests +1\d passed/);
  });

  it('shows an invalid typed answer inline, naming the field, and goes on once it is corrected', async () => {
    const dest = destWithStoreEffect();
    const target = path.join(dest, 'store_effect');
    const session = pty('npx', ['plop', 'metrics', '--dest', dest], REPO);

    await session.answer('? Node directory', 'store_effect');
    await session.answer('? Language of the generated code');
    await session.answer('? Event envelope');
    await session.answer('? Service name');
    await session.answer('? Service version');

    await session.expect('? Operations to track');
    session.write(`Bad-Op${KEY.enter}`);
    const invalid = await session.expect(/>> [^\n]*snake_case[^\n]*/);
    expect(invalid).toContain('operations[0]');
    // Still on the same prompt: erase and type a valid name.
    session.write(`${KEY.backspace.repeat('Bad-Op'.length)}good_op${KEY.enter}`);
    await session.answer('? Publish an operation every how many of its calls');

    await session.expect('? Publish every how many seconds');
    session.write(`0${KEY.enter}`);
    const seconds = await session.expect(/>> [^\n]*greater than 0/);
    expect(seconds).toContain('publishIntervalSeconds');
    session.write(`${KEY.backspace}2.5${KEY.enter}`);

    await session.answer('? At most one event of an operation');
    await session.answer('? Durations kept');
    await session.expect('? Percentiles');
    await session.waitForScreen((screen) => percentileBoxes(screen).size === 7, 'the percentile checkboxes');
    session.write(KEY.enter);

    await session.expect('? Other percentiles');
    session.write(`101${KEY.enter}`);
    const percentile = await session.expect(/>> [^\n]*at most 100/);
    expect(percentile).toContain('Other percentiles, value 1 ("101")');
    session.write(`${KEY.backspace.repeat(3)}${KEY.enter}`);

    await session.answer('? Resource metrics');
    await session.answer('? Business metrics');
    await session.answer('? Time the handlers');
    await session.answer('? Topic for operation events');
    await session.answer('? Topic for the full snapshot');
    await session.answer('? Prometheus alert rules');
    await session.answer('? Tests generated with the package');
    await session.expect('onex-metrics done:');
    expect((await session.exit()).exitCode, session.screenText()).toBe(0);

    expect(readRecord(target)).toMatchObject({
      operations: ['good_op'],
      publishIntervalSeconds: 2.5,
      percentiles: [50, 95, 99],
    });
  });
});

describe('onex-metrics bin in a terminal', () => {
  it('with no arguments asks the same prompts and writes relative to its working directory', async () => {
    const cwd = destWithStoreEffect();
    const session = pty(process.execPath, [BIN], cwd);

    const first = await session.expect(`? Node directory to write metrics/ into, relative to ${cwd} (.)`);
    expect(first.trim()).toBe(`? Node directory to write metrics/ into, relative to ${cwd} (.)`);
    session.write(`store_effect${KEY.enter}`);
    await session.answer('? Language of the generated code');
    await session.answer('? Event envelope');
    await session.answer(/\? Service name[^\n]*\(store_effect\)/);
    await session.answer(/\? Service version[^\n]*\(1\.0\.0\)/);
    await session.answer(/\? Operations to track[^\n]*\(persist_state\)/);
    await session.answer('? Publish an operation every');
    await session.answer('? Publish every how many seconds');
    await session.answer('? At most one event of an operation');
    await session.answer('? Durations kept');
    await session.expect('? Percentiles');
    await session.waitForScreen((screen) => percentileBoxes(screen).size === 7, 'the percentile checkboxes');
    session.write(KEY.enter);
    await session.answer('? Other percentiles');
    await session.answer('? Resource metrics');
    await session.answer('? Business metrics');
    await session.answer('? Time the handlers');
    await session.answer('? Topic for operation events');
    await session.answer('? Topic for the full snapshot');
    await session.answer('? Prometheus alert rules');
    await session.answer('? Tests generated with the package');
    await session.expect('onex-metrics done:');
    expect((await session.exit()).exitCode, session.screenText()).toBe(0);

    const target = path.join(cwd, 'store_effect');
    const record = readRecord(target);
    expect(record).toMatchObject({
      targetDir: 'store_effect',
      serviceName: 'store_effect',
      operations: ['persist_state'],
      percentiles: [50, 95, 99],
      enableBusinessMetrics: true,
    });
    expect(listFiles(target)).toEqual([...recordedFiles(target), 'contract.yaml'].sort());
    expect(listFiles(target)).toContain('metrics/business.py');
    // Nothing landed next to the node, nor in the repository the bin came from.
    expect(listFiles(cwd).filter((file) => !file.startsWith('store_effect/'))).toEqual([]);
    expect(existsSync(path.join(REPO, 'metrics'))).toBe(false);
  });
});

/**
 * The commands of the next steps (their `$ ` lines), as printed on the terminal, run
 * one after another from `cwd` with `PATH` as given; returns their output.
 */
async function followCommands(screen: string, cwd: string, PATH: string): Promise<string> {
  const commands = [...screen.matchAll(/^ {4}\$ (.+)$/gm)].map((match) => match[1]!.trim());
  expect(commands.length, screen).toBeGreaterThanOrEqual(2);
  let output = '';
  for (const command of commands) {
    const result = await runAsync('bash', ['-c', command], { cwd, timeout: 240_000, env: { PATH, CI: 'true' } });
    output += `$ ${command}\n${result.stdout}${result.stderr}`;
    expect(result.code, output).toBe(0);
  }
  return output;
}

describe('a newcomer in a fresh directory: npm install the pack, npx onex-metrics, follow the next steps', () => {
  let tarball = '';
  const fresh = () => {
    const dir = tempDir('onex-metrics-newcomer-');
    temps.push(dir);
    return dir;
  };

  beforeAll(() => {
    const packs = fresh();
    // The global setup built dist/; packing without scripts does not rebuild it under running tests.
    const packed = run('npm', ['pack', '--ignore-scripts', '--pack-destination', packs], {
      cwd: REPO,
      timeout: 180_000,
    });
    expect(packed.code, packed.stderr).toBe(0);
    tarball = path.join(packs, packed.stdout.trim().split('\n').at(-1)!);
  }, 200_000);

  /** A new npm project with the pack installed from its tarball, as `npm install` would. */
  function project(): string {
    const dir = path.join(fresh(), 'project');
    mkdirSync(dir);
    for (const args of [
      ['init', '-y'],
      ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball],
    ]) {
      const result = run('npm', args, { cwd: dir, timeout: 180_000 });
      expect(result.code, result.stderr).toBe(0);
    }
    return dir;
  }

  /** `npx onex-metrics` in a terminal wide enough for the next steps: name and operation typed, every other default taken. */
  async function generate(cwd: string, targetDir: string, language: 'python' | 'typescript'): Promise<string> {
    const session = spawnPty('npx', ['onex-metrics'], { cwd, cols: 200, env: { CI: undefined, NODE_ENV: undefined } });
    sessions.push(session);
    await session.answer('? Node directory', targetDir);
    await session.expect(
      `? Language of the generated code — ${language === 'python' ? 'no project file found, so python' : 'detected from package.json'}`,
    );
    await session.waitForScreen((screen) => new RegExp(`^❯ ${language}$`, 'm').test(screen), `${language} highlighted`);
    session.write(KEY.enter);
    await session.answer('? Event envelope');
    await session.answer('? Service name', 'orders_service');
    await session.answer('? Service version');
    await session.answer('? Operations to track', 'create_order');
    for (const prompt of [
      '? Publish an operation every',
      '? Publish every how many seconds',
      '? At most one event of an operation',
      '? Durations kept',
      '? Percentiles',
    ]) {
      await session.answer(prompt);
    }
    for (const prompt of ['? Other percentiles', '? Resource metrics', '? Business metrics', '? Time the handlers']) {
      await session.answer(prompt);
    }
    await session.answer('? Topic for operation events');
    await session.answer('? Topic for the full snapshot');
    await session.answer('? Prometheus alert rules');
    await session.answer('? Tests generated with the package');
    await session.expect('onex-metrics done:');
    expect((await session.exit()).exitCode, session.screenText()).toBe(0);
    return session.screenText();
  }

  it('Python: the next steps name the packages to add; their commands run the example and its tests in a clean venv', async () => {
    const dir = project();
    const screen = await generate(dir, 'orders_node', 'python');
    expect(screen).toMatch(/^ +psutil==\d+\.\d+\.\d+ +memory and CPU from psutil \(for mypy: types-psutil==[\d.]+\)$/m);
    expect(screen).toMatch(/^ +omnibase-infra==\d+\.\d+\.\d+ +Kafka through its EventBusKafka/m);
    expect(screen).toContain('self._initialize_metrics(event_bus=event_bus)');
    expect(screen).toContain('await node.stop_metrics()');
    expect(screen).toContain('See it work, then test it (from orders_node/):');

    // A clean venv: the standard library and what the next steps install, nothing else.
    const venv = path.join(path.dirname(dir), 'venv');
    const made = run('python3', ['-m', 'venv', venv], { timeout: 120_000 });
    expect(made.code, made.stderr).toBe(0);
    const output = await followCommands(screen, path.join(dir, 'orders_node'), `${venv}/bin:${process.env.PATH}`);
    expect(output).toMatch(
      /^metrics\.events orders_service create_order: 100 calls, 10 errors \(10\.0%\), p50 2\.5 ms/m,
    );
    expect(output).toMatch(/^\d+ passed/m);
  }, 600_000);

  it('TypeScript: the next steps name the Kafka client for the Node.js line; their commands run the demo and its tests', async () => {
    const dir = project();
    const screen = await generate(dir, '.', 'typescript');
    expect(screen).toMatch(
      /npm install @platformatic\/kafka@2\.\d+\.\d+ +\(Node\.js 22\.22 or later; on older Node\.js, @platformatic\/kafka@1\)/,
    );
    expect(screen).toContain('const metrics = new MetricsTracker({ eventBus });');
    expect(screen).toContain('await metrics.stop();');

    // Today's vitest needs Node.js 22.12 or later: the user's Node is 24.
    const installed = await runAsync(path.join(REPO, 'scripts', 'node-env'), ['24'], { timeout: 120_000 });
    expect(installed.code, installed.stderr).toBe(0);
    const nodeBin = installed.stdout.trim().split('\n').at(-1)!;
    const output = await followCommands(screen, dir, `${nodeBin}:${process.env.PATH}`);
    expect(output).toMatch(
      /^metrics\.events orders_service create_order: 100 calls, 10 errors \(10\.0%\), p50 2\.5 ms/m,
    );
    expect(output).toMatch(/Tests +\d+ passed/);
  }, 600_000);
});

describe('a fresh clone', () => {
  it('runs `npm install && npx plop metrics` to the first prompt, and Ctrl-C leaves the clone clean', async () => {
    const root = tempDir('onex-metrics-clone-');
    temps.push(root);
    const clone = path.join(root, 'clone');
    const cloned = run('git', ['clone', '--quiet', REPO, clone], { timeout: 60_000 });
    expect(cloned.code, cloned.stderr).toBe(0);

    const session = pty(
      'bash',
      ['-lc', 'npm install --no-audit --no-fund --prefer-offline && npx plop metrics'],
      clone,
    );
    const first = await session.expect(`? Node directory to write metrics/ into, relative to ${clone} (.)`, 240_000);
    expect(first).toContain('? Node directory');
    session.write(KEY.ctrlC);
    const exit = await session.exit(30_000);
    expect(exit.exitCode).not.toBe(0);

    // The install built the package the bin uses, and the interrupted run wrote nothing.
    expect(existsSync(path.join(clone, 'dist', 'src', 'cli.js'))).toBe(true);
    const status = run('git', ['status', '--porcelain'], { cwd: clone });
    expect(status.stdout).toBe('');
  }, 300_000);
});
