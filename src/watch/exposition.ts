/**
 * The fleet in the Prometheus text exposition format (version 0.0.4): per (service,
 * operation), a summary of duration in seconds (base units, as Prometheus names them:
 * fleet quantiles, and the sum and count of the windows they cover), calls and errors as
 * counters, instances, stale instances and drops as gauges.
 */
import { type FleetRow } from './fleet.js';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

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
  /** Each sample: a suffix of the name (`_sum`, `_count` of a summary), extra labels, value. */
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
    name: 'onex_operation_calls_total',
    type: 'counter',
    help: 'Calls of an operation over the lifetimes of the instances reporting it.',
    samples: (row) => [['', {}, row.count]],
  },
  {
    name: 'onex_operation_errors_total',
    type: 'counter',
    help: 'Calls of an operation that raised, over the lifetimes of the instances reporting it.',
    samples: (row) => [['', {}, row.errors]],
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

/** The exposition of `rows`, with `watch`'s own event counters. */
export function exposition(rows: readonly FleetRow[], counters: { events: number; invalid: number }): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const row of rows) {
      for (const [suffix, extra, value] of family.samples(row)) {
        const labels = { service: row.service, operation: row.operation, ...extra };
        const text = Object.entries(labels)
          .map(([key, value]) => `${key}="${label(value)}"`)
          .join(',');
        lines.push(`${family.name}${suffix}{${text}} ${number(value)}`);
      }
    }
  }
  lines.push(
    '# HELP onex_watch_events_total Operation events read.',
    '# TYPE onex_watch_events_total counter',
    `onex_watch_events_total ${counters.events}`,
    '# HELP onex_watch_invalid_events_total Messages on the metrics topics that are not valid metrics events.',
    '# TYPE onex_watch_invalid_events_total counter',
    `onex_watch_invalid_events_total ${counters.invalid}`,
  );
  return `${lines.join('\n')}\n`;
}
