/**
 * The `onex-metrics` bin.
 *
 *   onex-metrics                                   interactive, the plop prompts
 *   onex-metrics --answers FILE | --yes  [--dest DIR] [--dry-run | --check] [--diff] [--force] [--json]
 *   onex-metrics watch [--brokers LIST] [--topic T ...] [--prometheus HOST:PORT] …   the fleet, live
 *
 * Exit codes: 0 done, 1 refused, failed or not current (a dry run or check says so too),
 * 2 invalid answers or usage.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateMetrics, type GenerateResult } from './generators/metrics/generate.js';
import { nextSteps } from './generators/metrics/next-steps.js';
import { InvalidAnswersError } from './core/answers-error.js';
import { readAnswersFile } from './core/answers-file.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './core/exit-codes.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './core/package-info.js';
import { jsonChanges, keptEditsDir, planDiffs, type JsonReport, type RunStatus } from './core/plan-output.js';
import { ConflictError, type Plan } from './core/plan.js';
import { describePlan } from './core/plan-output.js';
import { KEPT_EDITS_DIR, WriteRefusedError } from './core/destination.js';
import { runWatch } from './watch/command.js';

const USAGE = `Usage:
  onex-metrics                       answer the prompts (interactive)
  onex-metrics --answers FILE        generate from a .json/.yaml answers file
  onex-metrics --yes                 generate with every default (contract.yaml gives name and operations)
  onex-metrics watch --help          see the fleet: merged percentiles, rates, errors (onex-metrics watch)
      [--dest DIR]                   directory targetDir is relative to (default: .)
      [--dry-run]                    list create/update/unchanged/conflict, write nothing
      [--check]                      exit 1 unless the files are what FILE (a record) generates; for CI
      [--diff]                       show each update and conflict as a unified diff
      [--force]                      replace files edited since they were generated
                                     (a copy of each is kept under <targetDir>/${KEPT_EDITS_DIR}/)
      [--json]                       print the plan and outcome as one JSON object

A recorded <targetDir>/.onex-metrics.yaml is an answers file: rerun it to regenerate,
check it in CI with --check --answers <targetDir>/.onex-metrics.yaml.
Exit codes: 0 done, 1 refused, failed or not current, 2 invalid answers or usage.`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  cwd: string;
}

interface CliOptions {
  answers?: string;
  yes?: boolean;
  dest?: string;
  'dry-run'?: boolean;
  check?: boolean;
  diff?: boolean;
  force?: boolean;
  json?: boolean;
  help?: boolean;
  version?: boolean;
}

function parseCli(argv: readonly string[]): CliOptions | string {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        answers: { type: 'string', short: 'a' },
        yes: { type: 'boolean', short: 'y' },
        dest: { type: 'string', short: 'd' },
        'dry-run': { type: 'boolean' },
        check: { type: 'boolean' },
        diff: { type: 'boolean' },
        force: { type: 'boolean', short: 'f' },
        json: { type: 'boolean' },
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

/** Flags that cannot go together, as a usage message. */
function conflictingFlags(options: CliOptions): string | undefined {
  if (options.check && (options['dry-run'] || options.force)) {
    return '--check only compares; drop --dry-run and --force';
  }
  if (options.check && options.answers === undefined) {
    return '--check needs --answers <targetDir>/.onex-metrics.yaml, the record of the run to check';
  }
  return undefined;
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
  const usage = typeof options === 'string' ? options : conflictingFlags(options);
  if (usage !== undefined) {
    io.err(`onex-metrics: ${usage}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const flags = options as CliOptions;
  if (flags.help) {
    io.out(USAGE);
    return EXIT_OK;
  }
  if (flags.version) {
    io.out(`${PACKAGE_NAME} ${PACKAGE_VERSION}`);
    return EXIT_OK;
  }
  if (flags.answers === undefined && !flags.yes) {
    io.err(`onex-metrics: without a terminal, give --answers FILE, or --yes for the defaults\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  return new Run(flags, io).execute();
}

/** One run of the bin: generate (or plan), then say what happened as text or JSON. */
class Run {
  readonly #options: CliOptions;
  readonly #io: Io;
  readonly #force: boolean;
  readonly #dryRun: boolean;

  constructor(options: CliOptions, io: Io) {
    this.#options = options;
    this.#io = io;
    this.#force = options.force ?? false;
    this.#dryRun = (options['dry-run'] ?? false) || (options.check ?? false);
  }

  execute(): number {
    const { answers } = this.#options;
    const destRoot = path.resolve(this.#io.cwd, this.#options.dest ?? '.');
    const answersFile = answers === undefined ? undefined : path.resolve(this.#io.cwd, answers);
    const source = answersFile === undefined ? undefined : path.relative(this.#io.cwd, answersFile) || answersFile;
    try {
      const raw = answersFile === undefined ? {} : readAnswersFile(answersFile);
      const result = generateMetrics(raw, {
        destRoot,
        dryRun: this.#dryRun,
        force: this.#force,
        ...(source !== undefined ? { source } : {}),
      });
      if (this.#options.check) return this.#checked(result.plan, source ?? '');
      return result.written ? this.#written(result) : this.#planned(result);
    } catch (error) {
      return this.#failed(error);
    }
  }

  #written({ plan, rendered }: GenerateResult): number {
    const steps = nextSteps(rendered.answers);
    if (this.#options.json) {
      return this.#report({
        status: 'written',
        exitCode: EXIT_OK,
        answers: rendered.answers,
        changes: this.#changes(plan),
        nextSteps: steps,
      });
    }
    this.#io.out(describePlan(plan, { force: this.#force }));
    this.#diffs(plan);
    const kept = keptEditsDir(plan);
    if (kept) this.#io.out(`Your edited files are kept under ${kept}/ (compare, then delete the folder).`);
    this.#io.out(`Done.\n\n${steps}`);
    return EXIT_OK;
  }

  /** A dry run: exit 1 when the real run would be refused. */
  #planned({ plan, rendered }: GenerateResult): number {
    const conflicts = this.#force ? 0 : plan.changes.filter((change) => change.kind === 'conflict').length;
    const exitCode = conflicts > 0 ? EXIT_FAILED : EXIT_OK;
    const refusal =
      `Dry run: nothing was written, and the real run would be refused: ${conflicts} file(s) changed since they were ` +
      'generated (see conflict above); rerun with --force to replace them, each kept as a copy first.';
    if (this.#options.json) {
      return this.#report({
        status: 'dry-run',
        exitCode,
        ...(conflicts > 0 ? { error: refusal } : {}),
        answers: rendered.answers,
        changes: this.#changes(plan),
      });
    }
    this.#io.out(describePlan(plan, { force: this.#force }));
    this.#diffs(plan);
    if (conflicts > 0) this.#io.err(`onex-metrics: ${refusal}`);
    else this.#io.out('Dry run: nothing was written.');
    return exitCode;
  }

  /** --check: exit 1 unless every generated file is what the answers produce. */
  #checked(plan: Plan, source: string): number {
    const stale = plan.changes.filter((change) => change.kind !== 'unchanged');
    const status: RunStatus = stale.length === 0 ? 'current' : 'stale';
    const exitCode = stale.length === 0 ? EXIT_OK : EXIT_FAILED;
    const message =
      `${stale.length} generated file(s) differ from what ${source} produces. ` +
      `Regenerate with: npx onex-metrics --answers ${source}` +
      (stale.some((change) => change.kind === 'conflict') ? ' --force (edited files are kept as copies)' : '');
    if (this.#options.json) {
      return this.#report({
        status,
        exitCode,
        ...(stale.length > 0 ? { error: message } : {}),
        changes: this.#changes(plan),
      });
    }
    if (stale.length === 0) {
      this.#io.out(`Up to date: the ${plan.changes.length} generated files are what ${source} produces.`);
      return exitCode;
    }
    this.#io.out(describePlan({ ...plan, changes: stale }));
    this.#diffs(plan);
    this.#io.err(`onex-metrics: ${message}`);
    return exitCode;
  }

  #failed(error: unknown): number {
    if (error instanceof InvalidAnswersError) {
      if (this.#options.json) {
        return this.#report({ status: 'invalid', exitCode: EXIT_USAGE, error: error.message, issues: error.issues });
      }
      this.#io.err(`onex-metrics: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof WriteRefusedError) {
      const conflicts = error instanceof ConflictError ? { destRoot: '', changes: [...error.conflicts] } : undefined;
      if (this.#options.json) {
        return this.#report({
          status: 'refused',
          exitCode: EXIT_FAILED,
          error: error.message,
          ...(conflicts ? { changes: this.#changes(conflicts) } : {}),
        });
      }
      if (conflicts) this.#diffs(conflicts);
      const hint = conflicts && !this.#options.diff ? '\n--diff shows what differs.' : '';
      this.#io.err(`onex-metrics: ${error.message}${hint}`);
      return EXIT_FAILED;
    }
    const message = `unexpected failure: ${(error as Error).stack ?? String(error)}`;
    if (this.#options.json) return this.#report({ status: 'failed', exitCode: EXIT_FAILED, error: message });
    this.#io.err(`onex-metrics: ${message}`);
    return EXIT_FAILED;
  }

  #changes(plan: Plan) {
    return jsonChanges(plan, { diffs: this.#options.diff ?? false });
  }

  #diffs(plan: Plan): void {
    if (!this.#options.diff) return;
    const diffs = planDiffs(plan);
    if (diffs) this.#io.out(diffs.trimEnd());
  }

  #report(report: JsonReport): number {
    this.#io.out(JSON.stringify(report, null, 2));
    return report.exitCode;
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
  // `onex-metrics … | head`: a reader that leaves early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  if (argv[0] === 'watch') {
    process.exitCode = await runWatch(argv.slice(1), {
      out: (text) => process.stdout.write(text),
      err: (line) => process.stderr.write(`${line}\n`),
      isTTY: process.stdout.isTTY === true,
    });
    return;
  }
  const options = parseCli(argv);
  const wantsPrompts =
    typeof options !== 'string' && options.answers === undefined && !options.yes && !options.help && !options.version;
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
