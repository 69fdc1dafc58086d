/**
 * Memory after 100 000 and after 1 000 000 tracked calls over 10 operations
 * (run with --expose-gc). The windows are full after 10 000 calls per operation;
 * from then on nothing may grow with the count of calls. Calls yield to the
 * loop, so the publisher runs (an event every 100 calls per operation).
 */
import { emit, loadConfig, loadMetrics, log, nextTurn, NullTransport } from './common.js';

const MB = 1024 * 1024;
const config = loadConfig();
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with node --expose-gc');

function measure(): { rss: number; heap: number } {
  collect!();
  const usage = process.memoryUsage();
  return { rss: usage.rss / MB, heap: usage.heapUsed / MB };
}

const { MetricsTracker } = await loadMetrics(config.packages.ops10!);
const transport = new NullTransport();
const tracker = new MetricsTracker({ transport });
const operations = Array.from({ length: 10 }, (_, i) => `op_${i}`);
const calls = operations.map((op) =>
  tracker.wrap(op, async (x: number) => {
    await nextTurn();
    return x;
  }),
);
const [first, second] = config.smoke ? [10_000, 100_000] : [100_000, 1_000_000];

async function drive(start: number, stop: number): Promise<void> {
  for (let i = start; i < stop; i += 1) await calls[i % calls.length]!(i);
}

log(`TypeScript memory: ${first} calls`);
await drive(0, first);
const afterFirst = measure();
log(`TypeScript memory: ${second} calls`);
await drive(first, second);
const afterSecond = measure();
const counted = tracker.windows.reduce((sum, window) => sum + window.count, 0);
if (counted !== second) throw new Error(`counted ${counted} calls, expected ${second}`);

const scale = config.smoke ? ` (smoke: ${first} and ${second} calls)` : '';
emit('mem.ts.rss_first', [afterFirst.rss], `RSS after gc()${scale}`);
emit('mem.ts.rss_second', [afterSecond.rss]);
emit('mem.ts.growth', [afterSecond.rss - afterFirst.rss], `${transport.sent} events published`);
emit(
  'mem.ts.heap_growth',
  [afterSecond.heap - afterFirst.heap],
  `heapUsed after gc(): ${afterFirst.heap.toFixed(1)} -> ${afterSecond.heap.toFixed(1)} MB`,
);
await tracker.stop();
