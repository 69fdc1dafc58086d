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
  const started = performance.now();
  await tracker.stop(timeoutMs);
  const stopMs = performance.now() - started;
  const afterStop = counters(tracker.publisher);
  transport.settle(ok);
  await sleep(50);
  return { timeoutMs, settledOk: ok, attempts: transport.attempts, stopMs, afterStop, afterSettle: counters(tracker.publisher) };
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

console.log(
  JSON.stringify({
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
