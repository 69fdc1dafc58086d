/**
 * Generates the packages the benchmarks run, fresh from the current templates,
 * through the real bin (`onex-metrics --answers`), into a temporary directory.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, REPO, runProcess } from './process.js';

export type Language = 'python' | 'typescript';

/** The answers every benchmark package shares; everything else is a default. */
export const BASE_ANSWERS = { serviceName: 'bench_node', operations: ['op_a', 'op_b', 'op_c'] };

/** Package key -> what differs from the defaults. */
export const VARIANTS: Record<string, Record<string, unknown>> = {
  // An event every publishIntervalOps calls, no minimum interval: what events cost.
  default: { minPublishIntervalSeconds: 0 },
  /** The all-in rows: the defaults as shipped (an event at most once a second). */
  allin: {},
  /** Never publishes within a run: the "idle" latency baseline. */
  idle: { publishIntervalOps: 1_000_000, publishIntervalSeconds: 86_400 },
  w100: { maxDurationSamples: 100, minPublishIntervalSeconds: 0 },
  w10000: { maxDurationSamples: 10_000, minPublishIntervalSeconds: 0 },
  i10: { publishIntervalOps: 10, minPublishIntervalSeconds: 0 },
  i1000: { publishIntervalOps: 1000, minPublishIntervalSeconds: 0 },
  /** The Python latency benchmark: the envelope whose package has its own aiokafka producer. */
  bridge: { envelope: 'omninode-bridge', minPublishIntervalSeconds: 0 },
  bridge_idle: { envelope: 'omninode-bridge', publishIntervalOps: 1_000_000, publishIntervalSeconds: 86_400 },
  /** The handler rows: a package timing the handlers its contract routes. */
  handlers: { trackHandlers: true },
  /** The memory benchmark: 10 operations. */
  ops10: { operations: Array.from({ length: 10 }, (_, i) => `op_${i}`), minPublishIntervalSeconds: 0 },
};

export type Packages = Record<Language, Record<string, string>>;

/** Writes an answers file for `language`/`key` under `root` and returns its path. */
export function answersFile(root: string, language: Language, key: string): string {
  const file = path.join(root, 'answers', `${language}-${key}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  const answers = { ...BASE_ANSWERS, ...VARIANTS[key], language, targetDir: path.join(language, key) };
  writeFileSync(file, JSON.stringify(answers, null, 2));
  return file;
}

/**
 * Generates every variant for both languages under `root`. TypeScript packages
 * sit in an ESM project whose node_modules is this repository's (prom-client,
 * @platformatic/kafka, tsx resolve from there).
 */
export async function generateAll(root: string, { parallel = 2 } = {}): Promise<Packages> {
  const project = path.join(root, 'typescript');
  mkdirSync(project, { recursive: true });
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'bench-service', private: true, type: 'module' }),
  );
  symlinkSync(path.join(REPO, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  mkdirSync(path.join(root, 'python'), { recursive: true });

  const packages: Packages = { python: {}, typescript: {} };
  const jobs = (['python', 'typescript'] as const).flatMap((language) =>
    Object.keys(VARIANTS).map((key) => ({ language, key })),
  );
  const next = async (): Promise<void> => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const answers = answersFile(root, job.language, job.key);
      const result = await runProcess(process.execPath, [BIN, '--answers', answers, '--dest', root], {
        timeout: 60_000,
      });
      if (result.code !== 0) {
        throw new Error(`generating ${job.language}/${job.key} failed (exit ${result.code}):\n${result.stderr}`);
      }
      packages[job.language][job.key] = path.join(root, job.language, job.key);
    }
  };
  await Promise.all(Array.from({ length: parallel }, next));
  return packages;
}
