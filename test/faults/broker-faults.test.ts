/**
 * Broker faults, with a real Kafka broker, for both targets at once.
 *
 * A private broker (scripts/kafka on two free ports, or $ONEX_FAULTS_KAFKA_PORT and
 * the next, with its own state dir; the shared 19092 one is never touched) serves a generated Python node (asyncio tasks and
 * worker threads, AioKafkaTransport) and a generated TypeScript service (concurrent
 * promises, KafkaTransport on @platformatic/kafka), each under a bounded load
 * (test/python/fault_load.py, test/faults/fault-load.ts). Three faults:
 *
 * 1. restart: the broker is stopped in the middle of the load, left down, started
 *    again; the load goes on, then both stop their metrics with the broker up and
 *    every event is read back from Kafka and accounted for;
 * 2. freeze: the broker is SIGSTOPped (connections stay open, nothing answers),
 *    thawed, and once publishing has resumed frozen again: the services stop their
 *    metrics while it hangs;
 * 3. crash: the broker is SIGKILLed and the services stop their metrics while it
 *    is down.
 *
 * The figures (faults, events lost, outbox depth, time to resume) are printed as
 * one `FAULTS SUMMARY` JSON line, and written to $ONEX_FAULTS_REPORT when set.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, REPO, tempDir, venvBin } from '../support/helpers.js';
import { type ConsumedEvent, consumeEvents } from '../support/kafka.js';
import { schemaErrors } from '../support/schema.js';
import { bin, makeTypescriptProject } from '../support/typescript.js';
import { Driver, FAULT_OPERATIONS, generate, PrivateBroker, sleep, type DriverReport } from './support.js';

const PYTHON = venvBin('python');
const CAPACITY = 1000;
/** Seconds of load before each fault, so producers are connected and publishing. */
const WARM_MS = 5_000;
/** How long the broker stays down (after its stop returns) in the restart fault. */
const DOWN_MS = 5_000;
/** How long it stays frozen before the services stop: longer than the 5 s send timeout. */
const FROZEN_MS = 7_000;
const STOP_TIMEOUT_S = 2;
/** Scheduling slack allowed past stop()'s timeout. */
const STOP_SLACK_S = 0.25;
const RESUME_BOUND_MS = 10_000;

const answers = (language: string, topic: string) => ({
  language,
  // The older envelope: its event_id identifies each event read back; and this is
  // the profile whose Python package has its own aiokafka producer.
  envelope: 'omninode-bridge',
  serviceName: `fault_${language}`,
  operations: [...FAULT_OPERATIONS],
  // An event every 20 calls of an operation and a snapshot every second: a few
  // hundred events a second, so an outage of seconds overflows the 1000-event outbox.
  publishIntervalOps: 20,
  minPublishIntervalSeconds: 0,
  publishIntervalSeconds: 1,
  maxDurationSamples: 200,
  kafkaTopic: topic,
});

type Target = 'python' | 'typescript';
const TARGETS: Target[] = ['python', 'typescript'];

interface Phase {
  reports: Record<Target, DriverReport>;
  exitCodes: Record<Target, number | null>;
  exitAfterReportMs: Record<Target, number>;
  stderr: Record<Target, string>;
  /** The longest pause a bare loop (2 ms sleeps) saw meanwhile: the machine's own. */
  controlGapSeconds: number;
}

/**
 * A bare Python loop of 2 ms sleeps beside the drivers, measuring its longest gap:
 * how long the machine, loaded as it is, kept a process waiting. A driver's loop
 * may pause that long for reasons not its own; longer is its own doing.
 */
const CONTROL_LOOP = [
  'import json, signal, sys, time',
  'longest, last = 0.0, time.monotonic()',
  'def report(*_):',
  '    print(json.dumps(longest), flush=True)',
  '    sys.exit(0)',
  'signal.signal(signal.SIGTERM, report)',
  'while True:',
  '    time.sleep(0.002)',
  '    now = time.monotonic()',
  '    longest, last = max(longest, now - last), now',
].join('\n');

function startControl(): () => Promise<number> {
  const child = spawn(PYTHON, ['-c', CONTROL_LOOP], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return async () => {
    child.kill('SIGTERM');
    await exited;
    return Number(output.trim());
  };
}

describe('broker faults under load (Python and TypeScript at once)', () => {
  let broker: PrivateBroker;
  const root = tempDir('onex-faults-');
  const packages = {} as Record<Target, string>;
  const timeline: Record<string, number | null> = {};
  let restart: Phase;
  let freeze: Phase;
  let crash: Phase;
  const consumed = {} as Record<Target, ConsumedEvent[]>;
  const delivered = {} as Record<Target, string[]>;
  const drivers: Driver[] = [];

  function startDriver(target: Target, phase: string, stopTimeout: number): Driver {
    const ids = path.join(root, `${phase}-${target}.ids`);
    const common = ['--bootstrap', broker.bootstrap, '--ids-file', ids, '--max-seconds', '90'];
    const driver =
      target === 'python'
        ? new Driver(
            `${phase}/python`,
            PYTHON,
            [
              path.join(REPO, 'test/python/fault_load.py'),
              '--package-dir',
              packages.python,
              '--stop-timeout',
              String(stopTimeout),
              ...common,
            ],
            { cwd: packages.python, timeoutMs: 150_000 },
          )
        : new Driver(
            `${phase}/typescript`,
            bin('tsx'),
            [
              path.join(REPO, 'test/faults/fault-load.ts'),
              '--service-dir',
              packages.typescript,
              '--stop-timeout-ms',
              String(stopTimeout * 1000),
              ...common,
            ],
            { cwd: packages.typescript, timeoutMs: 150_000 },
          );
    drivers.push(driver);
    return driver;
  }

  /** Runs both drivers: `fault` is called once they have warmed up; then they finish. */
  async function phase(
    name: string,
    stopTimeout: number,
    fault: (started: Record<Target, Driver>) => Promise<void>,
  ): Promise<Phase> {
    const stopControl = startControl();
    const started = {
      python: startDriver('python', name, stopTimeout),
      typescript: startDriver('typescript', name, stopTimeout),
    };
    await Promise.all(TARGETS.map((target) => started[target].started()));
    await sleep(WARM_MS);
    await fault(started);
    for (const target of TARGETS) started[target].finish();
    const results = await Promise.all(TARGETS.map((target) => started[target].result()));
    const controlGapSeconds = await stopControl();
    const result: Phase = {
      reports: {} as never,
      exitCodes: {} as never,
      exitAfterReportMs: {} as never,
      stderr: {} as never,
      controlGapSeconds,
    };
    TARGETS.forEach((target, index) => {
      result.reports[target] = results[index]!.report;
      result.exitCodes[target] = results[index]!.exitCode;
      result.exitAfterReportMs[target] = results[index]!.exitAfterReportMs;
      result.stderr[target] = started[target].stderr;
    });
    return result;
  }

  beforeAll(async () => {
    const fixed = Number(process.env.ONEX_FAULTS_KAFKA_PORT ?? 0);
    let [port, controllerPort] = fixed ? [fixed, fixed + 1] : [0, 0];
    while (port === controllerPort) [port, controllerPort] = [await freePort(), await freePort()];
    broker = new PrivateBroker(port, controllerPort);
    const topicSuffix = Date.now().toString(36);
    packages.python = generate(root, 'python_node', answers('python', `faults.python.${topicSuffix}`));
    const tsService = makeTypescriptProject(path.join(root, 'ts_service'));
    packages.typescript = generate(root, 'ts_service', answers('typescript', `faults.typescript.${topicSuffix}`));
    expect(packages.typescript).toBe(tsService);

    await broker.start();

    // 1. restart: stop in the middle of the load, down DOWN_MS, start again.
    restart = await phase('restart', 5, async (started) => {
      timeline.down_at = Date.now();
      await broker.stop();
      timeline.stopped_at = Date.now();
      await sleep(DOWN_MS);
      const up = await broker.start();
      timeline.restart_launched_at = up.launchedAt;
      timeline.port_open_at = up.portOpenAt;
      timeline.ready_at = up.readyAt;
      // Until both have delivered again and caught up (bounded), then normal service.
      await Promise.all(TARGETS.map((target) => started[target].recovered(timeline.down_at!, 30_000)));
      await Promise.all(TARGETS.map((target) => started[target].drained(30_000)));
      await sleep(2_000);
    });
    for (const target of TARGETS) {
      const report = restart.reports[target];
      const ids = readFileSync(path.join(root, `restart-${target}.ids`), 'utf8');
      delivered[target] = ids.split('\n').filter((id) => id !== '');
      consumed[target] = await consumeEvents(report.topics, new Set(delivered[target]).size, {
        bootstrap: broker.bootstrap,
        python: PYTHON,
      });
    }

    // 2. freeze: SIGSTOP, SIGCONT; once both deliver again, SIGSTOP and stop the
    // metrics while the broker hangs; SIGCONT.
    freeze = await phase('freeze', STOP_TIMEOUT_S, async (started) => {
      timeline.frozen_at = Date.now();
      broker.signal('SIGSTOP');
      await sleep(FROZEN_MS);
      broker.signal('SIGCONT');
      timeline.thawed_at = Date.now();
      await Promise.all(TARGETS.map((target) => started[target].recovered(timeline.thawed_at!, 30_000)));
      await Promise.all(TARGETS.map((target) => started[target].drained(30_000)));
      await sleep(1_000);
      timeline.frozen_again_at = Date.now();
      broker.signal('SIGSTOP');
      await sleep(1_000);
    });
    broker.signal('SIGCONT');
    await sleep(1_000);

    // 3. crash: SIGKILL; stop the metrics while the broker is down.
    crash = await phase('crash', STOP_TIMEOUT_S, async () => {
      timeline.killed_at = Date.now();
      broker.signal('SIGKILL');
      await sleep(2_000);
    });
  }, 400_000);

  afterAll(async () => {
    for (const driver of drivers) {
      driver.kill();
      writeFileSync(path.join(root, `${driver.name.replace('/', '-')}.stdout`), driver.stdout);
      writeFileSync(path.join(root, `${driver.name.replace('/', '-')}.stderr`), driver.stderr);
    }
    await broker?.dispose();
    if (process.env.ONEX_FAULTS_KEEP) console.log(`fault test files kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
    const summary = summarize();
    if (summary) {
      console.log(`FAULTS SUMMARY ${JSON.stringify(summary)}`);
      if (process.env.ONEX_FAULTS_REPORT)
        writeFileSync(process.env.ONEX_FAULTS_REPORT, JSON.stringify(summary, null, 2));
    }
  }, 120_000);

  // ---------------------------------------------------------------- figures

  function lostOf(target: Target) {
    const consumedIds = consumed[target].map((message) => message.value.event_id as string);
    const unique = new Set(consumedIds);
    const deliveredIds = new Set(delivered[target]);
    return {
      delivered: deliveredIds.size,
      consumed: consumedIds.length,
      duplicates: consumedIds.length - unique.size,
      lost: [...deliveredIds].filter((id) => !unique.has(id)),
      // In Kafka though the transport reported a failure (then retried or dropped).
      unacknowledged: [...unique].filter((id) => !deliveredIds.has(id)).length,
    };
  }

  function resumeOf(target: Target): number | null {
    const report = restart?.reports[target];
    if (!report || timeline.port_open_at == null) return null;
    const first = report.transport.recoveries.find((recovery) => recovery.at >= timeline.port_open_at!);
    return first ? first.at - timeline.port_open_at : null;
  }

  function summarize() {
    if (!restart || !consumed.python) return null;
    const perTarget = Object.fromEntries(
      TARGETS.map((target) => {
        const { lost, ...counts } = lostOf(target);
        return [
          target,
          {
            calls: Object.values(restart.reports[target].calls).reduce((a, b) => a + b, 0),
            events_queued: restart.reports[target].publisher.queued,
            events_sent: restart.reports[target].publisher.sent,
            events_dropped_counted: restart.reports[target].publisher.dropped,
            events_lost_beyond_drops: lost.length,
            ...counts,
            max_outbox_depth: Math.max(
              ...[restart, freeze, crash].filter(Boolean).map((p) => p.reports[target].max_outbox_depth),
            ),
            resume_after_port_open_ms: resumeOf(target),
            resume_after_ready_ms:
              (restart.reports[target].transport.recoveries.find((r) => r.at >= timeline.down_at!)?.at ?? NaN) -
              timeline.ready_at!,
            resume_after_thaw_ms:
              (freeze?.reports[target].transport.recoveries.find((r) => r.at >= timeline.thawed_at!)?.at ?? NaN) -
              timeline.thawed_at!,
            longest_library_send_seconds: Math.max(
              ...[restart, freeze, crash]
                .filter(Boolean)
                .map((p) => p.reports[target].transport.longest_attempt_seconds),
            ),
            stop_seconds: {
              restart: restart.reports[target].stop_seconds,
              freeze: freeze?.reports[target].stop_seconds,
              crash: crash?.reports[target].stop_seconds,
            },
            exit_after_report_ms: {
              restart: restart.exitAfterReportMs[target],
              freeze: freeze?.exitAfterReportMs[target],
              crash: crash?.exitAfterReportMs[target],
            },
          },
        ];
      }),
    );
    return {
      // restart (stop + start), freeze + thaw, freeze at stop, kill at stop.
      faults_injected: { broker: 4, per_target: 4, total: 4 * TARGETS.length },
      outage_ms: timeline.port_open_at! - timeline.down_at!,
      ...perTarget,
    };
  }

  // ---------------------------------------------------------------- assertions

  /** Every call counted exactly; nothing but the intentional errors reached the callers. */
  function expectServed(report: DriverReport, exitCode: number | null, controlGapSeconds: number): void {
    expect(exitCode).toBe(0);
    expect(report.unexpected).toEqual([]);
    for (const operation of FAULT_OPERATIONS) {
      expect(report.calls[operation], operation).toBeGreaterThan(0);
      expect(report.statistics[operation]!.count, `${operation} count`).toBe(report.calls[operation]);
      expect(report.statistics[operation]!.errors, `${operation} errors`).toBe(report.errors[operation] ?? 0);
    }
    // The event loop never stalled: the callers ran all along (each loop pauses
    // 2 ms a round). The bound is 2 s beyond the longest pause the machine imposed
    // on a bare loop meanwhile: a loaded machine is allowed for, a stall is not.
    expect(Number.isFinite(controlGapSeconds)).toBe(true);
    expect(report.longest_gap_seconds).toBeLessThan(2 + controlGapSeconds);
    // Bounded outbox; every queued event sent or counted as dropped.
    expect(report.max_outbox_depth).toBeLessThanOrEqual(CAPACITY);
    expect(report.outbox_capacity).toBe(CAPACITY);
    expect(report.publisher.outbox_depth).toBe(0);
    expect(report.publisher.queued).toBe(report.publisher.sent + report.publisher.dropped);
    expect(report.transport.sent).toBe(report.publisher.sent);
    expect(report.stop_returned).toBe(true);
  }

  /** Calls were served in every whole second of [from, to). */
  function expectServedThroughout(report: DriverReport, from: number, to: number): void {
    const idle: number[] = [];
    for (let second = Math.ceil(from / 1000); second < Math.floor(to / 1000); second += 1) {
      if (!report.calls_per_second[String(second)]) idle.push(second);
    }
    expect(idle, 'seconds with no calls served').toEqual([]);
  }

  describe.each(TARGETS)('%s', (target) => {
    it('restart: keeps serving with exact counts and no exception, its outbox bounded', () => {
      const report = restart.reports[target];
      expectServed(report, restart.exitCodes[target], restart.controlGapSeconds);
      expectServedThroughout(report, timeline.down_at!, timeline.port_open_at!);
      // The outage overflowed the outbox: it held its bound and counted the drops.
      expect(report.max_outbox_depth).toBe(CAPACITY);
      expect(report.publisher.dropped).toBeGreaterThan(0);
      expect(report.transport.failures).toBeGreaterThan(0);
      // With the broker up again, stop() delivered everything pending.
      expect(report.publisher.dropped).toBe(report.publisher.dropped_before_stop);
      expect(report.stop_seconds).toBeLessThan(5);
      expect(restart.exitAfterReportMs[target]).toBeLessThan(5_000);
    });

    it('restart: resumes publishing within 10 s of the broker accepting connections again', () => {
      const resume = resumeOf(target);
      expect(resume, JSON.stringify(restart.reports[target].transport.recoveries)).not.toBeNull();
      expect(resume!).toBeGreaterThanOrEqual(0);
      expect(resume!).toBeLessThan(RESUME_BOUND_MS);
    });

    it('restart: loses no event beyond those counted as dropped (read back from Kafka)', () => {
      const figures = lostOf(target);
      expect(figures.lost).toEqual([]);
      expect(figures.delivered).toBe(restart.reports[target].publisher.sent);
      // Consumed = delivered (+ duplicates of retried sends, + sends the broker kept
      // though they were reported failed): both are reported, neither is a loss.
      expect(figures.consumed).toBe(figures.delivered + figures.duplicates + figures.unacknowledged);
      for (const message of consumed[target].slice(0, 50)) expect(schemaErrors(message.value)).toEqual([]);
    });

    it('restart: reports the drops in the events after them', () => {
      const report = restart.reports[target];
      const [topic, comprehensiveTopic] = report.topics;
      const byId = new Map(consumed[target].map((message) => [message.value.event_id as string, message]));
      const dropped = (id: string) => (byId.get(id)!.value.payload as { dropped_events: number }).dropped_events;
      // In Kafka order, per topic, dropped_events never decreases.
      for (const name of [topic, comprehensiveTopic]) {
        const counts = consumed[target]
          .filter((message) => message.topic === name)
          .sort((a, b) => a.offset - b.offset)
          .map((message) => (message.value.payload as { dropped_events: number }).dropped_events);
        expect(counts.length).toBeGreaterThan(0);
        const decreases = counts.filter((count, index) => index > 0 && count < counts[index - 1]!);
        expect(decreases, `${name}: dropped_events went down`).toEqual([]);
        // The last events (stop's flush) report every drop.
        expect(counts.at(-1)).toBe(report.publisher.dropped);
      }
      // The first event delivered after the outage was the oldest in the outbox when
      // it was handed to the transport: at most CAPACITY - 1 events were queued after
      // it, each dropping one, and each failed retry of a full outbox dropped one
      // more. So it reports all but those drops.
      const recovery = report.transport.recoveries.find((r) => r.at >= timeline.down_at!)!;
      expect(recovery.dropped_at_start, 'the outage overflowed the outbox').toBeGreaterThan(
        CAPACITY + recovery.failures,
      );
      const firstAfter = dropped(delivered[target][recovery.index]!);
      expect(firstAfter).toBeGreaterThanOrEqual(recovery.dropped_at_start - CAPACITY - recovery.failures);
      expect(firstAfter).toBeLessThanOrEqual(recovery.dropped_at_start);
      expect(firstAfter).toBeGreaterThan(0);
    });

    it('freeze: keeps serving while sends hang, resumes after the thaw, and stop() returns within its timeout', () => {
      const report = freeze.reports[target];
      expectServed(report, freeze.exitCodes[target], freeze.controlGapSeconds);
      expectServedThroughout(report, timeline.frozen_at!, report.finish_at);
      expect(report.transport.failures).toBeGreaterThan(0);
      const resumed = report.transport.recoveries.find((r) => r.at >= timeline.thawed_at!);
      expect(
        resumed,
        `no delivery after the thaw: ${JSON.stringify({ timeline, transport: report.transport })}`,
      ).toBeDefined();
      expect(resumed!.at - timeline.thawed_at!).toBeLessThan(RESUME_BOUND_MS);
      // The client library gives up on a hung send too (no send held for ever).
      expect(report.transport.longest_attempt_seconds).toBeLessThan(20);
      expect(report.stop_seconds).toBeLessThanOrEqual(STOP_TIMEOUT_S + STOP_SLACK_S + freeze.controlGapSeconds);
      // Nothing (no socket to the hung broker, no timer) keeps the process alive long.
      expect(freeze.exitAfterReportMs[target]).toBeLessThan(10_000);
    });

    it('crash: stop() with the broker down returns within its timeout, and the process exits', () => {
      const report = crash.reports[target];
      expectServed(report, crash.exitCodes[target], crash.controlGapSeconds);
      expectServedThroughout(report, timeline.killed_at!, report.finish_at);
      expect(report.stop_seconds).toBeLessThanOrEqual(STOP_TIMEOUT_S + STOP_SLACK_S + crash.controlGapSeconds);
      expect(crash.exitAfterReportMs[target]).toBeLessThan(5_000);
    });

    it('logs a dead broker boundedly (a few lines, not one per reconnect attempt)', () => {
      for (const p of [restart, freeze, crash]) {
        const stderr = p.stderr[target];
        expect(stderr.match(/metrics: sending failed, retrying/g)?.length ?? 0).toBeLessThanOrEqual(1);
        if (target === 'python') {
          const lines = p.reports[target].log_lines!;
          const library = Object.entries(lines).filter(([name]) => name.startsWith('aiokafka'));
          const total = library.reduce((sum, [, n]) => sum + n, 0);
          expect(total, JSON.stringify(lines)).toBeLessThanOrEqual(12);
        }
        expect(stderr.split('\n').length, stderr.slice(0, 4000)).toBeLessThan(200);
      }
    });
  });
});
