/**
 * Concurrency and a memory soak, for both targets (no broker):
 *
 * - Python: asyncio tasks and worker threads (asyncio.to_thread, a 1 µs thread
 *   switch interval) hitting the same operations, methods and a plain function,
 *   give exact counts and errors, and events whose counts never go backwards;
 * - TypeScript: a thousand concurrent promise chains (no worker threads), the same;
 * - 1 M tracked operations over 10 operations keep memory flat (bounded by the
 *   windows): RSS after a full collection at 100 k and 1 M (and between) does not
 *   grow with the count. Python also without any event loop (a thread-pool
 *   service), where the publisher's pending signals must stay bounded.
 *
 * Drivers: test/python/soak_concurrency.py, test/faults/soak-concurrency.ts.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runAsync, tempDir, venvBin } from '../support/helpers.js';
import { bin, makeTypescriptProject } from '../support/typescript.js';
import { generate } from './support.js';

const PYTHON = venvBin('python');
const root = tempDir('onex-faults-soak-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CONCURRENCY_ANSWERS = {
  serviceName: 'concurrency',
  operations: ['async_op', 'sync_op', 'fail_op', 'plain_op'],
  // An event every 3 calls: "due" signals from every thread, all the time.
  publishIntervalOps: 3,
  minPublishIntervalSeconds: 0,
  maxDurationSamples: 50,
  enableResourceMetrics: false,
};
const SOAK_ANSWERS = {
  serviceName: 'soak',
  operations: Array.from({ length: 10 }, (_, i) => `op_${i}`),
  // An event every 100 calls, however fast they come: the soak churns events too.
  minPublishIntervalSeconds: 0,
};
const SOAK_CALLS = 1_000_000;

interface ConcurrencyReport {
  seconds: number;
  expected: Record<string, { count: number; errors: number }>;
  expected_errors: number;
  recorded: Record<string, { count: number; errors: number }>;
  event_counts: Record<string, number[]>;
  events: number;
  dropped_events: number;
  unexpected: string[];
  warnings?: string[];
}

interface SoakReport {
  seconds: number;
  samples: { calls: number; rss_mb: number; objects?: number; heap_used_mb?: number }[];
  counts: Record<string, number>;
  events: number;
  dropped: number;
  pending_due_signals?: number | null;
  due_signals_limit?: number | null;
}

const figures: Record<string, unknown> = {};
afterAll(() => console.log(`CONCURRENCY SOAK SUMMARY ${JSON.stringify(figures)}`));

async function runJson<T>(command: string, args: string[], cwd: string): Promise<T> {
  const result = await runAsync(command, args, { cwd, timeout: 180_000, env: { PYTHONDONTWRITEBYTECODE: '1' } });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as T;
}

function expectExact(report: ConcurrencyReport): void {
  expect(report.unexpected).toEqual([]);
  expect(report.recorded).toEqual(report.expected);
  expect(report.expected.fail_op!.errors).toBe(report.expected_errors);
  expect(report.dropped_events).toBe(0);
  for (const [operation, expected] of Object.entries(report.expected)) {
    const counts = report.event_counts[operation] ?? [];
    expect(counts.length, operation).toBeGreaterThan(0);
    // Published in order of their counts, the last (stop's) with the final count.
    const backwards = counts.filter((count, index) => index > 0 && count < counts[index - 1]!);
    expect(backwards, `${operation}: event counts went backwards`).toEqual([]);
    expect(counts.at(-1), operation).toBe(expected.count);
  }
}

/** RSS (MB) at the last sample minus at the first (100 k calls). */
function growth(report: SoakReport, key: 'rss_mb' | 'heap_used_mb' | 'objects'): number {
  const first = report.samples[0]![key]!;
  return Math.max(...report.samples.map((sample) => sample[key]!)) - first;
}

function expectSoak(report: SoakReport): void {
  expect(report.samples.map((sample) => sample.calls)).toEqual([100_000, 250_000, 500_000, 750_000, 1_000_000]);
  expect(Object.values(report.counts).reduce((a, b) => a + b, 0)).toBe(SOAK_CALLS);
  expect(report.dropped).toBe(0);
}

describe('Python', () => {
  let concurrencyNode: string;
  let soakNode: string;

  beforeAll(() => {
    concurrencyNode = generate(root, 'py_concurrency', { language: 'python', ...CONCURRENCY_ANSWERS });
    soakNode = generate(root, 'py_soak', { language: 'python', ...SOAK_ANSWERS });
  });

  it('asyncio tasks and worker threads on the same operations give exact counts', async () => {
    const report = await runJson<ConcurrencyReport>(
      PYTHON,
      [
        path.join(REPO, 'test/python/soak_concurrency.py'),
        'concurrency',
        '--package-dir',
        concurrencyNode,
        '--tasks',
        '16',
        '--threads',
        '8',
        '--calls',
        '3000',
      ],
      concurrencyNode,
    );
    expectExact(report);
    expect(report.warnings).toEqual([]);
    figures.python_concurrency = {
      callers: '16 tasks + 8 threads',
      calls: Object.values(report.expected).reduce((a, b) => a + b.count, 0),
      events: report.events,
      seconds: report.seconds,
    };
  });

  it('keeps memory flat over 1 M operations on 10 operations', async () => {
    const report = await runJson<SoakReport>(
      PYTHON,
      [
        path.join(REPO, 'test/python/soak_concurrency.py'),
        'soak',
        '--package-dir',
        soakNode,
        '--calls',
        String(SOAK_CALLS),
      ],
      soakNode,
    );
    expectSoak(report);
    expect(report.events).toBe(SOAK_CALLS / 100 + 1);
    expect(growth(report, 'rss_mb'), JSON.stringify(report.samples)).toBeLessThan(2);
    expect(growth(report, 'objects'), JSON.stringify(report.samples)).toBeLessThan(500);
    figures.python_soak = { samples: report.samples, seconds: report.seconds };
  });

  it('keeps memory flat with no event loop at all (pending signals bounded)', async () => {
    const report = await runJson<SoakReport>(
      PYTHON,
      [
        path.join(REPO, 'test/python/soak_concurrency.py'),
        'soak',
        '--package-dir',
        soakNode,
        '--calls',
        String(SOAK_CALLS),
        '--no-loop',
      ],
      soakNode,
    );
    expectSoak(report);
    // 1 M calls at an event every 100 calls: 10 000 signals, none drained.
    expect(report.due_signals_limit).toBeGreaterThan(0);
    expect(report.pending_due_signals).toBeLessThanOrEqual(report.due_signals_limit!);
    expect(growth(report, 'rss_mb'), JSON.stringify(report.samples)).toBeLessThan(2);
    figures.python_soak_no_loop = { samples: report.samples, pending_due_signals: report.pending_due_signals };
  });
});

describe('TypeScript', () => {
  let concurrencyService: string;
  let soakService: string;

  beforeAll(() => {
    concurrencyService = makeTypescriptProject(path.join(root, 'ts_concurrency'));
    generate(root, 'ts_concurrency', { language: 'typescript', ...CONCURRENCY_ANSWERS });
    soakService = makeTypescriptProject(path.join(root, 'ts_soak'));
    generate(root, 'ts_soak', { language: 'typescript', ...SOAK_ANSWERS });
  });

  it('a thousand concurrent promise chains on the same operations give exact counts', async () => {
    const report = await runJson<ConcurrencyReport>(
      bin('tsx'),
      [
        path.join(REPO, 'test/faults/soak-concurrency.ts'),
        'concurrency',
        '--service-dir',
        concurrencyService,
        '--callers',
        '1000',
        '--calls',
        '100',
      ],
      concurrencyService,
    );
    expectExact(report);
    figures.typescript_concurrency = {
      callers: '1000 promise chains',
      calls: Object.values(report.expected).reduce((a, b) => a + b.count, 0),
      events: report.events,
      seconds: report.seconds,
    };
  });

  it('keeps memory flat over 1 M operations on 10 operations', async () => {
    const report = await runJson<SoakReport>(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        path.join(REPO, 'test/faults/soak-concurrency.ts'),
        'soak',
        '--service-dir',
        soakService,
        '--calls',
        String(SOAK_CALLS),
      ],
      soakService,
    );
    expectSoak(report);
    expect(report.events).toBe(SOAK_CALLS / 100 + 1);
    expect(growth(report, 'heap_used_mb'), JSON.stringify(report.samples)).toBeLessThan(1);
    expect(growth(report, 'rss_mb'), JSON.stringify(report.samples)).toBeLessThan(8);
    figures.typescript_soak = { samples: report.samples, seconds: report.seconds };
  });
});
