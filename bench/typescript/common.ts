/**
 * What every TypeScript benchmark shares: its configuration, the generated
 * package's shape, rounds, statistics and output.
 *
 * A benchmark is run by bench/run.ts as `node --import tsx FILE CONFIG.json` and
 * prints one JSON object per line on stdout: `{"row": {...}}` for a result, or
 * `{"control": ...}` to ask the orchestrator for something (it then reads the
 * answer, one line on stdin). Progress goes to stderr.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export interface Config {
  smoke: boolean;
  /** A key ("default", "idle", "w100", ...) -> the directory holding `metrics/`. */
  packages: Record<string, string>;
  /** A live broker for the "while sending" rows; absent in smoke mode. */
  broker?: string;
  /** A bootstrap address where nothing listens. */
  deadBroker: string;
}

export function loadConfig(): Config {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node --import tsx BENCH.ts CONFIG.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    smoke: boolean;
    packages: { typescript: Record<string, string> };
    broker?: string;
    deadBroker: string;
  };
  return {
    smoke: raw.smoke,
    packages: raw.packages.typescript,
    ...(raw.broker ? { broker: raw.broker } : {}),
    deadBroker: raw.deadBroker,
  };
}

// The part of the generated package (metrics/index.ts) the benchmarks use.

export interface Transport {
  send(topic: string, key: Buffer | null, value: Buffer): Promise<void>;
  close?(): Promise<void>;
}

export interface Statistics {
  count: number;
  [key: string]: number;
}

export interface Tracker {
  readonly windows: readonly { count: number }[];
  readonly publisher: { dropped: number; outboxDepth: number };
  recordOperation(operation: string, durationMs: number, success: boolean): void;
  wrap<Args extends unknown[], R>(operation: string, fn: (...args: Args) => R): (...args: Args) => R;
  statistics(operation: string): Statistics;
  publishOperation(operation: string): void;
  stop(timeoutMs?: number): Promise<void>;
}

export type MethodDecorator = <This, Args extends unknown[], R>(
  method: (this: This, ...args: Args) => R,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
) => (this: This, ...args: Args) => R;

export interface GeneratedMetrics {
  MetricsTracker: new (options?: { transport?: Transport }) => Tracker;
  trackMetrics(operation: string): MethodDecorator;
  KafkaTransport: new (bootstrapServers: string, options?: Record<string, unknown>) => Transport;
}

/** Imports the generated package under `dir` (a fresh module per directory). */
export async function loadMetrics(dir: string): Promise<GeneratedMetrics> {
  return (await import(pathToFileURL(path.join(dir, 'metrics', 'index.ts')).href)) as GeneratedMetrics;
}

/** The generated sketch module (metrics/sketch.ts) under `dir`. */
export async function loadSketch(dir: string): Promise<{ sketchOf(samples: Float64Array, total: number): unknown }> {
  return (await import(pathToFileURL(path.join(dir, 'metrics', 'sketch.ts')).href)) as {
    sketchOf(samples: Float64Array, total: number): unknown;
  };
}

/** Sends nowhere: publishing without any broker client's cost. Counts events. */
export class NullTransport implements Transport {
  sent = 0;
  last: Buffer = Buffer.alloc(0);

  async send(_topic: string, _key: Buffer | null, value: Buffer): Promise<void> {
    this.sent += 1;
    this.last = value;
  }
}

/** Counts what a real transport delivers and what it fails to. */
export class CountingTransport implements Transport {
  sent = 0;
  failed = 0;

  constructor(readonly inner: Transport) {}

  async send(topic: string, key: Buffer | null, value: Buffer): Promise<void> {
    try {
      await this.inner.send(topic, key, value);
    } catch (error) {
      this.failed += 1;
      throw error;
    }
    this.sent += 1;
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}

export const log = (message: string): void => {
  process.stderr.write(`  ${message}\n`);
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** One result row: the median of `values` (one per round) and their range. */
export function emit(id: string, values: readonly number[], note?: string): void {
  const row = {
    id,
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    rounds: values.length,
    ...(note ? { note } : {}),
  };
  process.stdout.write(`${JSON.stringify({ row })}\n`);
}

/** Asks the orchestrator for `control` and waits for its one-line answer. */
export async function ask(control: string): Promise<string> {
  // Reads one line, then lets go of stdin: an open reader would keep the process alive.
  const reader = createInterface({ input: process.stdin });
  const answer = once(reader, 'line') as Promise<[string]>;
  process.stdout.write(`${JSON.stringify({ control })}\n`);
  try {
    return (await answer)[0].trim();
  } finally {
    reader.close();
  }
}

/** Resolves on the next turn of the event loop (after I/O and setImmediate callbacks). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs a batch of n calls and returns the nanoseconds it took. */
export type Batch = (n: number) => Promise<number>;

/**
 * Times every batch side by side, `rounds` times after `warmup` rounds. Within
 * a round each batch runs `repeats` times, interleaved with the others, in an
 * order that rotates from round to round; its best time counts (the least
 * disturbed by the rest of the machine). Returns, per round, nanoseconds per
 * call of each batch.
 */
export async function roundsOf(
  batches: Record<string, Batch>,
  { calls, rounds, warmup, repeats = 3 }: { calls: number; rounds: number; warmup: number; repeats?: number },
): Promise<Record<string, number>[]> {
  const names = Object.keys(batches);
  const results: Record<string, number>[] = [];
  for (let round = 0; round < warmup + rounds; round += 1) {
    const shift = round % names.length;
    const order = [...names.slice(shift), ...names.slice(0, shift)];
    const best: Record<string, number> = Object.fromEntries(names.map((name) => [name, Infinity]));
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      for (const name of order) {
        const elapsed = await batches[name]!(calls);
        best[name] = Math.min(best[name]!, elapsed / calls);
      }
      await nextTurn();
    }
    if (round >= warmup) results.push(best);
  }
  return results;
}

/** Per round: what `name` costs beyond `base` (ns per call). */
export const added = (perRound: Record<string, number>[], name: string, base: string): number[] =>
  perRound.map((r) => r[name]! - r[base]!);

/** Per round: the added cost of `name` over that of `other` (both beyond `base`). */
export const ratio = (perRound: Record<string, number>[], name: string, other: string, base: string): number[] =>
  perRound.map((r) => (r[name]! - r[base]!) / (r[other]! - r[base]!));

/** Something with a `run(x)` method: every variant is called the same way. */
export interface Runner {
  run(x: number): unknown;
}

/**
 * A batch that awaits `runner.run(i)` n times. Each batch gets a loop compiled
 * from its own source, so V8 sees one callee per call site, as in a real
 * service, not one site shared (and made megamorphic) by every variant.
 */
export function awaitingBatch(name: string, runner: Runner): Batch {
  const loop = new Function(
    'runner',
    'n',
    `/* ${name.replace(/\*\//g, '')} */
    return (async () => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i += 1) await runner.run(i);
      return Number(process.hrtime.bigint() - start);
    })();`,
  ) as (runner: Runner, n: number) => Promise<number>;
  return (n) => loop(runner, n);
}

/** Nearest rank, as the generated code computes it. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1]!;
}
