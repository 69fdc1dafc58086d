/**
 * One instance of a service for test/watch.test.ts: records the calls it is given
 * (`[[operation, duration_ms, success], ...]` on stdin) through a generated TypeScript
 * package and prints the events it publishes, one a line. Copied beside `metrics/`.
 */
import { readFileSync } from "node:fs";
import { MemoryTransport, MetricsTracker } from "./metrics/index.js";

const calls = JSON.parse(readFileSync(0, "utf8")) as [
  string,
  number,
  boolean,
][];
const transport = new MemoryTransport();
const tracker = new MetricsTracker({
  transport,
  source: { instance: process.argv[2]! },
});
for (const [operation, duration, success] of calls) {
  tracker.recordOperation(operation as never, duration, success);
}
await tracker.stop();
for (const [, , value] of transport.messages) {
  console.log(value.toString("utf8"));
}
