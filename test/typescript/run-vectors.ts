/**
 * Runs the shared test vectors through a generated TypeScript package; prints JSON.
 * Copied into a temporary project beside its `metrics/` by test/vectors.test.ts,
 * which compares the output with the expectations and with the Python package's.
 */
import { readFileSync } from "node:fs";
import { KAFKA_TOPIC } from "./metrics/config.js";
import {
  MemoryTransport,
  MetricsTracker,
  OPERATIONS,
  type Operation,
} from "./metrics/index.js";

interface Call {
  operation: Operation;
  duration_ms: number;
  success: boolean;
  error_type?: string;
  details?: string;
}

async function run(
  calls: Call[],
): Promise<Record<string, Record<string, unknown>>> {
  const transport = new MemoryTransport();
  const tracker = new MetricsTracker({ transport });
  for (const call of calls) {
    tracker.recordOperation(
      call.operation,
      call.duration_ms,
      call.success,
      call.details,
      call.error_type,
    );
  }
  const result: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    result[operation] = { statistics: tracker.statistics(operation) };
    tracker.publishOperation(operation);
  }
  await tracker.stop();
  for (const event of transport.events(KAFKA_TOPIC)) {
    const entry = result[event.payload.operation as string]!;
    entry.event ??= event;
    const lastError = event.payload.last_error as {
      type: string;
      details: string;
    } | null;
    entry.last_error = lastError
      ? { type: lastError.type, details: lastError.details }
      : null;
  }
  return result;
}

const { vectors } = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as {
  vectors: { name: string; calls: Call[] }[];
};
const output: Record<string, unknown> = {};
for (const vector of vectors) output[vector.name] = await run(vector.calls);
console.log(JSON.stringify(output));
