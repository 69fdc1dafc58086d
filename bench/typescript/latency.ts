/**
 * Hot-path latency (p99) of a tracked call while the publisher works, in
 * TypeScript. The tracked function does about a microsecond of work and does
 * not wait; the load yields to the event loop (setImmediate) after every call,
 * so the publisher (building events, the send loop, the Kafka client's I/O)
 * runs between calls, as in a service.
 *
 * Phase 1, a live broker: calls of a tracker that never publishes ("idle",
 * generated with huge intervals) side by side with calls of one publishing every
 * 100 calls to Kafka ("sending"). Then the orchestrator stops the broker.
 * Phase 2: idle side by side with the same sending tracker, its broker gone.
 *
 * In smoke mode there is no broker: "sending" goes to a null transport and
 * "down" to a port where nothing listens.
 */
import {
  ask,
  CountingTransport,
  emit,
  loadConfig,
  loadMetrics,
  log,
  nextTurn,
  NullTransport,
  percentile,
  type Tracker,
  type Transport,
} from './common.js';

const OP = 'op_a';
const WORK = 2000;
const config = loadConfig();

async function work(x: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < WORK; i += 1) total += (i ^ x) & 7;
  return total;
}

type Call = (x: number) => Promise<number>;

/** Microseconds of each of n calls, yielding to the loop after each. */
async function latencies(call: Call, n: number): Promise<Float64Array> {
  const measured = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const start = performance.now();
    await call(i);
    measured[i] = (performance.now() - start) * 1000;
    await nextTurn();
  }
  return measured;
}

/** Per round, the p99 (µs) of n calls of each scenario, in rotating order. */
async function p99Rounds(
  calls: Record<string, Call>,
  { n, rounds, warmup }: { n: number; rounds: number; warmup: number },
): Promise<Record<string, number>[]> {
  const names = Object.keys(calls);
  const results: Record<string, number>[] = [];
  for (let round = 0; round < warmup + rounds; round += 1) {
    const shift = round % names.length;
    const p99: Record<string, number> = {};
    for (const name of [...names.slice(shift), ...names.slice(0, shift)]) {
      p99[name] = percentile((await latencies(calls[name]!, n)).sort(), 99);
    }
    if (round >= warmup) results.push(p99);
  }
  return results;
}

/** Drives calls until an event was delivered (connected, topic created). */
async function untilDelivered(call: Call, transport: CountingTransport, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; transport.sent === 0; i += 1) {
    if (Date.now() > deadline) throw new Error(`no event delivered within ${timeoutMs / 1000} s`);
    await call(i);
    await nextTurn();
  }
}

const note = (tracker: Tracker, transport: NullTransport | CountingTransport): string =>
  `${transport.sent} events sent, ${'failed' in transport ? transport.failed : 0} sends failed, ${tracker.publisher.dropped} dropped`;

const idlePackage = await loadMetrics(config.packages.idle!);
const metrics = await loadMetrics(config.packages.default!);
const idle = new idlePackage.MetricsTracker({ transport: new NullTransport() });
const idleCall = idle.wrap(OP, work);
const [n, rounds, warmup] = config.smoke ? [300, 2, 1] : [10_000, 12, 2];

log('TypeScript latency: idle beside sending');
let sendingTransport: NullTransport | CountingTransport;
let sendingNote: string;
if (config.broker) {
  sendingTransport = new CountingTransport(new metrics.KafkaTransport(config.broker));
  sendingNote = `@platformatic/kafka to a live broker (${config.broker})`;
} else {
  sendingTransport = new NullTransport();
  sendingNote = 'smoke: no broker, a null transport';
}
const sending = new metrics.MetricsTracker({ transport: sendingTransport });
const sendingCall = sending.wrap(OP, work);
if (sendingTransport instanceof CountingTransport) await untilDelivered(sendingCall, sendingTransport, 60_000);
const phase1 = await p99Rounds({ idle: idleCall, sending: sendingCall }, { n, rounds, warmup });
emit(
  'lat.ts.idle',
  phase1.map((r) => r.idle!),
  `${WORK}-step loop, ~1 µs`,
);
emit(
  'lat.ts.sending',
  phase1.map((r) => r.sending!),
  `${sendingNote}; ${note(sending, sendingTransport)}`,
);
emit(
  'lat.ts.sending_vs_idle',
  phase1.map((r) => r.sending! / r.idle!),
);

log('TypeScript latency: idle beside broker down');
let down: Tracker;
let downCall: Call;
let downTransport: NullTransport | CountingTransport;
let downNote: string;
let sentBefore = 0;
if (config.broker) {
  [down, downCall, downTransport] = [sending, sendingCall, sendingTransport];
  sentBefore = sendingTransport.sent;
  // The broker goes away under load; the answer comes once it has stopped.
  let stopped = false;
  const stopping = ask('stop-broker').then(() => {
    stopped = true;
  });
  while (!stopped) await latencies(downCall, 100);
  await stopping;
  await latencies(downCall, 10_000);
  downNote = 'the same producer, its broker stopped';
} else {
  const transport: Transport = new metrics.KafkaTransport(config.deadBroker);
  downTransport = new CountingTransport(transport);
  down = new metrics.MetricsTracker({ transport: downTransport });
  downCall = down.wrap(OP, work);
  downNote = `smoke: @platformatic/kafka to a dead port (${config.deadBroker})`;
}
const phase2 = await p99Rounds({ idle: idleCall, down: downCall }, { n, rounds, warmup });
emit(
  'lat.ts.down',
  phase2.map((r) => r.down!),
  `${downNote}; ${note(down, downTransport)} (${downTransport.sent - sentBefore} after the stop)`,
);
emit(
  'lat.ts.down_vs_idle',
  phase2.map((r) => r.down! / r.idle!),
);
for (const tracker of new Set([idle, sending, down])) await tracker.stop(1000);
