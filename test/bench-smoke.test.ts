/**
 * The benchmarks in smoke mode: every benchmark runs and every row of
 * bench/rows.ts is in the table. No timing is asserted (benchmarks are not tests;
 * `npm run bench` measures). The benchmark sources are held to the same checks as
 * the rest: ruff and mypy --strict for Python, tsc --strict for TypeScript.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROWS } from '../bench/rows.js';
import { BASE_ANSWERS } from '../bench/lib/generate.js';
import { cli, REPO, run, runAsync, tempDir, venvBin } from './support/helpers.js';
import { bin } from './support/typescript.js';

interface Results {
  smoke: boolean;
  results: Record<string, { median: number }>;
  errors: string[];
}

describe('benchmarks, smoke mode', () => {
  it('run and print every row of the table', async () => {
    const json = path.join(tempDir('bench-smoke-'), 'results.json');
    // `npm run bench -- --smoke` without its `npm run build`: the global setup has
    // built dist/, and rebuilding it here would race the tests that run the bin.
    const result = await runAsync(bin('tsx'), ['bench/run.ts', '--smoke', '--json', json], {
      cwd: REPO,
      timeout: 110_000,
    });
    expect(result.code, result.stderr.slice(-6000)).toBe(0);

    const output = JSON.parse(readFileSync(json, 'utf8')) as Results;
    expect(output.smoke).toBe(true);
    expect(output.errors).toEqual([]);
    expect(Object.keys(output.results).sort()).toEqual(ROWS.map((row) => row.id).sort());
    for (const [id, { median }] of Object.entries(output.results)) {
      expect(Number.isFinite(median), id).toBe(true);
    }
    const table = result.stdout.split('\n').filter((line) => line.startsWith('| '));
    for (const row of ROWS) {
      expect(
        table.some((line) => line.startsWith(`| ${row.label} | `)),
        row.id,
      ).toBe(true);
    }
    expect(result.stdout).not.toContain('**missing**');
  }, 120_000);

  it('a method of a plain class and a routed handler are tracked within the hot-path budget (≤ 1.3 × a generic tracker)', async () => {
    // The handler rows of bench/python/hotpath.py, measured as `npm run bench` does
    // (ratios of batches timed side by side in one process, medians over rounds).
    const root = tempDir('bench-handlers-');
    writeFileSync(
      path.join(root, 'answers.json'),
      JSON.stringify({ ...BASE_ANSWERS, trackHandlers: true, targetDir: 'handlers' }),
    );
    expect(cli(['--answers', 'answers.json'], root).code).toBe(0);
    const config = path.join(root, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        smoke: false,
        only: 'handlers',
        deadBroker: '127.0.0.1:9',
        packages: { python: { handlers: path.join(root, 'handlers') } },
      }),
    );
    const result = await runAsync(venvBin('python'), ['hotpath.py', config], {
      cwd: path.join(REPO, 'bench', 'python'),
      timeout: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const rows = Object.fromEntries(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { row: { id: string; median: number } }).row)
        .map((row) => [row.id, row.median]),
    );
    console.log(`handler calls ÷ generic tracker: ${JSON.stringify(rows)}`);
    for (const id of ['py.handler.owner_vs_generic', 'py.handler.plain_vs_generic', 'py.handler.routed_vs_generic']) {
      expect(rows[id], id).toBeLessThanOrEqual(1.3);
    }
  }, 150_000);

  it('Python benchmark scripts pass ruff check, ruff format --check and mypy --strict', () => {
    const scripts = path.join(REPO, 'bench', 'python');
    for (const [tool, args] of [
      ['ruff', ['check', '--no-cache', scripts]],
      ['ruff', ['format', '--check', '--no-cache', scripts]],
      ['mypy', ['--strict', '--no-incremental', scripts]],
    ] as const) {
      const result = run(venvBin(tool), args, { cwd: REPO });
      expect(result.code, `${tool} ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
    }
  });

  it('TypeScript benchmark sources pass tsc --strict', () => {
    const result = run(bin('tsc'), ['-p', path.join(REPO, 'bench', 'tsconfig.json')], { cwd: REPO });
    expect(result.code, result.stdout).toBe(0);
  });
});
