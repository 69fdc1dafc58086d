/**
 * `npm run bench [-- --smoke] [-- --json FILE] [-- --keep]`: runs every
 * benchmark and prints one markdown table (bench/rows.ts lists its rows).
 *
 * 1. Generates fresh packages from the current templates (bench/lib/generate.ts).
 * 2. Runs each benchmark in a process of its own (bench/python/*.py,
 *    bench/typescript/*.ts); each prints result rows as JSON lines.
 * 3. For the latency rows, starts its own Kafka broker (bench/lib/kafka.ts) and
 *    stops it when a benchmark asks ("broker down"), restarting it for the next.
 * 4. Prints the table with the date and the machine. Exits 1 when a benchmark
 *    failed or a row is missing; budgets are judged in the table, never in the
 *    exit code (benchmarks are not tests).
 *
 * --smoke: tiny counts and no broker, to check in CI that everything runs and
 * every row appears (in well under a minute); its timings mean nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { answersFile, generateAll } from './lib/generate.js';
import { Broker, deadAddress } from './lib/kafka.js';
import { BIN, type Measured, REPO, runBenchmark, runProcess } from './lib/process.js';
import { renderTable, verdicts } from './lib/table.js';
import { ROWS, SECTIONS } from './rows.js';

const { values: options } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const smoke = options.smoke!;
const minutes = (n: number): number => (smoke ? 90_000 : n * 60_000);
const log = (message: string): void => {
  process.stderr.write(`bench: ${message}\n`);
};

const results = new Map<string, Measured>();
const errors: string[] = [];

async function step(name: string, run: () => Promise<Measured[]>): Promise<void> {
  log(name);
  const started = Date.now();
  try {
    for (const row of await run()) results.set(row.id, row);
  } catch (error) {
    for (const row of (error as { rows?: Measured[] }).rows ?? []) results.set(row.id, row);
    errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    log(`${name} FAILED`);
  }
  log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function firstLine(command: string, args: string[]): Promise<string> {
  const result = await runProcess(command, args, { timeout: 900_000 });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return (result.stdout.trim() || result.stderr.trim()).split('\n').at(-1)!.trim();
}

const started = Date.now();
const loadBefore = loadavg();
const venv = await firstLine(path.join(REPO, 'scripts', 'python-env'), []);
const python = path.join(venv, 'bin', 'python');
const machine = {
  date: new Date().toISOString().slice(0, 10),
  cores: availableParallelism(),
  cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
  node: process.version,
  python: await firstLine(python, ['-V']),
};

const root = mkdtempSync(path.join(tmpdir(), 'onex-metrics-bench-'));
const exitCleanly = (): void => {
  if (!options.keep) rmSync(root, { recursive: true, force: true });
};
let broker: Broker | undefined;
process.on('SIGINT', () => {
  void broker?.stop().finally(() => process.exit(130));
  if (!broker) process.exit(130);
});

log(`generating packages into ${root}`);
const packages = await generateAll(root);
const deadBroker = await deadAddress();
const writeConfig = (name: string, extra: Record<string, unknown> = {}): string => {
  const file = path.join(root, `${name}.json`);
  writeFileSync(file, JSON.stringify({ smoke, packages, deadBroker, ...extra }, null, 2));
  return file;
};
const config = writeConfig('config');
const py = (script: string, file = config) => [python, [path.join(REPO, 'bench', 'python', script), file]] as const;
const ts = (script: string, file = config, flags: string[] = []) =>
  [process.execPath, [...flags, '--import', 'tsx', path.join(REPO, 'bench', 'typescript', script), file]] as const;

await step('Python wrappers behave as the functions they wrap', () =>
  runBenchmark(...py('verify_wrappers.py'), { timeout: minutes(2) }),
);
await step('TypeScript exactSum equals math.fsum', async () => {
  const cases = path.join(root, 'sum-cases.json');
  const written = await runProcess(python, [path.join(REPO, 'bench', 'python', 'sum_cases.py'), config, cases], {
    timeout: minutes(2),
  });
  if (written.code !== 0) throw new Error(`sum_cases.py failed:\n${written.stderr}`);
  const [node, args] = ts('verify_sums.ts');
  return runBenchmark(node, [...args, cases], { timeout: minutes(2) });
});
await step('Python all-in', () => runBenchmark(...py('allin.py'), { timeout: minutes(5) }));
await step('TypeScript all-in', () => runBenchmark(...ts('allin.ts'), { timeout: minutes(5) }));
await step('Python hot path', () => runBenchmark(...py('hotpath.py'), { timeout: minutes(15) }));
await step('TypeScript hot path', () => runBenchmark(...ts('hotpath.ts'), { timeout: minutes(10) }));
await step('Python publishing', () => runBenchmark(...py('publishing.py'), { timeout: minutes(15) }));
await step('TypeScript publishing', () => runBenchmark(...ts('publishing.ts'), { timeout: minutes(10) }));

if (smoke) {
  await step('Python latency (smoke: no broker)', () => runBenchmark(...py('latency.py'), { timeout: minutes(5) }));
  await step('TypeScript latency (smoke: no broker)', () => runBenchmark(...ts('latency.ts'), { timeout: minutes(5) }));
} else {
  broker = new Broker(path.join(root, 'kafka-state'));
  const latencyConfig = writeConfig('config-broker', { broker: broker.bootstrap });
  const live = broker;
  const onControl = async (request: string): Promise<string> => {
    if (request !== 'stop-broker') throw new Error(`unknown control request ${request}`);
    log('stopping the broker under load');
    await live.stop();
    return 'stopped';
  };
  for (const [name, command] of [
    ['Python latency', py('latency.py', latencyConfig)],
    ['TypeScript latency', ts('latency.ts', latencyConfig)],
  ] as const) {
    const [program, args] = command;
    await step(name, async () => {
      log(`starting a broker on ${live.bootstrap}`);
      await live.start();
      try {
        return await runBenchmark(program, args, { timeout: minutes(10), onControl });
      } finally {
        await live.stop();
      }
    });
  }
  broker = undefined;
}

await step('Python memory', () => runBenchmark(...py('memory.py'), { timeout: minutes(10) }));
await step('TypeScript memory', () =>
  runBenchmark(...ts('memory.ts', config, ['--expose-gc']), { timeout: minutes(10) }),
);

await step('watch', () => runBenchmark(...ts('watch.ts', config, ['--expose-gc']), { timeout: minutes(5) }));

await step('Generation', async () => {
  const answers = answersFile(root, 'python', 'default');
  const time = async (args: string[], cwd: string): Promise<number> => {
    const start = performance.now();
    const result = await runProcess(process.execPath, args, { timeout: 60_000, cwd });
    if (result.code !== 0) throw new Error(`node ${args.join(' ')} failed:\n${result.stderr}`);
    return performance.now() - start;
  };
  const node: number[] = [];
  const generate: number[] = [];
  const rounds = smoke ? 2 : 10;
  for (let round = 0; round < rounds + 1; round += 1) {
    const dest = path.join(root, 'generation', String(round));
    mkdirSync(dest, { recursive: true });
    const bare = await time(['-e', '0'], dest);
    const generating = await time([BIN, '--answers', answers, '--dest', dest], dest);
    if (round === 0) continue; // warm-up: file-system caches
    node.push(bare);
    generate.push(generating);
  }
  const summary = (id: string, values: number[], note?: string): Measured => ({
    id,
    median: [...values].sort((a, b) => a - b)[values.length >> 1]!,
    min: Math.min(...values),
    max: Math.max(...values),
    rounds: values.length,
    ...(note ? { note } : {}),
  });
  return [
    summary(
      'gen.node',
      node,
      process.env.NODE_EXTRA_CA_CERTS ? 'NODE_EXTRA_CA_CERTS is set: it slows every start' : undefined,
    ),
    summary('gen.answers', generate, 'into a fresh directory each time'),
    summary(
      'gen.ratio',
      generate.map((value, index) => value / node[index]!),
    ),
  ];
});

const missing = ROWS.filter((row) => !results.has(row.id)).map((row) => row.id);
const unknown = [...results.keys()].filter((id) => !ROWS.some((row) => row.id === id));
if (missing.length > 0) errors.push(`missing rows: ${missing.join(', ')}`);
if (unknown.length > 0) errors.push(`rows not in bench/rows.ts: ${unknown.join(', ')}`);

const loadAfter = loadavg();
const seconds = Math.round((Date.now() - started) / 1000);
const judged = verdicts(SECTIONS, results, !smoke).filter((verdict) => verdict.holds !== undefined);
const header = [
  `## Benchmarks${smoke ? ' (smoke mode: tiny counts, no broker; timings mean nothing)' : ''}`,
  '',
  `${machine.date} · ${machine.cores} cores (${machine.cpu}) · Node ${machine.node} · ${machine.python} · ` +
    `load average ${loadBefore[0]!.toFixed(2)} before, ${loadAfter[0]!.toFixed(2)} after · ${seconds} s · \`npm run bench${smoke ? ' -- --smoke' : ''}\``,
  '',
  'Ratios are taken per round between variants timed side by side in one process, then summarised: median, and min – max over the rounds. ' +
    '"Added" is ns per call beyond the bare call of the same shape. Python hot-path rounds pause the garbage collector (as timeit does) and collect between rounds; publishing, latency and memory run with it. ' +
    "The publisher's event every 100 calls is not charged to the hot-path rows: it is in the publishing rows.",
  '',
];
const footer = [
  '',
  smoke
    ? 'Budgets are not judged in smoke mode.'
    : `Budgets judged on the medians: ${judged.filter((v) => v.holds).length} of ${judged.length} hold` +
      (judged.some((v) => !v.holds)
        ? ` — missed: ${judged
            .filter((v) => !v.holds)
            .map((v) => v.row.id)
            .join(', ')}.`
        : '.'),
];
process.stdout.write(`${[...header, renderTable(SECTIONS, results, !smoke), ...footer].join('\n')}\n`);

if (options.json) {
  writeFileSync(
    options.json,
    JSON.stringify({ machine, smoke, seconds, results: Object.fromEntries(results), errors }, null, 2),
  );
}
if (errors.length > 0) {
  process.stderr.write(`\nbench: ${errors.length} problem(s):\n${errors.map((error) => `- ${error}`).join('\n')}\n`);
}
exitCleanly();
process.exit(errors.length > 0 ? 1 : 0);
