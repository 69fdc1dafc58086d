/**
 * Per-call cost of tracking in TypeScript, on an async function: the generated
 * `wrap` and `@trackMetrics` beside a minimal hand-written tracker, prom-client
 * and OpenTelemetry. Every variant wraps the same `async (x) => x`; the bare
 * call's time is subtracted, so each figure is what tracking adds per call.
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import promClient from 'prom-client';
import {
  added,
  awaitingBatch,
  emit,
  loadConfig,
  loadMetrics,
  log,
  NullTransport,
  ratio,
  roundsOf,
  type Runner,
} from './common.js';

const OP = 'op_a';
const config = loadConfig();
const metrics = await loadMetrics(config.packages.default!);
const { MetricsTracker, trackMetrics } = metrics;

type AsyncFn = (x: number) => Promise<number>;
const bare: AsyncFn = async (x) => x;

/** performance.now ×2, a Float64Array ring and counters, in an async `(...args)` wrapper. */
function genericTracker<Args extends unknown[], R>(fn: (...args: Args) => Promise<R>): (...args: Args) => Promise<R> {
  const ring = new Float64Array(1000);
  let next = 0;
  // Written on every call, as a real tracker does; nothing here reads them.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  let count = 0;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  let errors = 0;
  return async (...args: Args): Promise<R> => {
    const start = performance.now();
    try {
      const result = await fn(...args);
      ring[next] = performance.now() - start;
      next = next + 1 === ring.length ? 0 : next + 1;
      count += 1;
      return result;
    } catch (error) {
      errors += 1;
      throw error;
    }
  };
}

const registry = new promClient.Registry();
const promHistogram = new promClient.Histogram({
  name: 'bench_duration_seconds',
  help: 'Duration of an operation',
  labelNames: ['op'],
  registers: [registry],
});

/** `histogram.labels(op).startTimer()` around the awaited call. */
const promTimer =
  (fn: AsyncFn): AsyncFn =>
  async (x) => {
    const end = promHistogram.labels(OP).startTimer();
    try {
      return await fn(x);
    } finally {
      end();
    }
  };

/** Two clock reads and `histogram.observe({ op }, seconds)`. */
const promObserve =
  (fn: AsyncFn): AsyncFn =>
  async (x) => {
    const start = performance.now();
    try {
      return await fn(x);
    } finally {
      promHistogram.observe({ op: OP }, (performance.now() - start) / 1000);
    }
  };

/** Collects on demand only: the SDK records, nothing exports. */
class PassiveReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
const meterProvider = new MeterProvider({ readers: [new PassiveReader()] });
const otelHistogram = meterProvider.getMeter('bench').createHistogram('bench.duration', { unit: 'ms' });

/** Two clock reads and `histogram.record(ms, { op })`. */
const otelRecord =
  (fn: AsyncFn): AsyncFn =>
  async (x) => {
    const start = performance.now();
    try {
      return await fn(x);
    } finally {
      otelHistogram.record(performance.now() - start, { op: OP });
    }
  };

const tracker = new MetricsTracker({ transport: new NullTransport() });

class Service {
  metrics = new MetricsTracker({ transport: new NullTransport() });

  @trackMetrics(OP)
  async run(x: number): Promise<number> {
    return x;
  }
}
const service = new Service();

const runners: Record<string, Runner> = {
  bare: { run: bare },
  generic: { run: genericTracker(bare) },
  wrap: { run: tracker.wrap(OP, bare) },
  decorator: service,
  prom_timer: { run: promTimer(bare) },
  prom_observe: { run: promObserve(bare) },
  otel_record: { run: otelRecord(bare) },
};
const batches = Object.fromEntries(
  Object.entries(runners).map(([name, runner]) => [name, awaitingBatch(name, runner)]),
);

log('TypeScript hot path: async function');
const [calls, rounds, warmup] = config.smoke ? [300, 2, 1] : [100_000, 15, 3];
const perRound = await roundsOf(batches, { calls, rounds, warmup });
const expected = calls * 3 * (rounds + warmup);
for (const [name, counted] of [
  ['wrap', tracker.windows[0]!.count],
  ['decorator', service.metrics.windows[0]!.count],
] as const) {
  if (counted !== expected) throw new Error(`${name} recorded ${counted} calls, expected ${expected}`);
}

emit(
  'ts.bare',
  perRound.map((r) => r.bare!),
  '`await f(x)`, a monomorphic call site per variant',
);
for (const name of ['generic', 'wrap', 'decorator', 'prom_timer', 'prom_observe', 'otel_record']) {
  emit(`ts.${name}`, added(perRound, name, 'bare'));
}
for (const ours of ['wrap', 'decorator']) {
  emit(`ts.${ours}.vs_generic`, ratio(perRound, ours, 'generic', 'bare'));
  emit(`ts.${ours}.vs_prom_timer`, ratio(perRound, ours, 'prom_timer', 'bare'));
  emit(`ts.${ours}.vs_otel_record`, ratio(perRound, ours, 'otel_record', 'bare'));
}
await tracker.stop();
await service.metrics.stop();
await meterProvider.shutdown();
