/**
 * Serves a bounded load through a generated TypeScript `metrics` package while
 * test/faults/broker-faults.test.ts breaks the Kafka broker under it.
 *
 *   tsx fault-load.ts --service-dir DIR --bootstrap HOST:PORT --ids-file FILE
 *                     [--workers N] [--stop-timeout-ms MS] [--max-seconds S]
 *
 * `DIR/metrics` is a package generated for the operations `async_ok`,
 * `async_fail`, `sync_ok` and `sync_fail` (imported at run time, so this file
 * type-checks without it). A `MetricsTracker` publishes through the package's
 * `KafkaTransport`, wrapped to count what it accepts. `--workers` concurrent
 * promise loops (no worker threads) each call `async_ok`, `async_fail` (rejects
 * on every 7th call of the loop), `sync_ok`, `sync_fail` (throws on every 5th)
 * through `wrap`, then sleep 2 ms. Each loop counts its calls and the intentional
 * errors; anything else thrown, an unhandled rejection or an uncaught exception
 * is recorded as unexpected. The outbox depth is sampled every 10 ms.
 *
 * The load runs until a line `finish` on stdin (or its end, or --max-seconds);
 * then `tracker.stop(--stop-timeout-ms)`. stdout gets JSON lines like
 * test/python/fault_load.py's: `ready`, `progress` (every half second),
 * `recovered`, and the last, `report`.
 * The process is not exited explicitly: the test checks it ends by itself.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { MetricsModule, Transport } from './generated-package.js';

interface ConfigModule {
  KAFKA_TOPIC: string;
  SNAPSHOT_TOPIC: string;
  OUTBOX_CAPACITY: number;
}

const FAIL_EVERY_ASYNC = 7;
const FAIL_EVERY_SYNC = 5;
const PAUSE_MS = 2;
/** A success this long after the previous one counts as a recovery. */
const GAP_MS = 1000;
const STOP_GRACE_MS = 10_000;

class IntentionalError extends Error {
  override name = 'IntentionalError';
}

const { values: args } = parseArgs({
  options: {
    'service-dir': { type: 'string' },
    bootstrap: { type: 'string' },
    'ids-file': { type: 'string' },
    workers: { type: 'string', default: '6' },
    'stop-timeout-ms': { type: 'string', default: '5000' },
    'max-seconds': { type: 'string', default: '60' },
  },
});
const serviceDir = args['service-dir'];
const bootstrap = args.bootstrap;
const idsFile = args['ids-file'];
if (!serviceDir || !bootstrap || !idsFile) throw new Error('--service-dir, --bootstrap and --ids-file are required');
const stopTimeoutMs = Number(args['stop-timeout-ms']);

const load = async <T>(file: string): Promise<T> =>
  (await import(pathToFileURL(path.resolve(serviceDir, 'metrics', file)).href)) as T;
const metrics = await load<MetricsModule>('index.js');
const config = await load<ConfigModule>('config.js');

const unexpected: string[] = [];
process.on('unhandledRejection', (reason) => unexpected.push(`unhandledRejection: ${String(reason)}`));
process.on('uncaughtException', (error) => unexpected.push(`uncaughtException: ${String(error)}`));

interface PublisherModule {
  SEND_TIMEOUT_MS: number;
}
const { SEND_TIMEOUT_MS } = await load<PublisherModule>('publisher.js');

/**
 * The package's transport, counting what it accepts and how it fails. It gives
 * up on a send at SEND_TIMEOUT_MS, as the publisher does (its timer, set first,
 * fires first), so its counts are what the publisher saw; what the library does
 * with a send after that is counted apart (`late_*`, `longest_attempt_seconds`).
 */
class CountingTransport implements Transport {
  sent = 0;
  failures = 0;
  lateSuccesses = 0;
  lateFailures = 0;
  unsettled = 0;
  longestAttemptMs = 0;
  readonly failureTypes: Record<string, number> = {};
  firstFailureAt: number | null = null;
  readonly recoveries: Record<string, number>[] = [];
  dropped: () => number = () => 0;
  #lastSuccess: number | null = null;
  #failedSinceSuccess = 0;
  readonly #ids = createWriteStream(idsFile!);

  constructor(readonly inner: Transport) {}

  async send(topic: string, key: Buffer | null, value: Buffer): Promise<void> {
    const droppedAtStart = this.dropped();
    const started = performance.now();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`no answer in ${SEND_TIMEOUT_MS} ms`));
      }, SEND_TIMEOUT_MS);
      timer.unref();
    });
    this.unsettled += 1;
    const inner = this.inner.send(topic, key, value);
    const settled = (late: () => void) => () => {
      this.unsettled -= 1;
      this.longestAttemptMs = Math.max(this.longestAttemptMs, performance.now() - started);
      if (timedOut) late();
    };
    inner.then(
      settled(() => (this.lateSuccesses += 1)),
      settled(() => (this.lateFailures += 1)),
    );
    try {
      await Promise.race([inner, timeout]);
    } catch (error) {
      this.failures += 1;
      this.#failedSinceSuccess += 1;
      const type = error instanceof Error ? error.message.slice(0, 60) : String(error);
      this.failureTypes[type] = (this.failureTypes[type] ?? 0) + 1;
      this.firstFailureAt ??= Date.now();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const at = Date.now();
    if (this.#lastSuccess !== null && (this.#failedSinceSuccess > 0 || at - this.#lastSuccess > GAP_MS)) {
      const recovery = {
        at,
        previous_success: this.#lastSuccess,
        failures: this.#failedSinceSuccess,
        index: this.sent,
        dropped: this.dropped(),
        dropped_at_start: droppedAtStart,
      };
      this.recoveries.push(recovery);
      console.log(JSON.stringify({ type: 'recovered', ...recovery }));
    }
    this.#lastSuccess = at;
    this.#failedSinceSuccess = 0;
    this.sent += 1;
    this.#ids.write(`${(JSON.parse(value.toString('utf8')) as { event_id: string }).event_id}\n`);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#ids.end(resolve));
    await this.inner.close?.();
  }
}

const transport = new CountingTransport(new metrics.KafkaTransport(bootstrap));
const tracker = new metrics.MetricsTracker({ transport });
transport.dropped = () => tracker.publisher.dropped;
const asyncOk = tracker.wrap('async_ok', async (): Promise<void> => {
  await Promise.resolve();
});
const asyncFail = tracker.wrap('async_fail', async (fail: boolean): Promise<void> => {
  await Promise.resolve();
  if (fail) throw new IntentionalError('async_fail');
});
const syncOk = tracker.wrap('sync_ok', (): void => {});
const syncFail = tracker.wrap('sync_fail', (fail: boolean): void => {
  if (fail) throw new IntentionalError('sync_fail');
});

const calls: Record<string, number> = {};
const errors: Record<string, number> = {};
const perSecond = new Map<number, number>();
let stopping = false;
let longestGapMs = 0;

async function worker(): Promise<void> {
  const mine: Record<string, number> = { async_ok: 0, async_fail: 0, sync_ok: 0, sync_fail: 0 };
  const failed: Record<string, number> = { async_fail: 0, sync_fail: 0 };
  let last = performance.now();
  try {
    while (!stopping) {
      await asyncOk();
      mine.async_ok! += 1;
      try {
        await asyncFail((mine.async_fail! + 1) % FAIL_EVERY_ASYNC === 0);
      } catch (error) {
        if (!(error instanceof IntentionalError)) throw error;
        failed.async_fail! += 1;
      }
      mine.async_fail! += 1;
      syncOk();
      mine.sync_ok! += 1;
      try {
        syncFail((mine.sync_fail! + 1) % FAIL_EVERY_SYNC === 0);
      } catch (error) {
        if (!(error instanceof IntentionalError)) throw error;
        failed.sync_fail! += 1;
      }
      mine.sync_fail! += 1;
      const second = Math.floor(Date.now() / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 4);
      await sleep(PAUSE_MS);
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    }
  } catch (error) {
    unexpected.push(`worker: ${String(error)}`);
  }
  for (const [op, n] of Object.entries(mine)) calls[op] = (calls[op] ?? 0) + n;
  for (const [op, n] of Object.entries(failed)) errors[op] = (errors[op] ?? 0) + n;
}

let maxOutboxDepth = 0;
let samples = 0;
const sampler = setInterval(() => {
  const { outboxDepth, sent, dropped } = tracker.publisher;
  maxOutboxDepth = Math.max(maxOutboxDepth, outboxDepth);
  samples += 1;
  if (samples % 50 === 0) {
    console.log(JSON.stringify({ type: 'progress', at: Date.now(), outbox_depth: outboxDepth, sent, dropped }));
  }
}, 10);

const finished = new Promise<void>((resolve) => {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'finish') resolve();
  });
  lines.on('close', () => resolve());
  setTimeout(resolve, Number(args['max-seconds']) * 1000).unref();
});

const workers = Array.from({ length: Number(args.workers) }, () => worker());
console.log(JSON.stringify({ type: 'ready', at: Date.now() }));
await finished;
const finishAt = Date.now();
const unsettledAtFinish = transport.unsettled;
process.stdin.destroy();
stopping = true;
await Promise.all(workers);
clearInterval(sampler);
maxOutboxDepth = Math.max(maxOutboxDepth, tracker.publisher.outboxDepth);

const statistics = Object.fromEntries(metrics.OPERATIONS.map((op) => [op, tracker.statistics(op)]));
const droppedBeforeStop = tracker.publisher.dropped;
const stopStarted = performance.now();
let stopReturned = false;
let graceTimer: NodeJS.Timeout | undefined;
await Promise.race([
  tracker.stop(stopTimeoutMs).then(() => {
    stopReturned = true;
  }),
  new Promise<void>((resolve) => {
    graceTimer = setTimeout(resolve, stopTimeoutMs + STOP_GRACE_MS);
  }),
]);
clearTimeout(graceTimer);
const stopSeconds = (performance.now() - stopStarted) / 1000;

console.log(
  JSON.stringify({
    type: 'report',
    language: 'typescript',
    finish_at: finishAt,
    calls,
    errors,
    statistics,
    unexpected,
    calls_per_second: Object.fromEntries(perSecond),
    longest_gap_seconds: longestGapMs / 1000,
    max_outbox_depth: maxOutboxDepth,
    outbox_capacity: config.OUTBOX_CAPACITY,
    publisher: {
      queued: tracker.publisher.queued,
      sent: tracker.publisher.sent,
      dropped: tracker.publisher.dropped,
      dropped_before_stop: droppedBeforeStop,
      outbox_depth: tracker.publisher.outboxDepth,
    },
    transport: {
      sent: transport.sent,
      failures: transport.failures,
      failure_types: transport.failureTypes,
      first_failure_at: transport.firstFailureAt,
      longest_attempt_seconds: transport.longestAttemptMs / 1000,
      late_successes: transport.lateSuccesses,
      late_failures: transport.lateFailures,
      unsettled_at_finish: unsettledAtFinish,
      recoveries: transport.recoveries,
    },
    stop_seconds: stopSeconds,
    stop_returned: stopReturned,
    cpu_seconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    topics: [config.KAFKA_TOPIC, config.SNAPSHOT_TOPIC],
  }),
);
if (!stopReturned) process.exit(0);
