/**
 * Before any test: build the package (tests run the built bin and plopfile), make the
 * Python venvs (the tools', and the real ONEX packages'), start the Kafka broker. All
 * are idempotent and fast when done.
 */
import { REPO, run } from './helpers.js';

function step(what: string, command: string, args: string[]): string {
  const result = run(command, args, { cwd: REPO, timeout: 900_000 });
  if (result.code !== 0) {
    throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout.trim().split('\n').at(-1) ?? '';
}

export default function setup(): () => void {
  step('building the package', 'npm', ['run', '--silent', 'build']);
  step('setting up the Python venv', `${REPO}/scripts/python-env`, []);
  process.env.ONEX_METRICS_ONEX_VENV = step('setting up the venv of the ONEX packages', `${REPO}/scripts/onex-env`, []);
  const wasRunning = run(`${REPO}/scripts/kafka`, ['status'], { cwd: REPO }).code === 0;
  const bootstrap = step('starting Kafka', `${REPO}/scripts/kafka`, ['start']);
  process.env.ONEX_METRICS_KAFKA = bootstrap;
  return () => {
    if (!wasRunning) run(`${REPO}/scripts/kafka`, ['stop'], { cwd: REPO });
  };
}
