/**
 * `onex-metrics watch`: reads the metrics topics as a Kafka consumer group, keeps each
 * instance's latest sketch per (service, operation), and shows the fleet: a live table
 * on a terminal, JSON lines otherwise, and `/metrics` for Prometheus with `--prometheus`.
 */
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../core/exit-codes.js';
import { parseEvent } from './event.js';
import { CONTENT_TYPE, exposition, OPENMETRICS_CONTENT_TYPE, wantsOpenMetrics } from './exposition.js';
import { Fleet, type FleetRow } from './fleet.js';

export const WATCH_USAGE = `Usage:
  onex-metrics watch [--brokers HOST:PORT,...] [--topic TOPIC ...] [options]
      [--brokers LIST]        Kafka bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS)
      [--topic TOPIC]         a metrics topic to read, repeatable (default: every topic named
                              *.operation-metrics.v1 or *.metrics.v1 on the broker)
      [--group ID]            consumer group (default: onex-metrics-watch); watch processes in
                              one group share the partitions, each service on one of them
      [--interval SECONDS]    the instances' publishIntervalSeconds (default: 60): silent for 3
                              intervals marks an instance stale, for 6 drops it
      [--every SECONDS]       how often to show the fleet (default: 2)
      [--json]                JSON lines even on a terminal
      [--prometheus HOST:PORT] serve /metrics there (Prometheus text, or OpenMetrics when asked)
      [--exit-after SECONDS]  stop after this long (default: run until Ctrl-C)

Needs @platformatic/kafka: npm install @platformatic/kafka@2 (Node.js 22.22 or later; @1 before).
Exit codes: 0 stopped, 1 Kafka or the server failed, 2 usage.`;

interface WatchOptions {
  brokers: string[];
  topics: string[];
  group: string;
  intervalSeconds: number;
  everySeconds: number;
  json: boolean;
  prometheus: { host: string; port: number } | undefined;
  exitAfterSeconds: number | undefined;
}

function positive(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${flag} must be a number of seconds above 0, not "${text}"`);
  return value;
}

/** The options of `watch`, or a usage message naming the flag at fault. */
export function parseWatchArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): WatchOptions | { help: true } | string {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        brokers: { type: 'string' },
        topic: { type: 'string', multiple: true },
        group: { type: 'string' },
        interval: { type: 'string' },
        every: { type: 'string' },
        json: { type: 'boolean' },
        prometheus: { type: 'string' },
        'exit-after': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) return { help: true };
    const brokers = (values.brokers ?? env.KAFKA_BOOTSTRAP_SERVERS ?? '')
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean);
    if (brokers.length === 0) {
      return 'watch needs the Kafka brokers: give --brokers HOST:PORT or set KAFKA_BOOTSTRAP_SERVERS';
    }
    let prometheus: WatchOptions['prometheus'];
    if (values.prometheus !== undefined) {
      const match = /^(.+):(\d{1,5})$/.exec(values.prometheus);
      if (!match || Number(match[2]) > 65_535) {
        return `--prometheus must be HOST:PORT (e.g. 127.0.0.1:9464), not "${values.prometheus}"`;
      }
      prometheus = { host: match[1]!, port: Number(match[2]) };
    }
    return {
      brokers,
      topics: values.topic ?? [],
      group: values.group ?? 'onex-metrics-watch',
      intervalSeconds: positive('interval', values.interval, 60),
      everySeconds: positive('every', values.every, 2),
      json: values.json ?? false,
      prometheus,
      exitAfterSeconds:
        values['exit-after'] === undefined ? undefined : positive('exit-after', values['exit-after'], 0),
    };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const METRICS_TOPIC = /(\.operation-metrics\.v\d+|\.metrics\.v\d+)$/;

type KafkaModule = typeof import('@platformatic/kafka');

async function loadKafka(): Promise<KafkaModule | string> {
  try {
    return await import('@platformatic/kafka');
  } catch {
    return (
      'watch reads Kafka with @platformatic/kafka, which is not installed: run ' +
      'npm install @platformatic/kafka@2 (Node.js 22.22 or later; @platformatic/kafka@1 on older Node.js)'
    );
  }
}

/** A row as JSON lines and the table show it (the merged sketch stays out). */
function plainRow(row: FleetRow): Record<string, unknown> {
  const { sketch: _sketch, percentiles, ...rest } = row;
  return { ...rest, ...percentiles };
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toPrecision(3));

/** The fleet as a table for a terminal. */
export function table(rows: readonly FleetRow[], fleet: Fleet): string {
  const keys = Object.keys(rows[0]?.percentiles ?? {});
  const header = [
    'service',
    'operation',
    'inst',
    'calls/s',
    'errors',
    ...keys.map((key) => `${key} ms`),
    'max ms',
    'drops',
  ];
  const body = rows.map((row) => [
    row.service,
    row.operation,
    row.stale > 0 ? `${row.instances} (${row.stale} stale)` : String(row.instances),
    row.rate.toFixed(1),
    `${(row.error_rate * 100).toFixed(1)}%`,
    ...keys.map((key) => ms(row.percentiles[key]!)),
    ms(row.max),
    String(row.dropped),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  const invalid = fleet.invalid > 0 ? `, ${fleet.invalid} invalid (last: ${fleet.lastInvalid})` : '';
  return [
    line(header),
    ...body.map(line),
    '',
    `${fleet.events} events read${invalid}; percentiles from the instances' merged sketches (±1 %)`,
  ].join('\n');
}

/** Runs `watch` until Ctrl-C, SIGTERM or --exit-after; resolves to the exit code. */
export async function runWatch(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (line: string) => void; isTTY: boolean },
): Promise<number> {
  const options = parseWatchArgs(argv, process.env);
  if (typeof options === 'string') {
    io.err(`onex-metrics watch: ${options}\n\n${WATCH_USAGE}`);
    return EXIT_USAGE;
  }
  if ('help' in options) {
    io.out(`${WATCH_USAGE}\n`);
    return EXIT_OK;
  }
  const kafka = await loadKafka();
  if (typeof kafka === 'string') {
    io.err(`onex-metrics watch: ${kafka}`);
    return EXIT_FAILED;
  }
  const fleet = new Fleet(options.intervalSeconds);
  const clientId = 'onex-metrics-watch';
  let topics = options.topics;
  if (topics.length === 0) {
    const admin = new kafka.Admin({ clientId, bootstrapBrokers: options.brokers });
    try {
      topics = (await admin.listTopics()).filter((topic) => METRICS_TOPIC.test(topic)).sort();
    } catch (error) {
      io.err(`onex-metrics watch: cannot list the topics of ${options.brokers.join(',')}: ${String(error)}`);
      return EXIT_FAILED;
    } finally {
      await admin.close();
    }
    if (topics.length === 0) {
      io.err(`onex-metrics watch: no metrics topics on ${options.brokers.join(',')} yet: name them with --topic`);
      return EXIT_FAILED;
    }
  }

  const consumer = new kafka.Consumer({
    clientId,
    groupId: options.group,
    bootstrapBrokers: options.brokers,
    deserializers: kafka.stringDeserializers,
  });
  let server: Server | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let stop: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    stop = resolve;
  });
  const show = () => {
    const rows = fleet.rows(Date.now());
    if (io.isTTY && !options.json) {
      io.out(`\u001b[H\u001b[2J${table(rows, fleet)}\n`);
    } else {
      const line = {
        time: new Date().toISOString(),
        events: fleet.events,
        invalid: fleet.invalid,
        ...(fleet.lastInvalid !== undefined ? { last_invalid: fleet.lastInvalid } : {}),
        rows: rows.map(plainRow),
      };
      io.out(`${JSON.stringify(line)}\n`);
    }
  };
  try {
    const stream = await consumer.consume({
      topics,
      mode: kafka.MessagesStreamModes.COMMITTED,
      fallbackMode: kafka.MessagesStreamFallbackModes.EARLIEST,
    });
    stream.on('data', (message: { value: string }) => {
      const parsed = parseEvent(message.value);
      if (parsed.kind === 'operation') fleet.observe(parsed.observation);
      else if (parsed.kind === 'invalid') fleet.rejected(parsed.reason);
    });
    stream.on('error', (error: unknown) => {
      io.err(`onex-metrics watch: reading ${topics.join(', ')} failed: ${String(error)}`);
      stop(EXIT_FAILED);
    });
    if (options.prometheus !== undefined) {
      const { host, port } = options.prometheus;
      server = createServer((request, response) => {
        if (request.url !== '/metrics') {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at /metrics\n');
          return;
        }
        const openMetrics = wantsOpenMetrics(request.headers.accept);
        const body = exposition(fleet.rows(Date.now()), fleet, { openMetrics });
        response.writeHead(200, { 'content-type': openMetrics ? OPENMETRICS_CONTENT_TYPE : CONTENT_TYPE }).end(body);
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      io.err(`onex-metrics watch: serving http://${host}:${port}/metrics`);
    }
    io.err(`onex-metrics watch: reading ${topics.join(', ')} as group ${options.group}`);
    ticker = setInterval(show, options.everySeconds * 1000);
    const onSignal = () => stop(EXIT_OK);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (options.exitAfterSeconds !== undefined)
      setTimeout(() => stop(EXIT_OK), options.exitAfterSeconds * 1000).unref();
    const code = await stopped;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    show();
    return code;
  } catch (error) {
    io.err(`onex-metrics watch: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILED;
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
    server?.close();
    // Forced: the open stream is closed with it; a failing close is no reason to fail.
    await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
  }
}
