/**
 * Regression checks of the TypeScript publisher and transport fixes found by the
 * fault tests, run against a generated package (test/faults/publisher-units.test.ts).
 *
 *   tsx publisher-units.ts --service-dir DIR
 *
 * Prints one JSON object of measurements; the test asserts on them. No broker: a
 * TCP server that accepts connections and never answers stands for a hung one.
 */
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { MetricsModule, Publisher, Transport } from './generated-package.js';

const { values: args } = parseArgs({ options: { 'service-dir': { type: 'string' } } });
const serviceDir = args['service-dir'];
if (!serviceDir) throw new Error('--service-dir is required');
const metrics = (await import(pathToFileURL(path.resolve(serviceDir, 'metrics/index.js')).href)) as MetricsModule;
const FIRST = metrics.OPERATIONS[0]!;

const unhandled: string[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(String(reason)));

/** A send that hangs until settled by hand; close hangs for ever. */
class HandTransport implements Transport {
  attempts = 0;
  settle: (ok: boolean) => void = () => {};

  send(): Promise<void> {
    this.attempts += 1;
    return new Promise((resolve, reject) => {
      this.settle = (ok) => (ok ? resolve() : reject(new Error('settled by hand')));
    });
  }

  close(): Promise<void> {
    return new Promise(() => {});
  }
}

const counters = (p: Publisher) => ({ outbox: p.outboxDepth, queued: p.queued, sent: p.sent, dropped: p.dropped });

/** stop(timeout) while a send hangs; then the send settles (`ok`) after stop. */
async function stopWhileSendHangs(timeoutMs: number, ok: boolean) {
  const transport = new HandTransport();
  const tracker = new metrics.MetricsTracker({ transport });
  tracker.recordOperation(FIRST, 1, true);
  tracker.publishAll();
  await sleep(10);
  // How late a plain timer of the same length fires on this machine now.
  let started = performance.now();
  await sleep(timeoutMs);
  const latenessMs = performance.now() - started - timeoutMs;
  started = performance.now();
  await tracker.stop(timeoutMs);
  const stopMs = performance.now() - started;
  const afterStop = counters(tracker.publisher);
  transport.settle(ok);
  await sleep(50);
  return {
    timeoutMs,
    settledOk: ok,
    attempts: transport.attempts,
    stopMs,
    latenessMs,
    afterStop,
    afterSettle: counters(tracker.publisher),
  };
}

/** KafkaTransport.send against a server that never answers: how long until it rejects. */
async function kafkaSendToHungBroker() {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const transport = new metrics.KafkaTransport(`127.0.0.1:${port}`);
  const started = performance.now();
  let outcome = 'resolved';
  await transport.send('topic', null, Buffer.from('{}')).catch((error: unknown) => {
    outcome = `rejected: ${error instanceof Error ? error.message : String(error)}`;
  });
  const sendMs = performance.now() - started;
  await transport.close?.();
  for (const socket of sockets) socket.destroy();
  server.close();
  return { sendMs, outcome };
}

/** After stop() gave up on a hung send, start() again: events flow once it settles. */
async function restartAfterAbandonedSend() {
  let hang = true;
  const memory = new metrics.MemoryTransport();
  let release: () => void = () => {};
  const transport: Transport = {
    send: (topic, key, value) =>
      hang
        ? new Promise<void>((_, reject) => {
            release = () => reject(new Error('released'));
          })
        : memory.send(topic, key, value),
  };
  const tracker = new metrics.MetricsTracker({ transport });
  tracker.publishAll();
  await sleep(10);
  await tracker.stop(50);
  hang = false;
  tracker.start();
  tracker.recordOperation(FIRST, 1, true);
  tracker.publishAll();
  release();
  await sleep(100);
  const delivered = memory.messages.length;
  await tracker.stop(1000);
  return { delivered, ...counters(tracker.publisher) };
}

/**
 * The race of the broker restart, made deterministic: stop() builds the final
 * snapshot while the outbox is full and an event is out for sending; that send
 * then fails and the event goes back. The snapshot must report every drop.
 */
async function finalSnapshotWhileSendInFlightFails() {
  const memory = new metrics.MemoryTransport();
  const hand = new HandTransport();
  let first = true;
  const transport: Transport = {
    send: (topic, key, value) => {
      if (first) {
        first = false;
        return hand.send();
      }
      return memory.send(topic, key, value);
    },
  };
  const tracker = new metrics.MetricsTracker({ transport });
  tracker.recordOperation(FIRST, 1, true);
  // One event out for sending, then the outbox full (1000 places, that one's kept).
  for (let i = 0; i < 1000; i += 1) tracker.publishOperation(FIRST);
  const stopping = tracker.stop(5000);
  const droppedAtStop = tracker.publisher.dropped;
  hand.settle(false);
  await stopping;
  const reported = memory.messages.map(
    ([, , value]) =>
      (JSON.parse(value.toString('utf8')) as { payload: { dropped_events: number } }).payload.dropped_events,
  );
  return { droppedAtStop, lastReported: reported.at(-1), delivered: reported.length, ...counters(tracker.publisher) };
}

console.log(
  JSON.stringify({
    finalSnapshotWhileSendInFlightFails: await finalSnapshotWhileSendInFlightFails(),
    stopWhileSendHangs: [
      await stopWhileSendHangs(0, false),
      await stopWhileSendHangs(300, false),
      await stopWhileSendHangs(300, true),
    ],
    kafkaSendToHungBroker: await kafkaSendToHungBroker(),
    restartAfterAbandonedSend: await restartAfterAbandonedSend(),
    unhandled,
  }),
);
