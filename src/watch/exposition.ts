/**
 * The fleet in the Prometheus text exposition format (version 0.0.4): per (service,
 * operation), a summary of duration in seconds (base units, as Prometheus names them:
 * fleet quantiles, and the sum and count of the windows they cover), calls and errors as
 * counters, instances, stale instances and drops as gauges.
 */
import { type FleetRow } from './fleet.js';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Whether a scraper's Accept header asks for OpenMetrics (Prometheus's own does, first). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return (accept ?? '').includes('application/openmetrics-text');
}

/** A label value with `\`, `"` and line breaks escaped, as the format requires. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

interface Family {
  name: string;
  type: 'gauge' | 'counter' | 'summary';
  help: string;
  /** The family's name (a counter's without `_total`, as OpenMetrics names it). */
  /** Each sample: a suffix of the name (`_total`, `_sum`, `_count`), extra labels, value. */
  samples: (row: FleetRow) => [string, Record<string, string>, number][];
}

const FAMILIES: Family[] = [
  {
    name: 'onex_operation_duration_seconds',
    type: 'summary',
    help:
      "An operation's duration over the instances' current windows: fleet quantiles from their merged " +
      'sketches (1 % relative accuracy), the sum and count of those windows.',
    samples: (row) => [
      ...Object.entries(row.percentiles).map(([key, ms]): [string, Record<string, string>, number] => [
        '',
        { quantile: String(Number((Number(key.slice(1).replace('_', '.')) / 100).toFixed(6))) },
        ms / 1000,
      ]),
      ['_sum', {}, row.sketch.sum / 1000],
      ['_count', {}, row.samples],
    ],
  },
  {
    name: 'onex_operation_calls',
    type: 'counter',
    help: 'Calls of an operation over the lifetimes of the instances reporting it.',
    samples: (row) => [['_total', {}, row.count]],
  },
  {
    name: 'onex_operation_errors',
    type: 'counter',
    help: 'Calls of an operation that raised, over the lifetimes of the instances reporting it.',
    samples: (row) => [['_total', {}, row.errors]],
  },
  {
    name: 'onex_operation_instances',
    type: 'gauge',
    help: 'Instances reporting an operation.',
    samples: (row) => [['', {}, row.instances]],
  },
  {
    name: 'onex_operation_stale_instances',
    type: 'gauge',
    help: 'Instances reporting an operation that have been silent for 3 publish intervals.',
    samples: (row) => [['', {}, row.stale]],
  },
  {
    name: 'onex_operation_dropped_events',
    type: 'gauge',
    help: 'Events the instances dropped from their full outboxes (their latest dropped_events, summed).',
    samples: (row) => [['', {}, row.dropped]],
  },
];

/**
 * The exposition of `rows`, with `watch`'s own event counters: the text format 0.0.4,
 * or OpenMetrics 1.0 (counter families named without `_total`, `# EOF` at the end).
 */
export function exposition(
  rows: readonly FleetRow[],
  counters: { events: number; invalid: number },
  { openMetrics = false } = {},
): string {
  const lines: string[] = [];
  const families: Family[] = [
    ...FAMILIES,
    {
      name: 'onex_watch_events',
      type: 'counter',
      help: 'Operation events read.',
      samples: () => [['_total', {}, counters.events]],
    },
    {
      name: 'onex_watch_invalid_events',
      type: 'counter',
      help: 'Messages on the metrics topics that are not valid metrics events.',
      samples: () => [['_total', {}, counters.invalid]],
    },
  ];
  for (const family of families) {
    const described = family.type === 'counter' && !openMetrics ? `${family.name}_total` : family.name;
    lines.push(`# HELP ${described} ${family.help}`, `# TYPE ${described} ${family.type}`);
    const fleetWide = family.name.startsWith('onex_watch_');
    for (const row of fleetWide ? [undefined] : rows) {
      for (const [suffix, extra, value] of family.samples(row!)) {
        const labels = row === undefined ? extra : { service: row.service, operation: row.operation, ...extra };
        const text = Object.entries(labels)
          .map(([key, value]) => `${key}="${label(value)}"`)
          .join(',');
        lines.push(`${family.name}${suffix}${text === '' ? '' : `{${text}}`} ${number(value)}`);
      }
    }
  }
  if (openMetrics) lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
