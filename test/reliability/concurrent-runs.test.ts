/**
 * Concurrent runs into one directory (real processes of the bin): whatever the
 * interleaving, the tree afterwards is exactly one run's complete output, its record's
 * hashes match the files, nothing temporary is left, and regenerating from the record
 * changes nothing. A lock whose holder died does not block the next run.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { recordPath } from '../../src/core/record.js';
import { renderMetrics } from '../../src/generators/metrics/render.js';
import { sha256 } from '../../src/core/hash.js';
import { runCli } from '../../src/cli.js';
import { commitPlan } from '../../src/core/commit.js';
import { LOCK_FILE } from '../../src/core/lock.js';
import { planChanges } from '../../src/core/plan.js';
import { BIN, listFiles, runAsync, snapshotTree, tempDir, writeAnswers } from '../support/helpers.js';

const ROOT = tempDir('onex-concurrent-');
const ROUNDS = 12;
const RUNNERS = 4;

/** Four answer sets that differ in every file, sections included, so any mix shows. */
const variants = Array.from({ length: RUNNERS }, (_, i) => ({
  targetDir: 'node',
  serviceName: `orders_${i}`,
  operations: Array.from({ length: 60 }, (_, j) => `operation_${i}_${j}`),
  percentiles: [50, 90 + i],
  enableBusinessMetrics: i % 2 === 0,
  enableResourceMetrics: i < 2,
}));
const rendered = variants.map((answers) => renderMetrics(answers));

afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

/** The files under `node/` of a destination: relative path → content. */
function tree(dest: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(path.join(dest, 'node')).map((name) => [name, readFileSync(path.join(dest, 'node', name), 'utf8')]),
  );
}

function expectConsistent(dest: string, what: string): number {
  const files = tree(dest);
  const winner = rendered.findIndex(
    ({ files: planned }) =>
      planned.length === Object.keys(files).length &&
      planned.every((file) => files[path.posix.relative('node', file.path)] === file.content),
  );
  expect(
    winner,
    `${what}: the tree is no run's complete output: ${Object.keys(files).join(', ')}`,
  ).toBeGreaterThanOrEqual(0);
  const record = parseYaml(files['.onex-metrics.yaml']!) as { _files: Record<string, string> };
  for (const [name, hash] of Object.entries(record._files)) expect(sha256(files[name]!), `${what}: ${name}`).toBe(hash);
  // Regenerating from the record is a no-op.
  const before = snapshotTree(dest);
  const out: string[] = [];
  const code = runCli(['--answers', path.join(dest, 'node/.onex-metrics.yaml'), '--dest', dest], {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    cwd: dest,
  });
  expect(code, out.join('\n')).toBe(0);
  const text = out.join('\n');
  const plan = text.slice(0, text.indexOf('\nDone.')).split('\n');
  expect(plan.length, text).toBe(Object.keys(record._files).length + 1);
  expect(
    plan.every((line) => line.startsWith('unchanged')),
    text,
  ).toBe(true);
  expect(snapshotTree(dest)).toEqual(before);
  return winner;
}

describe('concurrent runs into one directory', () => {
  it(`${RUNNERS} processes × ${ROUNDS} rounds always leave one run's complete, consistent tree`, async () => {
    const dest = path.join(ROOT, 'shared');
    mkdirSync(dest);
    const files = variants.map((answers, i) => writeAnswers(path.join(ROOT, `v${i}.json`), answers));
    const winners: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.all(
        files.map((file) => runAsync(process.execPath, [BIN, '--answers', file, '--dest', dest], { timeout: 60_000 })),
      );
      for (const result of results) {
        // Runs take turns, and each sees the last one's record: its files are generated,
        // not edited, so every run may replace them. No run mistakes another's
        // half-written tree for hand edits.
        expect(result.code, `round ${round}: ${result.stderr}`).toBe(0);
      }
      winners.push(expectConsistent(dest, `round ${round}`));
      expect(
        listFiles(dest).filter((name) => /\.(tmp|bak|lock)$/.test(name)),
        `round ${round}`,
      ).toEqual([]);
    }
    console.log(`concurrent runs: winners by round ${winners.join(' ')}`);
  }, 300_000);

  it('two plans made before either commits: the second commit is refused, the first tree stays whole', () => {
    const dest = path.join(ROOT, 'interleaved');
    mkdirSync(dest);
    const plans = rendered
      .slice(0, 2)
      .map((r) => planChanges(dest, { targetDir: 'node', files: r.files, recordPath: recordPath('node') }));
    commitPlan(plans[0]!);
    expect(() => commitPlan(plans[1]!)).toThrow(/changed on disk after this run planned it/);
    expect(expectConsistent(dest, 'interleaved plans')).toBe(0);
  });

  it('a lock left by a run that died is taken over; a live one makes the next run wait, then proceed', async () => {
    const dest = path.join(ROOT, 'stale');
    mkdirSync(path.join(dest, 'node'), { recursive: true });
    const file = writeAnswers(path.join(ROOT, 'stale.json'), variants[0]);
    // A pid that is not running: a finished child's.
    const dead = await runAsync(process.execPath, ['-e', 'console.log(process.pid)']);
    const lock = path.join(dest, 'node', LOCK_FILE);
    writeFileSync(
      lock,
      JSON.stringify({
        pid: Number(dead.stdout.trim()),
        host: (await import('node:os')).hostname(),
        started: new Date(0).toISOString(),
      }),
    );
    const result = await runAsync(process.execPath, [BIN, '--answers', file, '--dest', dest], { timeout: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(listFiles(dest).filter((name) => name.endsWith('.lock'))).toEqual([]);

    // A live holder (this test process) for 1.5 s: the run waits for it, then writes.
    writeFileSync(
      lock,
      JSON.stringify({
        pid: process.pid,
        host: (await import('node:os')).hostname(),
        started: new Date().toISOString(),
      }),
    );
    const started = Date.now();
    const waiting = runAsync(
      process.execPath,
      [BIN, '--answers', writeAnswers(path.join(ROOT, 'stale2.json'), variants[1]), '--dest', dest],
      { timeout: 60_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(tree(dest)['.onex-metrics.yaml']).toContain('orders_0');
    rmSync(lock);
    const second = await waiting;
    expect(second.code, second.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(expectConsistent(dest, 'after waiting')).toBe(1);
  });
});
