/**
 * The `onex-metrics` bin.
 *
 *   onex-metrics                                   interactive, the plop prompts
 *   onex-metrics --answers FILE [--dest DIR] [--dry-run] [--force]
 *
 * Exit codes: 0 done (dry run included), 1 refused or failed, 2 invalid answers or usage.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateMetrics } from '../generators/metrics/generate.js';
import { InvalidAnswersError } from '../generators/metrics/schema.js';
import { readAnswersFile } from './answers-file.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './package-info.js';
import { describePlan, WriteRefusedError } from './tree.js';

const USAGE = `Usage:
  onex-metrics                       answer the prompts (interactive)
  onex-metrics --answers FILE        generate from a .json/.yaml answers file
      [--dest DIR]                   directory targetDir is relative to (default: .)
      [--dry-run]                    list create/update/unchanged/conflict, write nothing
      [--force]                      overwrite files edited since they were generated

A recorded <targetDir>/.onex-metrics.yaml is an answers file: rerun it to regenerate.
Exit codes: 0 done, 1 refused or failed (conflict, I/O), 2 invalid answers or usage.`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  cwd: string;
}

interface CliOptions {
  answers?: string;
  dest?: string;
  'dry-run'?: boolean;
  force?: boolean;
  help?: boolean;
  version?: boolean;
}

function parseCli(argv: readonly string[]): CliOptions | string {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        answers: { type: 'string', short: 'a' },
        dest: { type: 'string', short: 'd' },
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean', short: 'f' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Text made safe for a terminal: control characters other than tab and newline are shown
 * as escapes. Messages quote answers and files (a JSON syntax error quotes the input),
 * and an answer must not be able to move the cursor, recolour or clear the screen.
 */
export function printable(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Runs the CLI without prompts; returns the exit code. */
export function runCli(argv: readonly string[], terminal: Io): number {
  const io: Io = {
    out: (line) => terminal.out(printable(line)),
    err: (line) => terminal.err(printable(line)),
    cwd: terminal.cwd,
  };
  const options = parseCli(argv);
  if (typeof options === 'string') {
    io.err(`onex-metrics: ${options}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (options.help) {
    io.out(USAGE);
    return EXIT_OK;
  }
  if (options.version) {
    io.out(`${PACKAGE_NAME} ${PACKAGE_VERSION}`);
    return EXIT_OK;
  }
  if (options.answers === undefined) {
    io.err(`onex-metrics: --answers FILE is required without a terminal\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  const destRoot = path.resolve(io.cwd, options.dest ?? '.');
  const answersFile = path.resolve(io.cwd, options.answers);
  try {
    const raw = readAnswersFile(answersFile);
    const { plan, written } = generateMetrics(raw, {
      destRoot,
      dryRun: options['dry-run'] ?? false,
      force: options.force ?? false,
      source: path.relative(io.cwd, answersFile) || answersFile,
    });
    io.out(describePlan(plan, { force: options.force ?? false }));
    io.out(written ? 'Done.' : 'Dry run: nothing was written.');
    return EXIT_OK;
  } catch (error) {
    if (error instanceof InvalidAnswersError) {
      io.err(`onex-metrics: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof WriteRefusedError) {
      io.err(`onex-metrics: ${error.message}`);
      return EXIT_FAILED;
    }
    io.err(`onex-metrics: unexpected failure: ${(error as Error).stack ?? String(error)}`);
    return EXIT_FAILED;
  }
}

/** Interactive mode: plop's own CLI running this package's plopfile. */
async function runInteractive(dest: string): Promise<void> {
  const { Plop, run } = await import('plop');
  const plopfile = fileURLToPath(new URL('./index.js', import.meta.url));
  Plop.prepare({ cwd: process.cwd(), configPath: plopfile, preload: [] }, (env) =>
    Plop.execute(env, (liftoffEnv) => run({ ...liftoffEnv, dest } as typeof liftoffEnv, undefined, false)),
  );
}

export async function main(argv: readonly string[]): Promise<void> {
  const options = parseCli(argv);
  const wantsPrompts =
    typeof options !== 'string' && options.answers === undefined && !options.help && !options.version;
  if (wantsPrompts && process.stdin.isTTY) {
    // plop reads --force itself; the action reads these for the rest.
    if (options['dry-run']) process.env.ONEX_METRICS_DRY_RUN = '1';
    if (options.force) process.env.ONEX_METRICS_FORCE = '1';
    await runInteractive(path.resolve(options.dest ?? '.'));
    return;
  }
  process.exitCode = runCli(argv, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    cwd: process.cwd(),
  });
}
