/**
 * With the `alerts` answer, two files beside the code, in any language: Prometheus
 * alert rules and a Grafana dashboard over the series `onex-metrics watch` serves
 * (`onex_operation_*{service, operation}`). Built as data and serialised (YAML, JSON),
 * so no answer can break out of a string.
 */
import { stringify as toYaml } from 'yaml';
import type { Answers } from './answers/schema.js';

export const ALERTS_FILE = 'metrics/alerts.yml';
export const DASHBOARD_FILE = 'metrics/dashboard.json';
/** How long a breach must last before an alert fires, when `forMinutes` is not given. */
export const DEFAULT_FOR_MINUTES = 5;

type Alerts = NonNullable<Answers['alerts']>;

/** A PromQL string literal holding `value`. */
const promString = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** The PromQL label matcher of this service. */
const selector = (answers: Answers, extra = '') => `service=${promString(answers.serviceName)}${extra}`;

/** The p99 of each operation, in seconds, as watch serves it. */
const p99 = (answers: Answers) => `onex_operation_duration_seconds{${selector(answers, ',quantile="0.99"')}}`;

/** Errors ÷ calls of each operation over 5 minutes, summed over the fleet. */
const errorRate = (answers: Answers) =>
  `sum by (service, operation) (rate(onex_operation_errors_total{${selector(answers)}}[5m]))` +
  ` / sum by (service, operation) (rate(onex_operation_calls_total{${selector(answers)}}[5m]))`;

function rules(answers: Answers, alerts: Alerts): Record<string, unknown>[] {
  const duration = `${alerts.forMinutes ?? DEFAULT_FOR_MINUTES}m`;
  const made: Record<string, unknown>[] = [];
  if (alerts.p99Ms !== undefined) {
    made.push({
      alert: 'OnexOperationP99High',
      expr: `${p99(answers)} > ${alerts.p99Ms / 1000}`,
      for: duration,
      labels: { severity: 'warning' },
      annotations: {
        summary: `{{ $labels.service }} {{ $labels.operation }}: fleet p99 above ${alerts.p99Ms} ms`,
        description: 'The p99 of the merged sketches of every instance is {{ $value | humanizeDuration }}.',
      },
    });
  }
  if (alerts.errorRate !== undefined) {
    made.push({
      alert: 'OnexOperationErrorRateHigh',
      expr: `${errorRate(answers)} > ${alerts.errorRate}`,
      for: duration,
      labels: { severity: 'warning' },
      annotations: {
        summary: `{{ $labels.service }} {{ $labels.operation }}: errors above ${Number((alerts.errorRate * 100).toPrecision(12))} % of calls`,
        description: 'Errors ÷ calls over the last 5 minutes, the whole fleet: {{ $value | humanizePercentage }}.',
      },
    });
  }
  if (alerts.silent) {
    made.push({
      alert: 'OnexInstanceSilent',
      expr: `onex_operation_stale_instances{${selector(answers)}} > 0`,
      for: duration,
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $labels.service }} {{ $labels.operation }}: {{ $value }} instance(s) silent',
        description: 'No event for 3 publish intervals (watch --interval); after 6 watch forgets the instance.',
      },
    });
  }
  return made;
}

function alertsFile(answers: Answers, alerts: Alerts, banner: readonly string[]): string {
  const document = { groups: [{ name: `onex-metrics-${answers.serviceName}`, rules: rules(answers, alerts) }] };
  return `${banner.map((line) => `# ${line}`).join('\n')}\n${toYaml(document, { lineWidth: 0 })}`;
}

function panel(id: number, title: string, unit: string, expr: string, legend: string, y: number, x: number) {
  return {
    id,
    type: 'timeseries',
    title,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    fieldConfig: { defaults: { unit }, overrides: [] },
    gridPos: { h: 8, w: 12, x, y },
    targets: [{ refId: 'A', expr, legendFormat: legend }],
  };
}

function dashboardFile(answers: Answers, banner: readonly string[]): string {
  const operation = '{{operation}}';
  const dashboard = {
    title: `${answers.serviceName}: operations (onex-metrics)`,
    description: banner.join(' '),
    uid: `onex-metrics-${answers.serviceName}`
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 40),
    tags: ['onex', 'onex-metrics'],
    schemaVersion: 39,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' }],
    },
    panels: [
      panel(
        1,
        'Fleet percentiles (merged sketches)',
        's',
        `onex_operation_duration_seconds{${selector(answers)}}`,
        `${operation} p{{quantile}}`,
        0,
        0,
      ),
      panel(
        2,
        'Calls a second',
        'reqps',
        `sum by (operation) (rate(onex_operation_calls_total{${selector(answers)}}[5m]))`,
        operation,
        0,
        12,
      ),
      panel(3, 'Error rate (5 min)', 'percentunit', errorRate(answers), operation, 8, 0),
      panel(
        4,
        'Instances, stale instances and dropped events',
        'short',
        `onex_operation_instances{${selector(answers)}} or onex_operation_stale_instances{${selector(answers)}} or onex_operation_dropped_events{${selector(answers)}}`,
        `${operation} {{__name__}}`,
        8,
        12,
      ),
    ],
  };
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

/** The alert rules and dashboard of these answers (none without `alerts`), paths under the target. */
export function observabilityFiles(answers: Answers, banner: readonly string[]): { output: string; content: string }[] {
  // Absent only when a test renders hostile answers past the schema: no files then.
  if (!answers.alerts) return [];
  return [
    { output: ALERTS_FILE, content: alertsFile(answers, answers.alerts, banner) },
    { output: DASHBOARD_FILE, content: dashboardFile(answers, banner) },
  ];
}
