/**
 * The part of a generated TypeScript `metrics/` package the fault drivers use, typed
 * here because they import the package at run time from a temporary directory.
 */
export interface Transport {
  send(topic: string, key: Buffer | null, value: Buffer): Promise<void>;
  close?(): Promise<void>;
}

export interface Publisher {
  readonly outboxDepth: number;
  readonly dropped: number;
  readonly queued: number;
  readonly sent: number;
}

export interface Tracker {
  readonly publisher: Publisher;
  wrap<Args extends unknown[], R>(operation: string, fn: (...args: Args) => R): (...args: Args) => R;
  statistics(operation: string): Record<string, number>;
  recordOperation(operation: string, durationMs: number, success: boolean): void;
  publishAll(): void;
  publishOperation(operation: string): void;
  start(): void;
  stop(timeoutMs?: number): Promise<void>;
}

export interface MetricsModule {
  MetricsTracker: new (options: { transport: Transport }) => Tracker;
  KafkaTransport: new (bootstrapServers: string) => Transport;
  MemoryTransport: new () => Transport & { messages: [string, Buffer | null, Buffer][] };
  OPERATIONS: readonly string[];
}
