/**
 * plop's own CLI without a terminal (stdin is not a TTY, so prompts are not asked):
 * bypass arguments, invalid values, conflicts, and a consumer project that installs the
 * packed tarball. Every plop run goes through `runPlop`, which refuses plop's
 * "exit 0 although the plopfile did not load" and "exit 0 although nothing ran".
 */
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listFiles,
  readRecord,
  recordedFiles,
  REPO,
  run,
  snapshotTree,
  tempDir,
  type Result,
  withStoreEffect,
} from './support/helpers.js';

const PLOP_BIN = path.join(REPO, 'node_modules', 'plop', 'bin', 'plop.js');
const PLOP_LOAD_FAILURE = 'Something went wrong with reading your plop file';
const temps: string[] = [];

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const dir = tempDir(prefix);
  temps.push(dir);
  return dir;
}

function describeRun(result: Result): string {
  return `exit ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

/**
 * Throws unless the `metrics` generator really ran: plop exits 0 when its plopfile fails
 * to load, and when a generator of that name does nothing. A success must show the
 * action's report; a failure must come from a prompt's validation or the action.
 */
function assertGeneratorRan(result: Result): void {
  const output = `${result.stdout}\n${result.stderr}`;
  if (output.includes(PLOP_LOAD_FAILURE)) {
    throw new Error(`plop could not load its plopfile (and exited ${result.code}):\n${describeRun(result)}`);
  }
  const ran = result.code === 0 ? output.includes('onex-metrics done:') : /\[ERROR\] |✖ /.test(output);
  if (!ran) throw new Error(`the metrics generator did not run:\n${describeRun(result)}`);
}

interface PlopOptions {
  cwd: string;
  /** How plop is started; `npx plop` by default. */
  plop?: readonly [string, ...string[]];
  timeout?: number;
  env?: Record<string, string>;
}

/** Runs plop (stdin not a terminal), bounded by a timeout, and checks that the generator ran. */
function runPlop(args: readonly string[], options: PlopOptions): Result {
  const [command, ...prefix] = options.plop ?? ['npx', 'plop'];
  const result = run(command, [...prefix, ...args], {
    cwd: options.cwd,
    timeout: options.timeout ?? 60_000,
    // Under vitest NODE_ENV is "test", which makes plop report on stdout: run it as a user would.
    env: { NODE_ENV: undefined, ...options.env },
  });
  assertGeneratorRan(result);
  return result;
}

/** A temp destination holding a copy of the store_effect node (its contract.yaml). */
function destWithStoreEffect(into?: string): string {
  return withStoreEffect(into ?? temp('onex-metrics-plop-'));
}

/** The recorded answers, without the provenance keys (`_generator`, `_files`). */
function recordedAnswers(target: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(readRecord(target)).filter(([key]) => !key.startsWith('_')));
}

const STORE_EFFECT_ANSWERS = {
  language: 'python',
  targetDir: 'store_effect',
  envelope: 'onex',
  serviceName: 'store_effect',
  serviceVersion: '1.0.0',
  operations: ['persist_state'],
  publishIntervalOps: 100,
  publishIntervalSeconds: 60,
  minPublishIntervalSeconds: 1,
  maxDurationSamples: 1000,
  percentiles: [50, 95, 99],
  enableResourceMetrics: true,
  enableBusinessMetrics: true,
  trackHandlers: false,
  kafkaTopic: 'onex.evt.store-effect.operation-metrics.v1',
  snapshotTopic: 'onex.evt.store-effect.node-metrics.v1',
  alerts: null,
  tests: 'full',
};

describe('plop bypass without a terminal', () => {
  it('takes the rest from the contract when only --targetDir is given', () => {
    const dest = destWithStoreEffect();
    const result = runPlop(['metrics', '--dest', dest, '--', '--targetDir', 'store_effect'], { cwd: REPO });
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stderr).toMatch(/^create +store_effect\/metrics\/mixin\.py$/m);
    // The next steps follow the listing.
    expect(result.stderr).toContain('Next steps');
    expect(result.stderr).toMatch(/^ +\$ python -m metrics$/m);

    const target = path.join(dest, 'store_effect');
    expect(recordedAnswers(target)).toEqual(STORE_EFFECT_ANSWERS);
    const files = listFiles(target);
    expect(files).toEqual([...recordedFiles(target), 'contract.yaml'].sort());
    expect(files).toEqual(expect.arrayContaining(['metrics/mixin.py', 'metrics/resources.py', 'metrics/business.py']));
    // Only the node directory was written to.
    expect(listFiles(dest).every((file) => file.startsWith('store_effect/'))).toBe(true);
  });

  it('records exactly the coerced values of every answer given on the command line', () => {
    const dest = temp('onex-metrics-plop-');
    const result = runPlop(
      [
        'metrics',
        '--dest',
        dest,
        '--',
        '--targetDir',
        './nodes//svc/',
        '--envelope',
        'omninode-bridge',
        '--serviceName',
        'svc',
        '--serviceVersion',
        '2.0.0-rc.1',
        '--operations',
        'a, gateway.attach',
        '--publishIntervalOps',
        '7',
        '--publishIntervalSeconds',
        '2.5',
        '--minPublishIntervalSeconds',
        '0',
        '--maxDurationSamples',
        '9',
        '--percentiles',
        '99.9, 0.1,50',
        '--enableResourceMetrics',
        'false',
        '--enableBusinessMetrics',
        'no',
        '--trackHandlers',
        'yes',
        '--kafkaTopic',
        'svc.events',
        '--snapshotTopic',
        'svc.snapshots',
        '--alerts',
        'p99Ms=250, errorRate=0.05, silent=yes, forMinutes=2',
        '--tests',
        'smoke',
      ],
      { cwd: REPO },
    );
    expect(result.code, describeRun(result)).toBe(0);

    const target = path.join(dest, 'nodes', 'svc');
    expect(recordedAnswers(target)).toEqual({
      language: 'python',
      targetDir: 'nodes/svc',
      envelope: 'omninode-bridge',
      serviceName: 'svc',
      serviceVersion: '2.0.0-rc.1',
      operations: ['a', 'gateway.attach'],
      publishIntervalOps: 7,
      publishIntervalSeconds: 2.5,
      minPublishIntervalSeconds: 0,
      maxDurationSamples: 9,
      percentiles: [0.1, 50, 99.9],
      enableResourceMetrics: false,
      enableBusinessMetrics: false,
      trackHandlers: true,
      kafkaTopic: 'svc.events',
      snapshotTopic: 'svc.snapshots',
      alerts: { p99Ms: 250, errorRate: 0.05, silent: true, forMinutes: 2 },
      tests: 'smoke',
    });
    const files = listFiles(target);
    expect(files).toEqual(recordedFiles(target));
    expect(files).not.toContain('metrics/business.py');
    expect(files).not.toContain('metrics/resources.py');
    expect(readFileSync(path.join(target, 'metrics', 'config.py'), 'utf8')).toContain(
      'PUBLISH_INTERVAL_OPS: Final = 7',
    );
  });

  describe('invalid values exit 2, name the field on stderr and write nothing', () => {
    const cases: { args: string[]; field: string; message: RegExp }[] = [
      { args: ['--operations', 'persist_state, Bad-Op'], field: 'operations[1]', message: /snake_case/ },
      { args: ['--operations', 'a, a'], field: 'operations[1]', message: /listed twice/ },
      { args: ['--percentiles', '50, 101'], field: 'percentiles[1]', message: /at most 100/ },
      { args: ['--percentiles', '99.99999'], field: 'percentiles[0]', message: /at most 3 decimals/ },
      { args: ['--publishIntervalOps', '0'], field: 'publishIntervalOps', message: /at least 1/ },
      { args: ['--publishIntervalOps', '1.5'], field: 'publishIntervalOps', message: /whole number/ },
      { args: ['--publishIntervalSeconds=-1'], field: 'publishIntervalSeconds', message: /greater than 0/ },
      { args: ['--maxDurationSamples', 'lots'], field: 'maxDurationSamples', message: /whole number/ },
      { args: ['--serviceName', '9lives'], field: 'serviceName', message: /must start with a letter/ },
      { args: ['--enableBusinessMetrics', 'maybe'], field: 'enableBusinessMetrics', message: /must be yes or no/ },
      { args: ['--kafkaTopic', 'has space'], field: 'kafkaTopic', message: /letters, digits/ },
      { args: ['--kafkaTopic', 'svc.events'], field: 'kafkaTopic', message: /ONEX topic format/ },
      { args: ['--envelope', 'v1'], field: 'envelope', message: /must be one of onex, omninode-bridge/ },
    ];

    // A destination already holding a generated package: any write would show.
    let generated = '';
    beforeAll(() => {
      generated = destWithStoreEffect();
      const first = runPlop(['metrics', '--dest', generated, '--', '--targetDir', 'store_effect'], { cwd: REPO });
      if (first.code !== 0) throw new Error(`the first generation failed:\n${describeRun(first)}`);
    });

    it.each(cases.map((c) => ({ ...c, shown: c.args.join(' ') })))('$field: $shown', ({ args, field, message }) => {
      const dest = temp('onex-metrics-plop-');
      cpSync(generated, dest, { recursive: true });
      const before = snapshotTree(dest);
      expect(Object.keys(before)).toContain('store_effect/metrics/mixin.py');

      const result = runPlop(['metrics', '--dest', dest, '--', '--targetDir', 'store_effect', ...args], { cwd: REPO });
      expect(result.code, describeRun(result)).toBe(2);
      const line = result.stderr.split('\n').find((text) => text.includes(`${field}:`));
      expect(line, describeRun(result)).toBeDefined();
      expect(line).toMatch(message);
      expect(result.stderr).not.toContain('onex-metrics done');
      expect(snapshotTree(dest)).toEqual(before);
    });

    it('a targetDir escaping --dest', () => {
      const parent = temp('onex-metrics-plop-');
      const dest = path.join(parent, 'dest');
      mkdirSync(dest);
      const before = snapshotTree(parent);
      const result = runPlop(
        ['metrics', '--dest', dest, '--', '--targetDir', '../outside', '--serviceName', 'svc', '--operations', 'a'],
        { cwd: REPO },
      );
      expect(result.code, describeRun(result)).toBe(2);
      expect(result.stderr).toMatch(
        /targetDir: must stay inside the destination directory \(--dest; no "\.\." escape\)/,
      );
      expect(snapshotTree(parent)).toEqual(before);
    });

    it('required answers missing where there is no contract.yaml', () => {
      const dest = temp('onex-metrics-plop-');
      mkdirSync(path.join(dest, 'bare'));
      const before = snapshotTree(dest);
      const result = runPlop(['metrics', '--dest', dest, '--', '--targetDir', 'bare'], { cwd: REPO });
      expect(result.code, describeRun(result)).toBe(2);
      expect(result.stderr).toMatch(/serviceName: is required/);
      expect(result.stderr).toMatch(/operations: is required/);
      expect(snapshotTree(dest)).toEqual(before);
    });
  });

  it('refuses with exit 1, touching nothing, when a generated file was edited by hand', () => {
    const dest = destWithStoreEffect();
    const bypass = ['metrics', '--dest', dest, '--', '--targetDir', 'store_effect', '--publishIntervalOps', '5'];
    const first = runPlop(bypass, { cwd: REPO });
    expect(first.code, describeRun(first)).toBe(0);

    const edited = path.join(dest, 'store_effect', 'metrics', 'config.py');
    appendFileSync(edited, '# tuned by hand\n');
    const before = snapshotTree(dest);
    const again = runPlop(bypass, { cwd: REPO });
    expect(again.code, describeRun(again)).toBe(1);
    expect(again.stderr).toMatch(/store_effect\/metrics\/config\.py: was edited since it was generated/);
    expect(again.stderr).toContain('Nothing was written');
    expect(snapshotTree(dest)).toEqual(before);
    expect(readFileSync(edited, 'utf8').endsWith('# tuned by hand\n')).toBe(true);
    // A dry run of it fails the same way, saying so.
    const dry = runPlop(bypass, { cwd: REPO, env: { ONEX_METRICS_DRY_RUN: '1' } });
    expect(dry.code, describeRun(dry)).toBe(1);
    expect(dry.stderr).toContain('Dry run, nothing written; the real run would be refused.');
    expect(snapshotTree(dest)).toEqual(before);
  });
});

describe('the runPlop guard', () => {
  /** A project whose plopfile.js is `body`, run with the repository's plop. */
  function plopProject(body: string): string {
    const dir = temp('onex-metrics-plopfile-');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'p', private: true, type: 'module' }));
    writeFileSync(path.join(dir, 'plopfile.js'), body);
    return dir;
  }
  const plainPlop = [process.execPath, PLOP_BIN] as const;

  it('fails when the plopfile does not load, although plop exits 0', () => {
    const dir = plopProject("export default function () { throw new Error('plopfile exploded'); }\n");
    const args = ['metrics', '--', '--targetDir', 'x'];

    const raw = run(process.execPath, [PLOP_BIN, ...args], { cwd: dir, timeout: 60_000 });
    expect(raw.code).toBe(0);
    expect(raw.stderr).toContain(PLOP_LOAD_FAILURE);
    expect(() => runPlop(args, { cwd: dir, plop: plainPlop })).toThrow(
      /could not load its plopfile[\s\S]*plopfile exploded/,
    );
    expect(readdirSync(dir).sort()).toEqual(['package.json', 'plopfile.js']);
  });

  it('fails when a generator named metrics exits 0 without running the action', () => {
    const dir = plopProject(
      "export default function (plop) { plop.setGenerator('metrics', { description: 'stand-in', prompts: [], actions: [] }); }\n",
    );
    const raw = run(process.execPath, [PLOP_BIN, 'metrics'], { cwd: dir, timeout: 60_000 });
    expect(raw.code).toBe(0);
    expect(() => runPlop(['metrics'], { cwd: dir, plop: plainPlop })).toThrow(/metrics generator did not run/);
  });

  it('fails when plop cannot find the generator', () => {
    const dir = plopProject(
      "export default function (plop) { plop.setGenerator('other', { prompts: [], actions: [] }); }\n",
    );
    expect(() => runPlop(['metrics'], { cwd: dir, plop: plainPlop })).toThrow(/metrics generator did not run/);
  });
});

describe('a consumer project installing the packed tarball', () => {
  let consumer = '';

  beforeAll(() => {
    const root = temp('onex-metrics-consumer-');
    const packs = path.join(root, 'packs');
    mkdirSync(packs);
    // The global setup built dist/; packing without scripts does not rebuild it under running tests.
    const packed = run('npm', ['pack', '--ignore-scripts', '--pack-destination', packs], {
      cwd: REPO,
      timeout: 180_000,
    });
    if (packed.code !== 0) throw new Error(`npm pack failed:\n${describeRun(packed)}`);
    const tarballs = readdirSync(packs).filter((name) => name.endsWith('.tgz'));
    if (tarballs.length !== 1) throw new Error(`npm pack made ${tarballs.join(', ') || 'no tarball'}`);

    consumer = path.join(root, 'consumer');
    mkdirSync(consumer);
    writeFileSync(
      path.join(consumer, 'package.json'),
      `${JSON.stringify({ name: 'consumer', private: true, type: 'commonjs' }, null, 2)}\n`,
    );
    // Plain JavaScript plopfiles, CommonJS (found by plop) and ESM (given with --plopfile).
    writeFileSync(
      path.join(consumer, 'plopfile.js'),
      "module.exports = async function (plop) {\n  await plop.load('plop-pack-onex-metrics');\n};\n",
    );
    writeFileSync(
      path.join(consumer, 'plopfile.mjs'),
      "export default async function (plop) {\n  await plop.load('plop-pack-onex-metrics');\n}\n",
    );
    const installed = run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(packs, tarballs[0]!), 'plop@4.0.5'],
      { cwd: consumer, timeout: 240_000 },
    );
    if (installed.code !== 0) throw new Error(`npm install failed:\n${describeRun(installed)}`);
  }, 300_000);

  it('runs `npx plop metrics` with a bypass from a CommonJS plopfile.js', () => {
    destWithStoreEffect(consumer);
    // An existing Python node, as in ONEX.
    writeFileSync(path.join(consumer, 'store_effect', 'node.py'), "'''The store_effect node.'''\n");
    const result = runPlop(['metrics', '--', '--targetDir', 'store_effect'], { cwd: consumer });
    expect(result.code, describeRun(result)).toBe(0);
    const target = path.join(consumer, 'store_effect');
    expect(recordedAnswers(target)).toEqual(STORE_EFFECT_ANSWERS);
    expect(listFiles(target)).toEqual([...recordedFiles(target), 'contract.yaml', 'node.py'].sort());
  });

  it('runs `npx plop metrics` from an ESM plopfile.mjs', () => {
    const result = runPlop(
      [
        '--plopfile',
        'plopfile.mjs',
        'metrics',
        '--',
        '--targetDir',
        'nodes/orders',
        '--serviceName',
        'orders',
        '--operations',
        'create_order, cancel_order',
      ],
      { cwd: consumer },
    );
    expect(result.code, describeRun(result)).toBe(0);
    const target = path.join(consumer, 'nodes', 'orders');
    // Only the node directory decides the language; the consumer's own package.json does not.
    expect(recordedAnswers(target)).toMatchObject({
      language: 'python',
      serviceName: 'orders',
      operations: ['create_order', 'cancel_order'],
    });
    expect(listFiles(target)).toEqual(recordedFiles(target));
  });

  it('runs `npx onex-metrics --answers answers.yaml`', () => {
    writeFileSync(
      path.join(consumer, 'answers.yaml'),
      'language: python\ntargetDir: svc_dir\nserviceName: svc\noperations: [fetch_item, store_item]\nenableResourceMetrics: false\n',
    );
    const result = run('npx', ['onex-metrics', '--answers', 'answers.yaml'], { cwd: consumer, timeout: 60_000 });
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toMatch(/^create +svc_dir\/metrics\/mixin\.py$/m);
    expect(result.stdout).toContain('Done.');
    const target = path.join(consumer, 'svc_dir');
    expect(recordedAnswers(target)).toMatchObject({
      serviceName: 'svc',
      operations: ['fetch_item', 'store_item'],
      enableResourceMetrics: false,
    });
    const files = listFiles(target);
    expect(files).toEqual(recordedFiles(target));
    expect(files).not.toContain('metrics/resources.py');
    expect(files).toContain('metrics/business.py');
  });

  it('imports renderMetrics from an .mjs script, which plans files without writing them', () => {
    writeFileSync(
      path.join(consumer, 'plan.mjs'),
      [
        "import { renderMetrics } from 'plop-pack-onex-metrics';",
        "const { files } = renderMetrics({ targetDir: 'planned/node', serviceName: 'svc', operations: ['a'], enableBusinessMetrics: false });",
        'console.log(JSON.stringify(files.map((file) => file.path)));',
        '',
      ].join('\n'),
    );
    const result = run(process.execPath, ['plan.mjs'], { cwd: consumer, timeout: 60_000 });
    expect(result.code, describeRun(result)).toBe(0);
    const planned: unknown = JSON.parse(result.stdout);
    expect(Array.isArray(planned)).toBe(true);
    const paths = planned as string[];
    expect(paths).toEqual(
      expect.arrayContaining([
        'planned/node/metrics/__init__.py',
        'planned/node/metrics/mixin.py',
        'planned/node/metrics/decorator.py',
        'planned/node/metrics/resources.py',
        'planned/node/.onex-metrics.yaml',
      ]),
    );
    expect(paths.every((file) => file.startsWith('planned/node/'))).toBe(true);
    expect(paths).not.toContain('planned/node/metrics/business.py');
    expect(existsSync(path.join(consumer, 'planned'))).toBe(false);
  });
});
