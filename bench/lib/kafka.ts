/**
 * The benchmark's own Kafka broker (scripts/kafka), on ports of its own and a
 * state directory of its own: never the shared test broker on 19092.
 */
import { createServer } from 'node:net';
import path from 'node:path';
import { REPO, runProcess } from './process.js';

const SCRIPT = path.join(REPO, 'scripts', 'kafka');

export class Broker {
  readonly env: Record<string, string>;

  constructor(
    stateDir: string,
    readonly port = Number(process.env.BENCH_KAFKA_PORT ?? 19292),
    controllerPort = Number(process.env.BENCH_KAFKA_CONTROLLER_PORT ?? port + 1),
  ) {
    this.env = { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_STATE_DIR: stateDir };
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts it (installing the jars on first use) and waits until it serves. */
  async start(): Promise<void> {
    const result = await runProcess(SCRIPT, ['start'], { env: this.env, timeout: 600_000 });
    if (result.code !== 0)
      throw new Error(`scripts/kafka start failed (exit ${result.code}):\n${result.stderr.slice(-2000)}`);
  }

  async stop(): Promise<void> {
    const result = await runProcess(SCRIPT, ['stop'], { env: this.env, timeout: 90_000 });
    if (result.code !== 0)
      throw new Error(`scripts/kafka stop failed (exit ${result.code}):\n${result.stderr.slice(-2000)}`);
  }
}

/** A bootstrap address on 127.0.0.1 where nothing listens (a port just released). */
export function deadAddress(): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
}
