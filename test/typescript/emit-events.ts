/**
 * Prints the events a generated TypeScript package publishes, one JSON event a line:
 * every operation called (one call in three failing) and published every 10 calls,
 * then the final events and snapshot of `stop()`. Copied into a temporary project
 * beside its `metrics/` by test/onex.test.ts, which validates the events with
 * omnibase-core's ModelEventEnvelope.
 */
import {
  MemoryTransport,
  MetricsTracker,
  OPERATIONS,
} from "./metrics/index.js";

const transport = new MemoryTransport();
const tracker = new MetricsTracker({ transport });
for (const operation of OPERATIONS) {
  const work = tracker.wrap(operation, async (i: number) => {
    await new Promise((resolve) => setImmediate(resolve));
    if (i % 3 === 0) throw new RangeError(`item ${i} is out of range`);
    return i;
  });
  for (let i = 1; i <= 25; i += 1) {
    await work(i).catch(() => undefined);
    if (i % 10 === 0) tracker.publishOperation(operation);
  }
}
await tracker.stop();
for (const [, , value] of transport.messages)
  console.log(value.toString("utf8"));
