/**
 * Concurrency and memory soak of a generated TypeScript `metrics` package
 * (test/faults/concurrency-soak.test.ts); the counterpart of
 * test/python/soak_concurrency.py.
 *
 *   tsx soak-concurrency.ts concurrency --service-dir DIR [--callers N] [--calls N]
 *   node --expose-gc --import tsx soak-concurrency.ts soak --service-dir DIR [--calls N]
 *
 * `concurrency`: the package is generated for `async_op`, `sync_op`, `fail_op` and
 * `plain_op`. `--callers` promise chains run at once (no worker threads), each
 * making `--calls` rounds of `async_op` (resolving after a microtask, a
 * setImmediate or a timer, by turns), `sync_op`, `fail_op` (rejects on every 3rd
 * round of the caller) and `plain_op` recorded with `recordOperation`. Prints the
 * expected and recorded counts and the `count` of every operation event, in
 * publication order.
 *
 * `soak`: the package is generated for `op_0` .. `op_9` with the default
 * settings. `--calls` calls cycle over them (sync and async wrapped functions
 * alternately, yielding to the event loop every 1000 calls) and the RSS and heap,
 * after a full garbage collection, are sampled at checkpoints. Events go to a
 * transport that only counts them.
 */
import path from 'node:path';
import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface Transport {
  send(topic: string, key: Buffer | null, value: Buffer): Promise<void>;
}

interface Tracker {
  readonly publisher: { readonly dropped: number; readonly queued: number; readonly sent: number };
  wrap<Args extends unknown[], R>(operation: string, fn: (...args: Args) => R): (...args: Args) => R;
  recordOperation(operation: string, durationMs: number, success: boolean): void;
  statistics(operation: string): Record<string, number>;
  stop(timeoutMs?: number): Promise<void>;
}

interface MetricsModule {
  MetricsTracker: new (options: { transport: Transport }) => Tracker;
  OPERATIONS: readonly string[];
}

const FAIL_EVERY = 3;

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'service-dir': { type: 'string' },
    callers: { type: 'string', default: '1000' },
    calls: { type: 'string', default: '100' },
  },
});
const mode = positionals[0];
const serviceDir = args['service-dir'];
if (!serviceDir || (mode !== 'concurrency' && mode !== 'soak')) {
  throw new Error('usage: soak-concurrency.ts concurrency|soak --service-dir DIR');
}
const metrics = (await import(pathToFileURL(path.resolve(serviceDir, 'metrics/index.js')).href)) as MetricsModule;
const calls = Number(args.calls);

class IntentionalError extends Error {
  override name = 'IntentionalError';
}

/** Keeps only what the checks need: the `count` of each operation event. */
class CountingTransport implements Transport {
  events = 0;
  droppedEvents = 0;
  readonly counts: Record<string, number[]> = {};

  async send(_topic: string, _key: Buffer | null, value: Buffer): Promise<void> {
    this.events += 1;
    const { payload } = JSON.parse(value.toString('utf8')) as {
      payload: { operation?: string; statistics?: { count: number }; dropped_events: number };
    };
    this.droppedEvents = Math.max(this.droppedEvents, payload.dropped_events);
    if (payload.operation) (this.counts[payload.operation] ??= []).push(payload.statistics!.count);
  }
}

/** Counts events and keeps nothing. */
class NullTransport implements Transport {
  events = 0;

  async send(): Promise<void> {
    this.events += 1;
  }
}

async function concurrency(): Promise<unknown> {
  const unexpected: string[] = [];
  process.on('unhandledRejection', (reason) => unexpected.push(`unhandledRejection: ${String(reason)}`));
  const transport = new CountingTransport();
  const tracker = new metrics.MetricsTracker({ transport });
  const waits = [() => Promise.resolve(), () => immediate(), () => sleep(0)];
  const asyncOp = tracker.wrap('async_op', async (turn: number) => {
    await waits[turn % waits.length]!();
  });
  const syncOp = tracker.wrap('sync_op', () => {});
  const failOp = tracker.wrap('fail_op', async (fail: boolean) => {
    await Promise.resolve();
    if (fail) throw new IntentionalError('fail_op');
  });

  async function caller(id: number): Promise<number> {
    let errors = 0;
    try {
      for (let i = 0; i < calls; i += 1) {
        await asyncOp(id + i);
        syncOp();
        try {
          await failOp((i + 1) % FAIL_EVERY === 0);
        } catch (error) {
          if (!(error instanceof IntentionalError)) throw error;
          errors += 1;
        }
        const started = performance.now();
        tracker.recordOperation('plain_op', performance.now() - started, true);
      }
    } catch (error) {
      unexpected.push(`caller: ${String(error)}`);
    }
    return errors;
  }

  const callers = Number(args.callers);
  const started = performance.now();
  const errors = (await Promise.all(Array.from({ length: callers }, (_, id) => caller(id)))).reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - started) / 1000;
  const recorded = Object.fromEntries(
    metrics.OPERATIONS.map((op) => {
      const { count, errors: failed } = tracker.statistics(op);
      return [op, { count, errors: failed }];
    }),
  );
  await tracker.stop();
  const total = callers * calls;
  return {
    seconds,
    expected: {
      async_op: { count: total, errors: 0 },
      sync_op: { count: total, errors: 0 },
      fail_op: { count: total, errors },
      plain_op: { count: total, errors: 0 },
    },
    expected_errors: callers * Math.floor(calls / FAIL_EVERY),
    recorded,
    event_counts: transport.counts,
    events: transport.events,
    dropped_events: transport.droppedEvents,
    unexpected,
  };
}

async function soak(): Promise<unknown> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const transport = new NullTransport();
  const tracker = new metrics.MetricsTracker({ transport });
  const fns = metrics.OPERATIONS.map((op, index) =>
    index % 2 ? tracker.wrap(op, async (i: number) => i) : tracker.wrap(op, (i: number) => i),
  );
  const checkpoints = [100_000, 250_000, 500_000, 750_000, 1_000_000].filter((point) => point < calls).concat(calls);
  const samples: { calls: number; rss_mb: number; heap_used_mb: number }[] = [];
  const started = performance.now();
  let done = 0;
  for (const mark of checkpoints) {
    while (done < mark) {
      const result = fns[done % fns.length]!(done);
      if (result instanceof Promise) await result;
      done += 1;
      if (done % 1000 === 0) await immediate();
    }
    await sleep(50); // let the publisher catch up before measuring
    gc();
    const memory = process.memoryUsage();
    samples.push({ calls: done, rss_mb: memory.rss / 2 ** 20, heap_used_mb: memory.heapUsed / 2 ** 20 });
  }
  const seconds = (performance.now() - started) / 1000;
  const counts = Object.fromEntries(metrics.OPERATIONS.map((op) => [op, tracker.statistics(op).count]));
  await tracker.stop();
  return { seconds, samples, counts, events: transport.events, dropped: tracker.publisher.dropped };
}

console.log(JSON.stringify(mode === 'concurrency' ? await concurrency() : await soak()));
