/** Child processes of the benchmark: bounded in time, never through a shell. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin', 'onex-metrics.js');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, killed (SIGKILL) after `timeout` ms. */
export function runProcess(
  command: string,
  args: readonly string[],
  { timeout, env = {}, cwd = REPO }: { timeout: number; env?: Record<string, string>; cwd?: string },
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** A result row as a benchmark prints it. */
export interface Measured {
  id: string;
  median: number;
  min: number;
  max: number;
  rounds: number;
  note?: string;
}

/**
 * Runs one benchmark script: collects its `{"row": ...}` lines, answers its
 * `{"control": ...}` requests with `onControl`, passes its stderr through.
 * Rejects when it exits non-zero or outlives `timeout` ms.
 */
export function runBenchmark(
  command: string,
  args: readonly string[],
  {
    timeout,
    onControl = async (request) => {
      throw new Error(`unexpected control request ${request}`);
    },
  }: { timeout: number; onControl?: (request: string) => Promise<string> },
): Promise<Measured[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    const rows: Measured[] = [];
    const failures: string[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: { row?: Measured; control?: string };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        process.stderr.write(`${line}\n`);
        return;
      }
      if (message.row) rows.push(message.row);
      if (message.control) {
        onControl(message.control).then(
          (answer) => child.stdin.write(`${answer}\n`),
          (error: unknown) => {
            failures.push(`control ${message.control}: ${String(error)}`);
            child.kill('SIGKILL');
          },
        );
      }
    });
    const timer = setTimeout(() => {
      failures.push(`timed out after ${timeout / 1000} s`);
      child.kill('SIGKILL');
    }, timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && failures.length === 0) resolve(rows);
      else {
        const tail = stderr.trim().split('\n').slice(-15).join('\n');
        const error = new Error(
          [
            `${path.basename(args.find((arg) => /\.(py|ts)$/.test(arg)) ?? command)} failed (exit ${code ?? signal})`,
            ...failures,
            tail,
          ].join('\n'),
        ) as Error & { rows?: Measured[] };
        error.rows = rows;
        reject(error);
      }
    });
  });
}
