/**
 * The all-in price per call in TypeScript: the hot path plus the publishing it causes.
 *
 * A function is called at a steady rate on one operation (1 000, 10 000 and 100 000
 * calls a second: calls in batches every 10 ms, the event loop running in
 * between; fewer wake-ups than every millisecond, whose own CPU would otherwise
 * blur the difference), untracked, through the generated `wrap` at the defaults it ships with
 * (an event every 100 calls and at most one a second, window 1000, p50/p95/p99,
 * events serialised and handed to a transport), through prom-client's
 * `labels(op).startTimer()` and OpenTelemetry's `histogram.record`. What each costs
 * is the process's CPU time (`process.cpuUsage()`, not wall time) beyond the
 * untracked run, per call; the events a second of the generated package beside it.
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import promClient from 'prom-client';
import { emit, loadConfig, loadMetrics, log, NullTransport } from './common.js';

const RATES = [1_000, 10_000, 100_000] as const;
const TICK_MS = 10;
const OP = 'op_a';

const bare = (x: number): number => x;

const registry = new promClient.Registry();
const promHistogram = new promClient.Histogram({
  name: 'bench_allin_duration_seconds',
  help: 'Duration of an operation',
  labelNames: ['op'],
  registers: [registry],
});
const promTimer =
  (fn: (x: number) => number) =>
  (x: number): number => {
    const end = promHistogram.labels(OP).startTimer();
    try {
      return fn(x);
    } finally {
      end();
    }
  };

/** Collects on demand only: the SDK records, nothing exports. */
class PassiveReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
const meterProvider = new MeterProvider({ readers: [new PassiveReader()] });
const otelHistogram = meterProvider.getMeter('bench').createHistogram('bench.allin', { unit: 'ms' });
const otelRecord =
  (fn: (x: number) => number) =>
  (x: number): number => {
    const start = performance.now();
    try {
      return fn(x);
    } finally {
      otelHistogram.record(performance.now() - start, { op: OP });
    }
  };

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU microseconds (user + system) of this process. */
const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** Calls `call` `rate` times a second for `seconds`; the CPU nanoseconds it took and the calls. */
async function paced(call: (x: number) => unknown, rate: number, seconds: number): Promise<[number, number]> {
  const perTick = Math.round((rate * TICK_MS) / 1000);
  const ticks = Math.round((seconds * 1000) / TICK_MS);
  let due = performance.now();
  const cpu = cpuMicros();
  for (let t = 0; t < ticks; t += 1) {
    for (let i = 0; i < perTick; i += 1) call(i);
    due += TICK_MS;
    await tick(Math.max(0, due - performance.now()));
  }
  return [(cpuMicros() - cpu) * 1000, perTick * ticks];
}

const config = loadConfig();
const metrics = await loadMetrics(config.packages.allin!);
const rounds = config.smoke ? 1 : 5;
const WARMUP_SECONDS = config.smoke ? 0.01 : 0.25;
for (const rate of RATES) {
  // Long enough at low rates for the difference to stand out of the loop's noise.
  const seconds = config.smoke ? 0.05 : Math.max(2, 4_000 / rate);
  log(`TypeScript all-in: ${rate} calls a second`);
  const results = { tracked: [] as number[], prom: [] as number[], otel: [] as number[], events: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    // Each variant is warmed up at the same rate first, so that compiling it is
    // not charged to it.
    await paced(bare, rate, WARMUP_SECONDS);
    const [bareCpu, calls] = await paced(bare, rate, seconds);
    const transport = new NullTransport();
    const tracker = new metrics.MetricsTracker({ transport });
    const tracked = tracker.wrap(OP, bare);
    await paced(tracked, rate, WARMUP_SECONDS);
    // The rate of events is what follows the warm-up's.
    const first = transport.sent;
    const warmCalls = tracker.windows[0]!.count;
    const [trackedCpu] = await paced(tracked, rate, seconds);
    const events = transport.sent - first;
    await tracker.stop();
    if (tracker.windows[0]!.count !== calls + warmCalls) throw new Error('the tracker lost calls');
    const prom = promTimer(bare);
    await paced(prom, rate, WARMUP_SECONDS);
    const [promCpu] = await paced(prom, rate, seconds);
    const otel = otelRecord(bare);
    await paced(otel, rate, WARMUP_SECONDS);
    const [otelCpu] = await paced(otel, rate, seconds);
    results.tracked.push((trackedCpu - bareCpu) / calls);
    results.prom.push((promCpu - bareCpu) / calls);
    results.otel.push((otelCpu - bareCpu) / calls);
    results.events.push(events / seconds);
  }
  const prefix = `allin.ts.r${rate}`;
  emit(`${prefix}.tracked`, results.tracked, `${rate} calls/s for ${seconds} s a round`);
  emit(`${prefix}.prom`, results.prom);
  emit(`${prefix}.otel`, results.otel);
  emit(
    `${prefix}.vs_prom`,
    results.tracked.map((t, i) => t / results.prom[i]!),
  );
  emit(
    `${prefix}.vs_otel`,
    results.tracked.map((t, i) => t / results.otel[i]!),
  );
  emit(`${prefix}.events`, results.events);
}
await meterProvider.shutdown();
