/**
 * What publishing costs in TypeScript.
 *
 * 1. One operation event (statistics and sketch of a full 1000-sample window,
 *    envelope, JSON, hand-off to the outbox and the send loop) beside its inherent
 *    parts: sorting the window once (a copy: the ring must stay as it is) and one
 *    JSON serialisation of the envelope; and what the sketch adds: building it
 *    from the sorted window, and its JSON.
 * 2. The amortized cost per call under a load that yields to the event loop on
 *    every call (setImmediate), so the publisher really runs: at the defaults and
 *    with other windows and intervals, beside the hot path alone.
 */
import {
  added,
  type Batch,
  emit,
  loadConfig,
  loadMetrics,
  loadSketch,
  log,
  nextTurn,
  NullTransport,
  roundsOf,
  type Tracker,
} from './common.js';

const OP = 'op_a';
const VARIANTS: Record<string, string> = {
  default: 'window 1000, every 100 calls',
  w100: 'window 100, every 100 calls',
  w10000: 'window 10 000, every 100 calls',
  i10: 'window 1000, every 10 calls',
  i1000: 'window 1000, every 1000 calls',
};
const config = loadConfig();

/** Lets the loop turn until every outbox is empty: sending is part of the cost. */
async function settle(trackers: readonly Tracker[]): Promise<void> {
  for (let turn = 0; turn < 1000; turn += 1) {
    await nextTurn();
    if (trackers.every((tracker) => tracker.publisher.outboxDepth === 0)) return;
  }
}

/** A seeded log-normal-ish sample: durations of varied magnitude, in random order. */
function samples(n: number): Float64Array {
  let seed = 1;
  const uniform = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  return Float64Array.from({ length: n }, () => Math.exp((uniform() - 0.5) * 4));
}

async function eventCost(): Promise<void> {
  log('TypeScript publishing: one operation event');
  const { MetricsTracker } = await loadMetrics(config.packages.default!);
  const transport = new NullTransport();
  const tracker = new MetricsTracker({ transport });
  const window = samples(1000);
  for (const duration of window) tracker.recordOperation(OP, duration, true);
  tracker.publishOperation(OP);
  await settle([tracker]);
  const envelope = JSON.parse(transport.last.toString('utf8')) as unknown;
  const { sketchOf } = await loadSketch(config.packages.default!);
  const sorted = window.slice().sort();
  const total = sorted.reduce((a, b) => a + b, 0);

  const batches: Record<string, Batch> = {
    event: async (n) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i += 1) tracker.publishOperation(OP);
      await settle([tracker]);
      return Number(process.hrtime.bigint() - start);
    },
    sketch: async (n) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i += 1) JSON.stringify(sketchOf(sorted, total));
      return Number(process.hrtime.bigint() - start);
    },
    inherent: async (n) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i += 1) {
        window.slice(0, window.length).sort();
        JSON.stringify(envelope);
      }
      return Number(process.hrtime.bigint() - start);
    },
  };
  const [calls, rounds, warmup] = config.smoke ? [3, 2, 1] : [40, 15, 3];
  const perRound = await roundsOf(batches, { calls, rounds, warmup });
  emit(
    'pub.ts.event',
    perRound.map((r) => r.event! / 1000),
    `${transport.sent} events sent to a null transport`,
  );
  emit(
    'pub.ts.inherent',
    perRound.map((r) => r.inherent! / 1000),
  );
  emit(
    'pub.ts.event_vs_inherent',
    perRound.map((r) => r.event! / r.inherent!),
  );
  emit(
    'pub.ts.sketch',
    perRound.map((r) => r.sketch! / 1000),
  );
  emit(
    'pub.ts.sketch_vs_rest',
    perRound.map((r) => r.sketch! / (r.event! - r.sketch!)),
  );
  await tracker.stop();
}

/** A batch awaiting `fn(i)` n times, then letting the publishers finish. */
function awaiting(name: string, fn: (x: number) => Promise<number>, trackers: readonly Tracker[]): Batch {
  const loop = new Function(
    'fn',
    'n',
    `/* ${name} */
    return (async () => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i += 1) await fn(i);
      return start;
    })();`,
  ) as (fn: (x: number) => Promise<number>, n: number) => Promise<bigint>;
  return async (n) => {
    const start = await loop(fn, n);
    await settle(trackers);
    return Number(process.hrtime.bigint() - start);
  };
}

async function amortized(): Promise<void> {
  log('TypeScript publishing: amortized per call, yielding load');
  const yielding = async (x: number): Promise<number> => {
    await nextTurn();
    return x;
  };
  const immediate = async (x: number): Promise<number> => x;
  const trackers: Tracker[] = [];
  const transports: NullTransport[] = [];
  const batches: Record<string, Batch> = {
    bare: awaiting('bare', yielding, trackers),
    hot_bare: awaiting('hot_bare', immediate, trackers),
  };
  for (const key of Object.keys(VARIANTS)) {
    const { MetricsTracker } = await loadMetrics(config.packages[key]!);
    const transport = new NullTransport();
    const tracker = new MetricsTracker({ transport });
    trackers.push(tracker);
    transports.push(transport);
    batches[key] = awaiting(key, tracker.wrap(OP, yielding), trackers);
    if (key === 'default') batches.hot = awaiting('hot', tracker.wrap('op_b', immediate), trackers);
  }
  const [calls, rounds, warmup] = config.smoke ? [300, 2, 1] : [20_000, 10, 2];
  const perRound = await roundsOf(batches, { calls, rounds, warmup });
  emit('pub.ts.hot', added(perRound, 'hot', 'hot_bare'), 'calls that do not yield: the publisher runs between batches');
  Object.entries(VARIANTS).forEach(([key, label], index) => {
    const row = key === 'default' ? 'pub.ts.amortized' : `pub.ts.amortized.${key}`;
    emit(row, added(perRound, key, 'bare'), `${label}; ${transports[index]!.sent} events`);
  });
  for (const tracker of trackers) await tracker.stop();
}

await eventCost();
await amortized();
