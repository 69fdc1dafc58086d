/** The broker started by the global setup (scripts/kafka). */
import { REPO, run } from './helpers.js';

export function kafkaBootstrap(): string {
  const fromSetup = process.env.ONEX_METRICS_KAFKA;
  if (fromSetup) return fromSetup;
  const status = run(`${REPO}/scripts/kafka`, ['status'], { cwd: REPO });
  if (status.code !== 0) throw new Error(`Kafka is not running: start it with scripts/kafka start\n${status.stderr}`);
  return status.stdout.trim().split('\n').at(-1)!;
}
