/** Shared helpers of the integration tests: processes, temp dirs, tree snapshots, Python. */
import { expect } from 'vitest';
import { createServer } from 'node:net';
import { spawn, spawnSync, type SpawnOptions, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  lstatSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as toYaml } from 'yaml';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const VENV = process.env.ONEX_METRICS_VENV ?? path.join(REPO, '.venv');
/** The venv of the real ONEX packages (scripts/onex-env): Python >= 3.12, no psutil. */
export const ONEX_VENV = process.env.ONEX_METRICS_ONEX_VENV ?? path.join(REPO, '.venv-onex');
export const CONTRACTS = path.join(REPO, 'test', 'fixtures', 'onex-contracts');
export const BIN = path.join(REPO, 'bin', 'onex-metrics.js');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by `timeout`), never through a shell. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): Result {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...options.env },
  });
  if (result.error) throw result.error;
  return {
    code: result.status ?? (result.signal ? 128 : 1),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}

/**
 * Like `run`, without blocking the test worker: for commands that may take long
 * (vitest's worker RPC times out when its event loop is blocked for a minute).
 */
export function runAsync(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { timeout?: number } = {},
): Promise<Result> {
  const { timeout = 300_000, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...spawnOptions,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...spawnOptions.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** `onex-metrics` from the built package. */
export function cli(args: readonly string[], cwd: string): Result {
  return run(process.execPath, [BIN, ...args], { cwd });
}

export function tempDir(prefix = 'onex-metrics-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function venvBin(name: string): string {
  return path.join(VENV, 'bin', name);
}

export function onexBin(name: string): string {
  return path.join(ONEX_VENV, 'bin', name);
}

/** Writes an answers file in the format its extension names. */
export function writeAnswers(file: string, answers: unknown): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const text = file.endsWith('.json') ? JSON.stringify(answers, null, 2) : toYaml(answers);
  writeFileSync(file, text);
  return file;
}

/**
 * Every entry under `dir` with its type, mode and content hash: two equal snapshots
 * mean the tree is byte-for-byte the same.
 */
export function snapshotTree(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name);
      const relative = path.relative(dir, full);
      const stats = lstatSync(full);
      if (stats.isSymbolicLink()) entries[relative] = `link:${readlinkSync(full)}`;
      else if (stats.isDirectory()) {
        entries[relative] = `dir:${(stats.mode & 0o777).toString(8)}`;
        walk(full);
      } else {
        const hash = createHash('sha256').update(readFileSync(full)).digest('hex');
        entries[relative] = `file:${(stats.mode & 0o777).toString(8)}:${hash}`;
      }
    }
  };
  walk(dir);
  return entries;
}

/** Lists files under `dir` (relative, sorted), for assertions on what was written. */
export function listFiles(dir: string): string[] {
  return Object.entries(snapshotTree(dir))
    .filter(([, kind]) => kind.startsWith('file:'))
    .map(([name]) => name)
    .sort();
}

/** The stress configuration of the foundation issue. */
export function stressAnswers(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    serviceName: 'stress_node',
    operations: Array.from({ length: 40 }, (_, i) => `operation_${String(i).padStart(2, '0')}`),
    percentiles: [0.1, 50, 99.9, 100],
    publishIntervalOps: 1,
    minPublishIntervalSeconds: 0,
    maxDurationSamples: 7,
    enableResourceMetrics: false,
    enableBusinessMetrics: false,
    ...extra,
  };
}

/** Copies the store_effect fixture node (its contract.yaml) into `dest`; returns `dest`. */
export function withStoreEffect(dest: string): string {
  cpSync(path.join(CONTRACTS, 'store_effect'), path.join(dest, 'store_effect'), { recursive: true });
  return dest;
}

/** The `.onex-metrics.yaml` record of a target directory. */
export function readRecord(target: string): Record<string, unknown> {
  const parsed: unknown = parseYaml(readFileSync(path.join(target, '.onex-metrics.yaml'), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`.onex-metrics.yaml in ${target} is not a mapping`);
  }
  return parsed as Record<string, unknown>;
}

/** The files a target's record says were generated, with the record itself, sorted. */
export function recordedFiles(target: string): string[] {
  const files = readRecord(target)._files;
  if (typeof files !== 'object' || files === null) throw new Error(`the record in ${target} has no _files`);
  return [...Object.keys(files), '.onex-metrics.yaml'].sort();
}

/**
 * A port nothing listens on now (bound to port 0, read, released). The broker's
 * ports are picked this way, so that other brokers started by other tests (or
 * people) on fixed ports never meet ours.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

/** What a burst script printed: its calls, how long they took, when each event went out, the last count. */
interface BurstReport {
  calls: number;
  burst: number;
  times: number[];
  last: number;
}

/**
 * The rate bound of a burst of 100 000 calls (printed by a generated package's script):
 * at most one operation event a second, each at least a second after the one before,
 * and the last one counting every call.
 */
export function expectBoundedBurst(language: string, stdout: string): void {
  const report = JSON.parse(stdout) as BurstReport;
  console.log(
    `${language}: ${report.calls} calls in ${report.burst.toFixed(2)} s gave ${report.times.length} operation events before stop`,
  );
  // Without the bound: an event every 100 calls, a thousand of them.
  expect(report.calls).toBe(100_000);
  expect(report.times.length).toBeGreaterThanOrEqual(1);
  expect(report.times.length).toBeLessThanOrEqual(1 + Math.floor(report.burst));
  for (let i = 1; i < report.times.length; i += 1) {
    expect(report.times[i]! - report.times[i - 1]!).toBeGreaterThanOrEqual(0.99);
  }
  expect(report.last).toBe(report.calls);
}
