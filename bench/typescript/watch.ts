/**
 * What `onex-metrics watch` costs (run with --expose-gc): events of 1 000 instances ×
 * 10 operations, each a real operation event of the generated TypeScript package (a
 * window of 1 000 log-normal durations, its sketch) with its instance, operation and
 * time changed. Measured: events read a second on one core (JSON parse, validation,
 * the fleet's update), the time to merge the whole fleet into its rows (what each
 * table, JSON line or scrape costs), and the heap that holds the fleet.
 */
import { parseEvent } from '../../src/watch/event.js';
import { Fleet } from '../../src/watch/fleet.js';
import { emit, loadConfig, loadMetrics, log, nextTurn, NullTransport } from './common.js';

const MB = 1024 * 1024;
const config = loadConfig();
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with node --expose-gc');
const heap = (): number => {
  collect!();
  return process.memoryUsage().heapUsed / MB;
};

const INSTANCES = config.smoke ? 20 : 1_000;
const OPERATIONS = 10;
const ROUNDS = config.smoke ? 2 : 5;

/** One real operation event of the generated package, as the template of all. */
async function template(): Promise<Record<string, unknown>> {
  const { MetricsTracker } = await loadMetrics(config.packages.default!);
  const transport = new NullTransport();
  const tracker = new MetricsTracker({ transport });
  let seed = 1;
  for (let i = 0; i < 1000; i += 1) {
    seed = (seed * 48271) % 2147483647;
    tracker.recordOperation('op_a', Math.exp((seed / 2147483647 - 0.5) * 4), true);
  }
  while (tracker.publisher.outboxDepth > 0) await nextTurn();
  const sent = transport.sent;
  tracker.publishOperation('op_a');
  while (transport.sent === sent) await nextTurn();
  const event = JSON.parse(transport.last.toString('utf8')) as Record<string, unknown>;
  await tracker.stop();
  return event;
}

/** Every instance's event of every operation at `second` (seconds since the epoch). */
function batch(event: Record<string, unknown>, second: number): string[] {
  const payload = event.payload as Record<string, unknown>;
  const metadata = event.metadata as { tags: Record<string, string> };
  const events: string[] = [];
  const timestamp = new Date(second * 1000).toISOString();
  for (let instance = 0; instance < INSTANCES; instance += 1) {
    for (let operation = 0; operation < OPERATIONS; operation += 1) {
      events.push(
        JSON.stringify({
          ...event,
          metadata: { ...metadata, tags: { ...metadata.tags, instance: `host-${instance}` } },
          payload: { ...payload, operation: `op_${operation}`, timestamp },
        }),
      );
    }
  }
  return events;
}

log(`watch: ${INSTANCES} instances × ${OPERATIONS} operations`);
const event = await template();
const empty = heap();
const batches = Array.from({ length: ROUNDS + 1 }, (_, round) => batch(event, 1_800_000_000 + round * 60));
const fleet = new Fleet(60);
const perSecond: number[] = [];
const rowsMs: number[] = [];
for (const [round, events] of batches.entries()) {
  const start = process.hrtime.bigint();
  for (const value of events) {
    const parsed = parseEvent(value);
    if (parsed.kind !== 'operation') throw new Error(`not an operation event: ${JSON.stringify(parsed)}`);
    fleet.observe(parsed.observation);
  }
  const read = Number(process.hrtime.bigint() - start);
  const merging = process.hrtime.bigint();
  const rows = fleet.rows(1_800_000_000_000 + round * 60_000);
  const merged = Number(process.hrtime.bigint() - merging);
  if (rows.length !== OPERATIONS || rows[0]!.instances !== INSTANCES) throw new Error('the fleet lost instances');
  // The first round fills the fleet and warms the code up: not counted.
  if (round > 0) {
    perSecond.push((events.length * 1e9) / read);
    rowsMs.push(merged / 1e6);
  }
}
// What stays once the events themselves are gone: the fleet.
batches.length = 0;
const held = heap() - empty;
emit('watch.ts.events', perSecond, `${INSTANCES} instances × ${OPERATIONS} operations, on one core`);
emit('watch.ts.rows', rowsMs, 'every row: 10 merges of 1 000 sketches, percentiles');
// fleet is used after the measure, so that nothing collects it before.
emit('watch.ts.heap', [held], `heap after gc holding every instance's latest event (${fleet.events} events read)`);
