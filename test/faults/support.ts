/**
 * Helpers of the fault tests: a private Kafka broker (scripts/kafka on its own ports
 * and state dir, never the shared 19092 one), driver processes spoken to over
 * stdin/stdout, and generated packages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { expect } from 'vitest';
import { cli, REPO, runAsync, tempDir, writeAnswers, type Result } from '../support/helpers.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A broker of our own: stopped, frozen and killed by the tests. */
export class PrivateBroker {
  readonly stateDir = tempDir('onex-faults-kafka-');
  readonly bootstrap: string;

  constructor(
    readonly port: number,
    readonly controllerPort: number,
  ) {
    this.bootstrap = `127.0.0.1:${port}`;
  }

  #script(command: 'start' | 'stop' | 'status', timeout = 150_000): Promise<Result> {
    return runAsync(path.join(REPO, 'scripts/kafka'), [command], {
      cwd: REPO,
      timeout,
      env: {
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(this.controllerPort),
        KAFKA_STATE_DIR: this.stateDir,
      },
    });
  }

  /** Starts the broker; resolves when it answers metadata requests. */
  async start(): Promise<{ launchedAt: number; portOpenAt: number | null; readyAt: number }> {
    const launchedAt = Date.now();
    let portOpenAt: number | null = null;
    let done = false;
    const poll = (async () => {
      while (!done) {
        if (await this.portOpen()) {
          portOpenAt = Date.now();
          return;
        }
        await sleep(20);
      }
    })();
    const result = await this.#script('start');
    done = true;
    await poll;
    expect(result.code, `scripts/kafka start failed:\n${result.stderr}`).toBe(0);
    return { launchedAt, portOpenAt, readyAt: Date.now() };
  }

  /** Graceful stop (TERM, Kafka's controlled shutdown). */
  async stop(): Promise<void> {
    const result = await this.#script('stop');
    expect(result.code, `scripts/kafka stop failed:\n${result.stderr}`).toBe(0);
  }

  pid(): number {
    const pid = Number(readFileSync(path.join(this.stateDir, 'kafka.pid'), 'utf8').trim());
    expect(Number.isInteger(pid) && pid > 1, `no broker pid in ${this.stateDir}`).toBe(true);
    return pid;
  }

  /** Sends a signal to our broker's JVM (its pid file is in our state dir). */
  signal(signal: 'SIGSTOP' | 'SIGCONT' | 'SIGKILL'): void {
    process.kill(this.pid(), signal);
  }

  portOpen(timeoutMs = 200): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: this.port });
      const finish = (open: boolean) => {
        socket.destroy();
        resolve(open);
      };
      socket.setTimeout(timeoutMs, () => finish(false));
      socket.once('connect', () => finish(true));
      socket.once('error', () => finish(false));
    });
  }

  /** Whatever state it is in: thawed, stopped, its state dir removed. */
  async dispose(): Promise<void> {
    try {
      this.signal('SIGCONT');
    } catch {
      // not running
    }
    await this.#script('stop', 60_000);
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ drivers

export interface Recovery {
  at: number;
  previous_success: number;
  failures: number;
  /** Events accepted before this one: its id is line `index` of the ids file. */
  index: number;
  /** The publisher's drop count when it was accepted. */
  dropped: number;
  /** The publisher's drop count when it was handed to the transport. */
  dropped_at_start: number;
}

export interface DriverReport {
  type: 'report';
  language: 'python' | 'typescript';
  finish_at: number;
  calls: Record<string, number>;
  errors: Record<string, number>;
  statistics: Record<string, Record<string, number>>;
  unexpected: string[];
  calls_per_second: Record<string, number>;
  longest_gap_seconds: number;
  max_outbox_depth: number;
  outbox_capacity: number;
  publisher: { queued: number; sent: number; dropped: number; dropped_before_stop: number; outbox_depth: number };
  transport: {
    sent: number;
    failures: number;
    failure_types: Record<string, number>;
    first_failure_at: number | null;
    /** How long the client library held a send (TypeScript: past the publisher's timeout too). */
    longest_attempt_seconds: number;
    late_successes?: number;
    late_failures?: number;
    unsettled_at_finish?: number;
    recoveries: Recovery[];
  };
  stop_seconds: number;
  stop_returned: boolean;
  leftover_tasks?: string[];
  log_lines?: Record<string, number>;
  cpu_seconds: number;
  topics: [string, string];
}

/** A driver process (test/python/fault_load.py, test/faults/fault-load.ts). */
export class Driver {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[] = [];
  stdout = '';
  stderr = '';
  reportAt: number | null = null;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  readonly #killer: NodeJS.Timeout;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: { cwd: string; timeoutMs: number; env?: Record<string, string> },
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1', ...options.env },
    });
    this.#killer = setTimeout(() => this.child.kill('SIGKILL'), options.timeoutMs);
    let pending = '';
    let markReady: () => void = () => {};
    this.ready = new Promise((resolve) => (markReady = resolve));
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        this.lines.push(parsed);
        if (parsed.type === 'ready') markReady();
        if (parsed.type === 'report') this.reportAt = Date.now();
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.stdin!.on('error', () => {}); // the driver may be gone already
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        clearTimeout(this.#killer);
        resolve({ code, signal, at: Date.now() });
      });
    });
  }

  /** Waits for the load to run (or fails, showing stderr). */
  async started(timeoutMs = 60_000): Promise<void> {
    const failed = this.exited.then((exit) => {
      throw new Error(`${this.name} exited (${exit.code}) before it was ready:\n${this.stderr}`);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} not ready in ${timeoutMs} ms:\n${this.stderr}`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.ready, failed, timeout]);
    } finally {
      clearTimeout(timer);
      failed.catch(() => {});
    }
  }

  recoveries(): Recovery[] {
    return this.lines.filter((line) => line.type === 'recovered') as unknown as Recovery[];
  }

  /** Waits (bounded) until the outbox has (nearly) drained. */
  async drained(timeoutMs: number, below = 50): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const seen = this.lines.length;
    for (;;) {
      const progress = this.lines
        .slice(seen)
        .filter((line) => line.type === 'progress')
        .at(-1);
      if (progress && (progress.outbox_depth as number) < below) return true;
      if (Date.now() > deadline) return false;
      await sleep(100);
    }
  }

  /** Waits (bounded) until the driver has delivered an event again after `since`. */
  async recovered(since: number, timeoutMs: number): Promise<Recovery | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const recovery = this.recoveries().find((r) => r.at >= since);
      if (recovery || Date.now() > deadline) return recovery;
      await sleep(100);
    }
  }

  /** Ends the load: the driver stops its metrics and reports. */
  finish(): void {
    this.child.stdin!.end('finish\n');
  }

  /** The report, once the process has exited; with how long it took to exit after reporting. */
  async result(): Promise<{ report: DriverReport; exitCode: number | null; exitAfterReportMs: number }> {
    const exit = await this.exited;
    const report = this.lines.find((line) => line.type === 'report') as DriverReport | undefined;
    expect(
      report,
      `${this.name} did not report (exit ${exit.code} ${exit.signal}):\n${this.stderr.slice(-4000)}`,
    ).toBeDefined();
    return { report: report!, exitCode: exit.code, exitAfterReportMs: exit.at - (this.reportAt ?? exit.at) };
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

// ------------------------------------------------------------------ generated packages

/** The operations the drivers call. */
export const FAULT_OPERATIONS = ['async_ok', 'async_fail', 'sync_ok', 'sync_fail'] as const;

/** Generates a package into `<dest>/<targetDir>` with the built bin. */
export function generate(dest: string, targetDir: string, answers: Record<string, unknown>): string {
  const file = writeAnswers(path.join(dest, `${targetDir}.answers.json`), { targetDir, ...answers });
  const result = cli(['--answers', file, '--dest', dest], dest);
  expect(result.code, result.stderr).toBe(0);
  return path.join(dest, targetDir);
}
