/**
 * Every row of the benchmark table, in order: what it measures, its unit and,
 * where the product sets one, its budget. A benchmark prints rows by id; the
 * orchestrator fails when one of these is missing (the smoke test relies on it).
 */

export type Unit = 'ns' | 'µs' | 'ms' | 'MB' | '×' | '/s';

export interface Budget {
  /** The measured median must be at most (`<=`) or at least (`>=`) `value`. */
  op: '<=' | '>=';
  value: number;
  /** A stretch goal: reported, not required. */
  stretch?: boolean;
}

export interface Row {
  id: string;
  label: string;
  unit: Unit;
  budget?: Budget;
}

export interface Section {
  title: string;
  /** Which benchmark script prints the rows. */
  script: string;
  rows: Row[];
}

const at = (op: Budget['op'], value: number, stretch = false): Budget => ({
  op,
  value,
  ...(stretch ? { stretch } : {}),
});

function hotPath(prefix: string, what: string): Row[] {
  return [
    { id: `${prefix}.bare`, label: `bare call (${what}), ns per call`, unit: 'ns' },
    { id: `${prefix}.generic`, label: 'added: minimal generic tracker (`*args, **kwargs`)', unit: 'ns' },
    {
      id: `${prefix}.fixed`,
      label: 'added: minimal fixed-arity tracker (the cost of a wrapper compiled per signature)',
      unit: 'ns',
    },
    { id: `${prefix}.track_metrics`, label: 'added: **`@track_metrics`** (generated)', unit: 'ns' },
    {
      id: `${prefix}.original`,
      label: 'added: a task and a lock per call (`create_task` + `asyncio.Lock`)',
      unit: 'ns',
    },
    { id: `${prefix}.prom_time`, label: 'added: prometheus_client `Histogram.labels(op).time()`', unit: 'ns' },
    { id: `${prefix}.prom_observe`, label: 'added: prometheus_client `.labels(op).observe(s)`', unit: 'ns' },
  ];
}

const RATES = [1_000, 10_000, 100_000] as const;
const rate = (calls: number) => `${calls.toLocaleString('en-US').replaceAll(',', ' ')} calls/s`;

/** All-in rows of one language: CPU per call at each rate, beside the peers, and the event rate. */
function allIn(lang: 'py' | 'ts'): Row[] {
  const peers =
    lang === 'py'
      ? [{ key: 'prom', label: 'prometheus_client `labels(op).time()`' }]
      : [
          { key: 'prom', label: 'prom-client `labels(op).startTimer()`' },
          { key: 'otel', label: 'OpenTelemetry `histogram.record`' },
        ];
  const generated = lang === 'py' ? '`@track_metrics`' : '`wrap`';
  return RATES.flatMap((calls): Row[] => [
    {
      id: `allin.${lang}.r${calls}.tracked`,
      label: `**${rate(calls)}: ${generated}, defaults, CPU per call** (hot path + the publishing it causes)`,
      unit: 'ns',
    },
    ...peers.map((peer) => ({
      id: `allin.${lang}.r${calls}.${peer.key}`,
      label: `${rate(calls)}: ${peer.label}`,
      unit: 'ns' as const,
    })),
    ...peers.map((peer) => ({
      id: `allin.${lang}.r${calls}.vs_${peer.key}`,
      label: `${rate(calls)}: ${generated} ÷ ${peer.label.split(' `')[0]}`,
      unit: '×' as const,
      // The budget holds from 10 000 calls a second: below, a call costs little either way.
      ...(calls >= 10_000 && peer.key === 'prom' ? { budget: at('<=', 0.5) } : {}),
    })),
    {
      id: `allin.${lang}.r${calls}.events`,
      label: `${rate(calls)}: operation events a second (after the first, or the warm-up)`,
      unit: '/s',
      budget: at('<=', 1),
    },
  ]);
}

export const SECTIONS: Section[] = [
  {
    title: 'All-in, Python: CPU per call, hot path and publishing, at a steady rate on one operation',
    script: 'bench/python/allin.py',
    rows: allIn('py'),
  },
  {
    title: 'All-in, TypeScript: CPU per call, hot path and publishing, at a steady rate on one operation',
    script: 'bench/typescript/allin.ts',
    rows: allIn('ts'),
  },
  {
    title: 'Python, async method: cost added per call',
    script: 'bench/python/hotpath.py',
    rows: [
      ...hotPath('py.async', '`await node.op(x)`'),
      { id: 'py.async.vs_generic', label: '`@track_metrics` ÷ generic tracker', unit: '×', budget: at('<=', 1.3) },
      {
        id: 'py.async.vs_fixed',
        label: '`@track_metrics` ÷ fixed-arity tracker',
        unit: '×',
        budget: at('<=', 1.3, true),
      },
      {
        id: 'py.async.original_over',
        label: 'task and lock per call ÷ `@track_metrics`',
        unit: '×',
        budget: at('>=', 6),
      },
      {
        id: 'py.async.vs_prom_time',
        label: '`@track_metrics` ÷ prometheus `.labels(op).time()`',
        unit: '×',
        budget: at('<=', 0.3),
      },
      { id: 'py.async.vs_prom_observe', label: '`@track_metrics` ÷ prometheus `.labels(op).observe`', unit: '×' },
    ],
  },
  {
    title: 'Python, sync function: cost added per call',
    script: 'bench/python/hotpath.py',
    rows: [
      ...hotPath('py.sync', '`f(x)`'),
      { id: 'py.sync.vs_generic', label: '`@track_metrics` ÷ generic tracker', unit: '×', budget: at('<=', 1.3) },
      { id: 'py.sync.vs_fixed', label: '`@track_metrics` ÷ fixed-arity tracker', unit: '×' },
      { id: 'py.sync.original_over', label: 'task and lock per call ÷ `@track_metrics`', unit: '×' },
      { id: 'py.sync.vs_prom_time', label: '`@track_metrics` ÷ prometheus `.labels(op).time()`', unit: '×' },
      { id: 'py.sync.vs_prom_observe', label: '`@track_metrics` ÷ prometheus `.labels(op).observe`', unit: '×' },
    ],
  },
  {
    title: 'Python, handler calls: cost added per call',
    script: 'bench/python/hotpath.py',
    rows: [
      { id: 'py.handler.bare', label: 'bare call (`await handler.handle(x)`), ns per call', unit: 'ns' },
      {
        id: 'py.handler.generic',
        label: 'added: minimal generic tracker on the method (`*args, **kwargs`)',
        unit: 'ns',
      },
      {
        id: 'py.handler.owner',
        label: 'added: **`@track_metrics(op, metrics=tracker)`** on a method of a plain class',
        unit: 'ns',
      },
      {
        id: 'py.handler.plain',
        label: 'added: `@track_metrics(op)` on a method of a plain class (into `shared_metrics()`)',
        unit: 'ns',
      },
      {
        id: 'py.handler.routed',
        label: "added: **a handler timed by the node's routing** (`TrackedHandler`, from the contract)",
        unit: 'ns',
      },
      {
        id: 'py.handler.owner_vs_generic',
        label: '`@track_metrics(op, metrics=tracker)` ÷ generic tracker',
        unit: '×',
        budget: at('<=', 1.3),
      },
      {
        id: 'py.handler.plain_vs_generic',
        label: '`@track_metrics(op)` on a plain class ÷ generic tracker',
        unit: '×',
        budget: at('<=', 1.3),
      },
      {
        id: 'py.handler.routed_vs_generic',
        label: 'routed handler ÷ generic tracker',
        unit: '×',
        budget: at('<=', 1.3),
      },
    ],
  },
  {
    title: 'TypeScript, async function: cost added per call',
    script: 'bench/typescript/hotpath.ts',
    rows: [
      { id: 'ts.bare', label: 'bare call (`await f(x)`), ns per call', unit: 'ns' },
      { id: 'ts.generic', label: 'added: minimal generic tracker (`(...args)`, Float64Array ring)', unit: 'ns' },
      { id: 'ts.wrap', label: 'added: **`tracker.wrap(op, f)`** (generated)', unit: 'ns' },
      { id: 'ts.decorator', label: 'added: **`@trackMetrics(op)`** (generated)', unit: 'ns' },
      { id: 'ts.prom_timer', label: 'added: prom-client `labels(op).startTimer()`', unit: 'ns' },
      { id: 'ts.prom_observe', label: 'added: prom-client `observe({ op }, s)`', unit: 'ns' },
      { id: 'ts.otel_record', label: 'added: OpenTelemetry `histogram.record(ms, { op })`', unit: 'ns' },
      { id: 'ts.wrap.vs_generic', label: '`wrap` ÷ generic tracker', unit: '×', budget: at('<=', 1.3) },
      { id: 'ts.decorator.vs_generic', label: 'decorator ÷ generic tracker', unit: '×', budget: at('<=', 1.3) },
      { id: 'ts.wrap.vs_prom_timer', label: '`wrap` ÷ prom-client `startTimer()`', unit: '×', budget: at('<=', 0.5) },
      {
        id: 'ts.decorator.vs_prom_timer',
        label: 'decorator ÷ prom-client `startTimer()`',
        unit: '×',
        budget: at('<=', 0.5),
      },
      { id: 'ts.wrap.vs_otel_record', label: '`wrap` ÷ OTel `record(v, { op })`', unit: '×', budget: at('<=', 0.5) },
      {
        id: 'ts.decorator.vs_otel_record',
        label: 'decorator ÷ OTel `record(v, { op })`',
        unit: '×',
        budget: at('<=', 0.5),
      },
    ],
  },
  ...(['py', 'ts'] as const).map((lang): Section => ({
    title: `Publishing, ${lang === 'py' ? 'Python' : 'TypeScript'}`,
    script: lang === 'py' ? 'bench/python/publishing.py' : 'bench/typescript/publishing.ts',
    rows: [
      {
        id: `pub.${lang}.event`,
        label: 'one operation event (window of 1000): statistics, sketch, envelope, JSON, hand-off, send',
        unit: 'µs',
      },
      {
        id: `pub.${lang}.inherent`,
        label: 'its inherent parts: sort the window once + one JSON serialisation',
        unit: 'µs',
      },
      { id: `pub.${lang}.event_vs_inherent`, label: 'event ÷ inherent parts', unit: '×', budget: at('<=', 1.3) },
      {
        id: `pub.${lang}.sketch`,
        label: 'the sketch in it: built from the sorted window, and its JSON',
        unit: 'µs',
      },
      {
        id: `pub.${lang}.sketch_vs_rest`,
        label: 'sketch ÷ the rest of the event',
        unit: '×',
        budget: at('<=', 0.5),
      },
      ...(lang === 'py'
        ? [
            {
              id: 'pub.py.event_vs_exact',
              label: 'event ÷ (sort + `math.fsum` + JSON): beyond the exact average',
              unit: '×' as const,
            },
          ]
        : []),
      {
        id: `pub.${lang}.hot`,
        label: 'added by the hot path alone (calls that do not yield), ns per call',
        unit: 'ns',
      },
      {
        id: `pub.${lang}.amortized`,
        label:
          '**added per call, amortized** (window 1000, every 100 calls with no minimum interval, p50/95/99), yielding load',
        unit: 'ns',
      },
      { id: `pub.${lang}.amortized.w100`, label: 'added per call, amortized: window 100, every 100 calls', unit: 'ns' },
      {
        id: `pub.${lang}.amortized.w10000`,
        label: 'added per call, amortized: window 10 000, every 100 calls',
        unit: 'ns',
      },
      { id: `pub.${lang}.amortized.i10`, label: 'added per call, amortized: window 1000, every 10 calls', unit: 'ns' },
      {
        id: `pub.${lang}.amortized.i1000`,
        label: 'added per call, amortized: window 1000, every 1000 calls',
        unit: 'ns',
      },
    ],
  })),
  ...(['py', 'ts'] as const).map((lang): Section => ({
    title: `Hot-path latency, ${lang === 'py' ? 'Python' : 'TypeScript'}: p99 of a tracked call`,
    script: lang === 'py' ? 'bench/python/latency.py' : 'bench/typescript/latency.ts',
    rows: [
      { id: `lat.${lang}.idle`, label: 'idle: the publisher has nothing to do', unit: 'µs' },
      { id: `lat.${lang}.sending`, label: 'while the publisher serialises and sends to Kafka', unit: 'µs' },
      { id: `lat.${lang}.sending_vs_idle`, label: 'sending ÷ idle', unit: '×', budget: at('<=', 1.2) },
      { id: `lat.${lang}.down`, label: 'with the broker down', unit: 'µs' },
      { id: `lat.${lang}.down_vs_idle`, label: 'broker down ÷ idle', unit: '×', budget: at('<=', 1.2) },
    ],
  })),
  {
    title: 'Memory: 10 operations, calls yielding, publisher running',
    script: 'bench/python/memory.py, bench/typescript/memory.ts',
    rows: [
      { id: 'mem.py.rss_first', label: 'Python RSS after 100 000 calls', unit: 'MB' },
      { id: 'mem.py.rss_second', label: 'Python RSS after 1 000 000 calls', unit: 'MB' },
      { id: 'mem.py.growth', label: 'Python growth from 100 000 to 1 000 000 calls', unit: 'MB', budget: at('<=', 2) },
      { id: 'mem.ts.rss_first', label: 'Node RSS after 100 000 calls', unit: 'MB' },
      { id: 'mem.ts.rss_second', label: 'Node RSS after 1 000 000 calls', unit: 'MB' },
      { id: 'mem.ts.growth', label: 'Node RSS growth from 100 000 to 1 000 000 calls', unit: 'MB' },
      {
        id: 'mem.ts.heap_growth',
        label: 'Node heap (after gc) growth from 100 000 to 1 000 000 calls',
        unit: 'MB',
        budget: at('<=', 2),
      },
    ],
  },
  {
    title: '`onex-metrics watch`: 1 000 instances × 10 operations',
    script: 'bench/typescript/watch.ts',
    rows: [
      {
        id: 'watch.ts.events',
        label: 'events read a second on one core: JSON, validation, the fleet updated',
        unit: '/s',
      },
      {
        id: 'watch.ts.rows',
        label: 'the fleet merged into its rows (each table, JSON line or scrape)',
        unit: 'ms',
      },
      { id: 'watch.ts.heap', label: "heap holding every instance's latest event", unit: 'MB' },
    ],
  },
  {
    title: 'Generation',
    script: 'bench/run.ts',
    rows: [
      { id: 'gen.node', label: '`node -e 0`, wall', unit: 'ms' },
      { id: 'gen.answers', label: '`onex-metrics --answers` (Python package), wall', unit: 'ms' },
      { id: 'gen.ratio', label: '`onex-metrics --answers` ÷ `node -e 0`', unit: '×' },
    ],
  },
];

export const ROWS: Row[] = SECTIONS.flatMap((section) => section.rows);
