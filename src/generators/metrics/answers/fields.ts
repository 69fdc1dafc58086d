/**
 * The answers of the `metrics` generator, one entry each in `FIELDS`: how it is
 * validated (from a file or code, and typed on plop's command line), its default, its
 * prompt and its documentation. The schema, the prompts, the bypass, the record's key
 * order and the README's table of answers all come from here.
 */
import path from 'node:path';
import { z, type ZodType } from 'zod';

/** Target languages: each has a folder under `targets/` (see `languages.ts`). */
export const LANGUAGES = ['python', 'typescript'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The event envelope the generated code publishes: `onex`, the `ModelEventEnvelope` of
 * today's omnibase-core on the node's event bus; `omninode-bridge`, the `OnexEnvelopeV1`
 * of the older omninode_bridge nodes, through their `kafka_client`.
 */
export const ENVELOPES = ['onex', 'omninode-bridge'] as const;
export type Envelope = (typeof ENVELOPES)[number];

export const DEFAULT_PERCENTILES: readonly number[] = [50, 95, 99];
/** The snapshot topic of `omninode-bridge` is the operation topic with this suffix. */
export const COMPREHENSIVE_SUFFIX = '.comprehensive';
const MAX_TOPIC_LENGTH = 249;

// ---------------------------------------------------------------- coercions
// Plop bypass and hand-written YAML give numbers and lists as strings; yes/no only plop's bypass.

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

function numberLike(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
}

function booleanLike(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (['true', 'yes', 'y'].includes(word)) return true;
  if (['false', 'no', 'n'].includes(word)) return false;
  return value;
}

/** `"a, b"` → `['a', 'b']`; `""` → `[]`: a list typed on one line. */
export function splitList(value: unknown): string[] {
  if (typeof value !== 'string' || value.trim() === '') return [];
  return value.split(',').map((item) => item.trim());
}

function listLike(value: unknown): unknown {
  return typeof value === 'string' ? splitList(value) : value;
}

/** A check naming each repeated item of a list (`operations[2]: "a" is listed twice`). */
function noDuplicates<T>(show: (item: T) => string) {
  return (items: readonly T[], ctx: z.RefinementCtx) => {
    items.forEach((item, index) => {
      if (items.indexOf(item) !== index) {
        ctx.addIssue({ code: 'custom', path: [index], message: `${show(item)} is listed twice: remove the duplicate` });
      }
    });
  };
}

// ---------------------------------------------------------------- fields

/** snake_case, or dotted as ONEX writes them (`gateway.attach`). */
const OPERATION = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;
const MAX_OPERATION_LENGTH = 64;
/** A UTF-16 half without its other half: not a character, and no file name can hold it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** NAME_MAX of Linux and macOS file systems, in bytes. */
const MAX_NAME_BYTES = 255;
/** Room for `--dest` and the generated paths within PATH_MAX (4096). */
const MAX_TARGET_DIR_BYTES = 1024;
const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,99}$/;
const SERVICE_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
/** omnibase_infra `util_onex_topic_format`: `onex.<kind>.<producer>.<event-name>.v<N>`. */
export const ONEX_TOPIC = /^onex\.(evt|cmd|intent|dlq)\.[a-z0-9-]+\.[a-z0-9._-]+\.v[1-9]\d*$/;

export const languageField = z.enum(LANGUAGES, {
  error: () => `must be one of ${LANGUAGES.join(', ')}`,
});

/** The tests generated beside the package. */
export const TEST_SUITES = ['full', 'smoke', 'none'] as const;
export type TestSuite = (typeof TEST_SUITES)[number];

export const testsField = z.enum(TEST_SUITES, {
  error: () =>
    `must be one of ${TEST_SUITES.join(', ')} (full: the package's own suite on pytest or vitest; smoke: a few checks on the standard library alone; none)`,
});

export const envelopeField = z.enum(ENVELOPES, {
  error: () =>
    `must be one of ${ENVELOPES.join(', ')} (onex: today's ModelEventEnvelope; omninode-bridge: the older OnexEnvelopeV1)`,
});

export const targetDirField = z
  .string({ error: 'must be a path relative to the destination directory (--dest)' })
  .refine((dir) => !/[\u0000-\u001f\u007f]/.test(dir), 'must not contain control characters (NUL, newline, ...)')
  .refine((dir) => dir.trim() !== '', 'must not be empty: use "." for the destination itself')
  .refine(
    (dir) => !path.isAbsolute(dir) && !path.win32.isAbsolute(dir),
    'must be relative to the destination directory (--dest), not absolute',
  )
  .refine((dir) => {
    const normal = path.posix.normalize(dir.replaceAll('\\', '/'));
    return normal !== '..' && !normal.startsWith('../');
  }, 'must stay inside the destination directory (--dest; no ".." escape)')
  // Paths a file system cannot hold are answers errors, not I/O failures at write time.
  .refine((dir) => !LONE_SURROGATE.test(dir), 'must be valid Unicode (it holds half of a surrogate pair)')
  .refine(
    (dir) =>
      normalizeTargetDir(dir)
        .split('/')
        .every((name) => Buffer.byteLength(name) <= MAX_NAME_BYTES),
    `must not hold a directory name longer than ${MAX_NAME_BYTES} bytes (UTF-8), the limit of file systems`,
  )
  .refine(
    (dir) => Buffer.byteLength(normalizeTargetDir(dir)) <= MAX_TARGET_DIR_BYTES,
    `must be at most ${MAX_TARGET_DIR_BYTES} bytes long (UTF-8)`,
  );

export const serviceNameField = z
  .string({ error: 'is required: a name like "store_effect_v1_0_0"' })
  .regex(SERVICE_NAME, 'must start with a letter and hold only letters, digits, ".", "_" or "-" (1-100 characters)');

/** The node's version, for the events' metadata; blank or null when it has none. */
export const serviceVersionField = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
  z
    .string({ error: 'must be a version string like "1.0.0", or empty for none' })
    .regex(SERVICE_VERSION, 'must be a version like "1.0.0": letters, digits, ".", "+", "_" or "-" (1-64 characters)')
    .nullable(),
);

export const operationNameField = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'is empty (a stray comma?): give a name or remove it', abort: true })
  .max(MAX_OPERATION_LENGTH, `must be at most ${MAX_OPERATION_LENGTH} characters`)
  .regex(
    OPERATION,
    'must be snake_case (lowercase letters, digits, "_", not starting with a digit), or such names joined by "." as in "gateway.attach"',
  );

export const operationsField = z.preprocess(
  listLike,
  z
    .array(operationNameField, { error: 'is required: a list of operation names, e.g. "persist_state, query_state"' })
    .min(1, 'needs at least one operation name')
    .max(100, 'allows at most 100 operations')
    .superRefine(noDuplicates((name) => `"${name}"`)),
);

function integerField(min: number, max: number) {
  return z.preprocess(
    numberLike,
    z
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max.toLocaleString('en-US')}`),
  );
}

export const publishIntervalOpsField = integerField(1, 1_000_000);
export const maxDurationSamplesField = integerField(1, 1_000_000);

export const publishIntervalSecondsField = z.preprocess(
  numberLike,
  z
    .number({ error: 'must be a number of seconds, 0 < s <= 86400' })
    .refine(Number.isFinite, 'must be a finite number of seconds')
    .refine((s) => s > 0, 'must be greater than 0')
    .refine((s) => s <= 86_400, 'must be at most 86400 (one day)'),
);

export const minPublishIntervalSecondsField = z.preprocess(
  numberLike,
  z
    .number({ error: 'must be a number of seconds, 0 <= s <= 86400 (0: no limit)' })
    .refine(Number.isFinite, 'must be a finite number of seconds')
    .refine((s) => s >= 0, 'must be 0 (no limit) or more')
    .refine((s) => s <= 86_400, 'must be at most 86400 (one day)'),
);

export const percentileValue = z.preprocess(
  numberLike,
  z
    .number({ error: 'must be a number, 0 < p <= 100' })
    .refine(Number.isFinite, 'must be a finite number')
    .refine((p) => p > 0 && p <= 100, 'must be greater than 0 and at most 100')
    .refine((p) => Math.abs(p * 1000 - Math.round(p * 1000)) < 1e-6, 'may have at most 3 decimals')
    // 1e-7 passes both checks above, but is 0 at 3 decimals (and `p1e-7` is no identifier).
    .refine((p) => Math.round(p * 1000) >= 1, 'must be at least 0.001 (percentiles have at most 3 decimals)')
    // 50.0000000001 passes the check above (binary fractions need a tolerance): from here on
    // it is 50, so keys (`p50`), ranks and duplicates all use the same 3-decimal value.
    .transform((p) => Math.round(p * 1000) / 1000),
);

export const percentilesField = z.preprocess(
  listLike,
  z
    .array(percentileValue, { error: 'must be a list of numbers, e.g. "50, 95, 99"' })
    .min(1, 'needs at least one percentile')
    .max(10, 'allows at most 10 percentiles')
    .superRefine(noDuplicates(String))
    // Ascending order gives one canonical record and payload key order.
    .transform((values) => [...values].sort((a, b) => a - b)),
);

/** What each yes/no answer turns on, for its error messages. */
export const YES_NO_ANSWERS = {
  enableResourceMetrics: 'resource metrics: memory, CPU, connections, queue depth',
  enableBusinessMetrics: 'business metrics: counters, KPIs, throughput',
  trackHandlers: "time the handlers the contract routes, at the node's route_to_handlers (Python)",
} as const;

/**
 * A yes/no answer in a file or from code: true or false, never a string. YAML 1.2 reads
 * `yes` as the string "yes" (YAML 1.1 tools read it as true, and `no` as false), so a
 * string is refused rather than guessed at.
 */
const booleanField = (key: keyof typeof YES_NO_ANSWERS) =>
  z.boolean({
    error: (issue) =>
      typeof issue.input === 'string'
        ? `must be true or false, not the string ${JSON.stringify(issue.input)}: write true or false without quotes (${YES_NO_ANSWERS[key]})`
        : `must be true or false (${YES_NO_ANSWERS[key]})`,
  });

/** The same answer typed on plop's command line, where every value is text: yes/y/true, no/n/false. */
export const typedYesNoField = (key: keyof typeof YES_NO_ANSWERS) =>
  z.preprocess(booleanLike, z.boolean({ error: `must be yes or no (${YES_NO_ANSWERS[key]})` }));

export const enableResourceMetricsField = booleanField('enableResourceMetrics');
export const enableBusinessMetricsField = booleanField('enableBusinessMetrics');
export const trackHandlersField = booleanField('trackHandlers');

const ALERT_KEYS: readonly string[] = ['p99Ms', 'errorRate', 'silent', 'forMinutes'];

/** `"p99Ms=250, errorRate=0.05"` → `{ p99Ms: '250', errorRate: '0.05' }`; `""` → null: alerts typed on one line. */
function alertsLike(value: unknown, ctx: z.RefinementCtx): unknown {
  let alerts = value;
  if (typeof value === 'string') {
    if (value.trim() === '') return null;
    alerts = Object.fromEntries(
      splitList(value).map((pair) => {
        const [key = '', ...rest] = pair.split('=');
        const text = rest.join('=').trim();
        // Typed, yes/no is text; in a file `silent` is a boolean, as every yes/no answer.
        return [key.trim(), key.trim() === 'silent' ? booleanLike(text) : text];
      }),
    );
  }
  if (typeof alerts === 'object' && alerts !== null && !Array.isArray(alerts)) {
    // Checked on the input itself: parsing would drop an own `__proto__` key unseen.
    for (const key of Object.keys(alerts).filter((key) => !ALERT_KEYS.includes(key))) {
      ctx.addIssue({ code: 'custom', path: [key], message: `is not an alert setting: use ${ALERT_KEYS.join(', ')}` });
    }
  }
  return alerts;
}

/**
 * Prometheus alert rules (and a Grafana dashboard) over the series `onex-metrics watch`
 * exposes: a fleet p99 above `p99Ms`, an error rate above `errorRate` (over 5 minutes),
 * an instance silent; each for `forMinutes` (default 5). `null`: neither file.
 */
export const alertsField = z.preprocess(
  alertsLike,
  z
    .object({
      p99Ms: z.preprocess(numberLike, z.number().positive().max(86_400_000)).optional(),
      errorRate: z.preprocess(numberLike, z.number().gt(0).max(1)).optional(),
      silent: z.boolean().optional(),
      forMinutes: z.preprocess(numberLike, z.number().min(0).max(1440)).optional(),
    })
    .loose()
    .refine((alerts) => alerts.p99Ms !== undefined || alerts.errorRate !== undefined || alerts.silent === true, {
      message: 'names no alert: give p99Ms=N (ms), errorRate=x (0 < x ≤ 1) or silent=true, or leave it empty for none',
    })
    .nullable(),
);

/** A legal Kafka topic; the `onex` envelope also needs the ONEX format (`topicProblem`). */
export const topicField = z
  .string({ error: 'must be a Kafka topic name' })
  .regex(TOPIC, `must hold only letters, digits, ".", "_" or "-" (1-${MAX_TOPIC_LENGTH} characters)`)
  .refine((topic) => topic !== '.' && topic !== '..', 'must not be "." or ".."');

/** What is wrong with `topic` for this envelope, or undefined when it is fine. */
export function topicProblem(topic: string, envelope: Envelope): string | undefined {
  const legal = topicField.safeParse(topic);
  if (!legal.success) return legal.error.issues[0]?.message ?? 'is not a legal Kafka topic';
  if (envelope === 'onex' && !ONEX_TOPIC.test(topic)) {
    return 'must follow the ONEX topic format onex.<evt|cmd|intent|dlq>.<producer: a-z 0-9 ->.<event-name: a-z 0-9 . _ ->.v<N>, e.g. "onex.evt.orders-effect.operation-metrics.v1" (or choose envelope: omninode-bridge)';
  }
  return undefined;
}

/** `./a//b/` → `a/b`; `.` stays `.`. Paths in records and plans are POSIX. */
export function normalizeTargetDir(dir: string): string {
  const normal = path.posix.normalize(dir.replaceAll('\\', '/')).replace(/\/+$/, '');
  return normal === '' ? '.' : normal;
}

/** The rule of a yes/no answer, for the README. */
const YES_NO_RULE =
  '`true` or `false` (in a file, a string such as `"yes"` is refused: YAML 1.2 reads `yes` as a string; plop\'s command line takes yes/no)';

// ---------------------------------------------------------------- the table

/** One answer: everything the entry points and the README say about it. */
export interface AnswerField {
  /** Validates the answer from a file or code. */
  schema: ZodType;
  /** The answer typed on plop's command line, where every value is text; `schema` when absent. */
  typed?: ZodType;
  /** Has no default: a contract.yaml or the user must give it. */
  required?: true;
  /** The value when none is given (and no contract.yaml gives one); some are derived instead. */
  default?: unknown;
  /** The question (without where its default came from) and the one-line help of `plop metrics --help`. */
  prompt: { message: string; help: string };
  /** The README's table: what is accepted, and the default as a reader needs it. */
  docs: { rule: string; default: string };
}

/** Every answer, in the order of the prompts and the record. */
export const FIELDS = {
  language: {
    schema: languageField,
    default: 'python',
    prompt: {
      message: 'Language of the generated code',
      help: `language of the generated code: ${LANGUAGES.join(' or ')}`,
    },
    docs: {
      rule: '`python` or `typescript`',
      default:
        "detected from the node directory's own files: `pyproject.toml`, `setup.cfg`, `setup.py`, `*.py` → python; `package.json`, `tsconfig.json`, `*.ts` → typescript; else `python` (parent directories are not consulted: a plop repository has a `package.json` at its root whatever its nodes are written in)",
    },
  },
  targetDir: {
    schema: targetDirField,
    default: '.',
    prompt: {
      message: 'Node directory to write metrics/ into, relative to',
      help: 'node directory to write metrics/ into, relative to the destination',
    },
    docs: {
      rule: 'relative to the destination (`--dest`, else the working directory), never outside it (no `..`, no symlink escape)',
      default: '`.`',
    },
  },
  envelope: {
    schema: envelopeField,
    default: 'onex',
    prompt: { message: 'Event envelope', help: `event envelope: ${ENVELOPES.join(' or ')}` },
    docs: {
      rule: "`onex`: omnibase-core's `ModelEventEnvelope` on the node's event bus (today's ONEX); `omninode-bridge`: the `OnexEnvelopeV1` of the older omninode_bridge nodes, through their `kafka_client`",
      default: '`onex`',
    },
  },
  serviceName: {
    schema: serviceNameField,
    required: true,
    prompt: { message: 'Service name', help: 'service name, e.g. node_checkpoint_effect' },
    docs: {
      rule: '`^[A-Za-z][A-Za-z0-9._-]{0,99}$`',
      default: 'contract `name` (for `omninode-bridge`, with its version: `store_effect_v1_0_0`)',
    },
  },
  serviceVersion: {
    schema: serviceVersionField,
    default: null,
    prompt: { message: 'Service version (enter for none)', help: 'service version for the events, e.g. 1.0.0' },
    docs: {
      rule: "a version like `1.0.0` (letters, digits, `.+_-`), or empty for none; goes in the events' metadata",
      default: 'contract `node_version`, else `contract_version`, else `version`',
    },
  },
  operations: {
    schema: operationsField,
    required: true,
    prompt: {
      message: 'Operations to track (comma-separated, snake_case or dotted)',
      help: 'operations to track, comma-separated snake_case or dotted names',
    },
    docs: {
      rule: '1–100 unique names, snake_case or dotted as ONEX writes them (`gateway.attach`), ≤ 64 characters; list or `"a, b"`',
      default: 'contract operations',
    },
  },
  publishIntervalOps: {
    schema: publishIntervalOpsField,
    default: 100,
    prompt: {
      message: 'Publish an operation every how many of its calls',
      help: 'publish an operation every how many of its calls',
    },
    docs: { rule: "1 – 1 000 000: an operation's event every N of its calls", default: '100' },
  },
  publishIntervalSeconds: {
    schema: publishIntervalSecondsField,
    default: 60,
    prompt: {
      message: 'Publish every how many seconds',
      help: 'publish active operations and a snapshot every how many seconds',
    },
    docs: {
      rule: '0 < s ≤ 86 400: active operations and a full snapshot',
      default: 'contract metrics subcontract `export_interval_seconds`, else 60',
    },
  },
  minPublishIntervalSeconds: {
    schema: minPublishIntervalSecondsField,
    default: 1,
    prompt: {
      message: 'At most one event of an operation every how many seconds (0: no limit)',
      help: 'at most one event of an operation every how many seconds, whatever the traffic (0: no limit)',
    },
    docs: {
      rule: "0 ≤ s ≤ 86 400: an operation's events are at least this far apart, whatever its traffic (an event skipped for it follows when the interval is up, with every call since); 0 publishes every `publishIntervalOps` calls",
      default: '1',
    },
  },
  maxDurationSamples: {
    schema: maxDurationSamplesField,
    default: 1000,
    prompt: {
      message: 'Durations kept per operation for statistics (the window)',
      help: 'durations kept per operation for statistics (the window)',
    },
    docs: { rule: '1 – 1 000 000: the window of durations statistics cover', default: '1000' },
  },
  percentiles: {
    schema: percentilesField,
    default: DEFAULT_PERCENTILES,
    prompt: { message: 'Percentiles', help: 'percentiles, comma-separated, e.g. 50,95,99.9' },
    docs: {
      rule: '1–10 unique, 0 < p ≤ 100, ≤ 3 decimals; key `p99_9` for 99.9',
      default: 'contract, else `[50, 95, 99]`',
    },
  },
  enableResourceMetrics: {
    schema: enableResourceMetricsField,
    typed: typedYesNoField('enableResourceMetrics'),
    default: true,
    prompt: {
      message: 'Resource metrics (memory, CPU, connections, queue depth)?',
      help: YES_NO_ANSWERS.enableResourceMetrics,
    },
    docs: { rule: YES_NO_RULE, default: '`true`' },
  },
  enableBusinessMetrics: {
    schema: enableBusinessMetricsField,
    typed: typedYesNoField('enableBusinessMetrics'),
    default: true,
    prompt: {
      message: 'Business metrics (items processed, throughput, KPIs)?',
      help: YES_NO_ANSWERS.enableBusinessMetrics,
    },
    docs: { rule: YES_NO_RULE, default: '`true`' },
  },
  trackHandlers: {
    schema: trackHandlersField,
    typed: typedYesNoField('trackHandlers'),
    default: false,
    prompt: {
      message: "Time the handlers the contract routes, at the node's routing (Python)?",
      help: YES_NO_ANSWERS.trackHandlers,
    },
    docs: {
      rule: `${YES_NO_RULE} (Python): time the handlers the contract routes, at the node's \`route_to_handlers\``,
      default: '`true` when the contract routes operations to handlers by operation (`operation_match`), else `false`',
    },
  },
  kafkaTopic: {
    schema: topicField,
    prompt: { message: 'Topic for operation events', help: 'topic for operation events' },
    docs: {
      rule: 'operation events. `onex`: the ONEX topic format `onex.<evt\\|cmd\\|intent\\|dlq>.<producer>.<event-name>.v<N>` (as omnibase-infra checks it); `omninode-bridge`: Kafka-legal',
      default:
        '`onex.evt.<producer>.operation-metrics.v1`, producer = serviceName lower-cased, `_` and `.` → `-`; `omninode-bridge`: `<serviceName>.metrics.v1`',
    },
  },
  snapshotTopic: {
    schema: topicField,
    prompt: { message: 'Topic for the full snapshot', help: 'topic for the full snapshot' },
    docs: {
      rule: 'the full snapshot; same rules',
      default: '`onex.evt.<producer>.node-metrics.v1`; `omninode-bridge`: `<kafkaTopic>.comprehensive`',
    },
  },
  alerts: {
    schema: alertsField,
    default: null,
    prompt: {
      message:
        'Prometheus alert rules and a Grafana dashboard (e.g. p99Ms=250, errorRate=0.05, silent=true), or enter for none',
      help: 'alert rules and a dashboard: p99Ms=N, errorRate=x, silent=true, forMinutes=N (comma-separated)',
    },
    docs: {
      rule: '`null`, or any of `p99Ms` (fleet p99 above N ms), `errorRate` (errors ÷ calls over 5 min above x), `silent: true` (an instance silent for 3 publish intervals), `forMinutes` (how long before firing, default 5): writes `metrics/alerts.yml` (Prometheus rules) and `metrics/dashboard.json` (Grafana) over the series of `onex-metrics watch`; typed on one line as `p99Ms=250, errorRate=0.05`',
      default: '`null`: neither file',
    },
  },
  tests: {
    schema: testsField,
    default: 'full',
    prompt: {
      message: 'Tests generated with the package',
      help: `generated tests: ${TEST_SUITES.join(', ')}`,
    },
    docs: {
      rule: "`full`: the package's own suite (pytest; vitest); `smoke`: a few checks on the standard library alone (`python -m unittest`; `node:test` through tsx); `none`",
      default: '`full`',
    },
  },
} as const satisfies Record<string, AnswerField>;

export type AnswerKey = keyof typeof FIELDS;

/** The answer keys, in the order of the prompts and the record. */
export const ANSWER_KEYS = Object.keys(FIELDS) as AnswerKey[];

/** The README's table of answers, as markdown. */
export function answersTable(): string {
  const rows = ANSWER_KEYS.map((key) => {
    const { docs } = FIELDS[key] as AnswerField;
    return `| \`${key}\` | ${docs.rule} | ${docs.default} |`;
  });
  return ['| key | rule | default |', '|---|---|---|', ...rows].join('\n');
}
