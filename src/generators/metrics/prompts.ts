/**
 * The generator's prompts. Each validates with the same zod field as answers files
 * and bypass arguments; defaults come from the target's contract.yaml, and the
 * message says where a default came from.
 */
import type { ZodType } from 'zod';
import { ContractError } from './answers/contract.js';
import { diskDefaults, type DiskDefaults } from './defaults.js';
import { defaultSnapshotTopic, defaultTopic } from './answers/schema.js';
import {
  type AnswerField,
  type AnswerKey,
  type Envelope,
  envelopeField,
  FIELDS,
  LANGUAGES,
  percentilesField,
  percentileValue,
  splitList,
  targetDirField,
  topicField,
  topicProblem,
} from './answers/fields.js';
import { fieldPath } from '../../core/answers-error.js';

/** Common percentiles offered as checkboxes; others are typed into `morePercentiles`. */
export const COMMON_PERCENTILES = [50, 75, 90, 95, 99, 99.9, 100] as const;

/** The prompt-only answer that adds free percentiles to the checked ones. */
export const MORE_PERCENTILES = 'morePercentiles';

type PromptAnswers = Record<string, unknown>;
type Choice = { name: string; value: unknown };

export interface MetricsPrompt {
  type: 'input' | 'list' | 'checkbox' | 'confirm';
  name: string;
  message: string | ((answers: PromptAnswers) => string);
  /** What plop prints in its list of bypass arguments. */
  help: string;
  default?: unknown;
  choices?: readonly Choice[] | ((answers: PromptAnswers) => readonly Choice[]);
  when?: boolean;
  validate?: (value: unknown, answers?: PromptAnswers) => true | string;
  filter?: (value: unknown) => unknown;
  /** Plop bypass: turns a raw command-line string into the answer, or throws naming the field. */
  bypass?: (raw: string) => unknown;
}

export interface PromptOptions {
  /** Directory that targetDir is relative to. */
  destRoot: string;
  /** Ask at all: false without a terminal, so unanswered prompts fall back to defaults. */
  interactive: boolean;
  /** Called when a bypass value is invalid (the plop CLI maps its exit code to 2). */
  onInvalidBypass?: () => void;
}

function check(field: ZodType, name: string, value: unknown): true | string {
  const result = field.safeParse(value);
  if (result.success) return true;
  return result.error.issues.map((issue) => `${fieldPath([name, ...issue.path])}: ${issue.message}`).join('; ');
}

export function buildPrompts(options: PromptOptions): MetricsPrompt[] {
  const cache = new Map<string, DiskDefaults | string>();
  const envelopeOf = (answers: PromptAnswers): Envelope => {
    const envelope = envelopeField.safeParse(answers.envelope);
    return envelope.success ? envelope.data : 'onex';
  };
  /** Disk defaults of a target directory, or the contract error as a message. */
  const defaultsOf = (answers: PromptAnswers): DiskDefaults | string => {
    const dir = typeof answers.targetDir === 'string' ? answers.targetDir : '.';
    const envelope = envelopeOf(answers);
    const key = `${envelope}\u0000${dir}`;
    let found = cache.get(key);
    if (found === undefined) {
      try {
        found = diskDefaults(options.destRoot, dir, envelope);
      } catch (error) {
        if (!(error instanceof ContractError)) throw error;
        found = `${error.message}`;
      }
      cache.set(key, found);
    }
    return found;
  };
  const fromDisk = (answers: PromptAnswers) => {
    const found = defaultsOf(answers);
    return typeof found === 'string' ? undefined : found;
  };
  const contractPercentiles = (answers: PromptAnswers): number[] => {
    const percentiles = fromDisk(answers)?.values.percentiles;
    return Array.isArray(percentiles) ? percentiles.filter((p): p is number => typeof p === 'number') : [];
  };
  /** "Service name — from contract.yaml name + version": where the default came from. */
  const labelled = (label: string, key: string) => (answers: PromptAnswers) => {
    const source = fromDisk(answers)?.sources[key];
    return source ? `${label} — ${source}` : label;
  };

  /** Plop bypass: the value through `validate`, which must say true, else a usage error. */
  const bypassWith =
    (validate: (value: unknown) => true | string, parse: (raw: string) => unknown) => (raw: string) => {
      const verdict = validate(raw);
      if (verdict !== true) {
        options.onInvalidBypass?.();
        throw new Error(verdict);
      }
      return parse(raw);
    };
  const parsed = (field: ZodType) => (raw: string) => field.parse(raw);

  /** A prompt of the table's answer `key`: its question, help and validation from `FIELDS`. */
  const prompt = (
    key: AnswerKey,
    rest: Omit<MetricsPrompt, 'name' | 'validate' | 'bypass' | 'when' | 'help' | 'message'> & {
      message?: MetricsPrompt['message'];
    },
  ): MetricsPrompt => {
    const field: AnswerField = FIELDS[key];
    const schema = field.typed ?? field.schema;
    const validate = (value: unknown) => check(schema, key, value);
    return {
      name: key,
      when: options.interactive,
      message: field.prompt.message,
      help: field.prompt.help,
      validate,
      bypass: bypassWith(validate, parsed(schema)),
      ...rest,
    };
  };
  /** "Service name — from contract.yaml name": the table's question, and where its default came from. */
  const fromContract = (key: AnswerKey) => labelled(FIELDS[key].prompt.message, key);

  // A target whose contract.yaml is broken is refused here, naming the file.
  const validateTarget = (value: unknown): true | string => {
    const valid = check(targetDirField, 'targetDir', value);
    if (valid !== true) return valid;
    const found = defaultsOf({ targetDir: value });
    return typeof found === 'string' ? `targetDir: ${found}` : true;
  };
  // Typed values are numbered as typed; the checkboxes cannot be revisited, so a
  // percentile both checked and typed counts once, and none at all asks for one here.
  const validateMore = (value: unknown, answers?: PromptAnswers) => {
    const typed = splitList(value);
    for (const [index, item] of typed.entries()) {
      const parsed = percentileValue.safeParse(item);
      if (!parsed.success) {
        return `Other percentiles, value ${index + 1} (${JSON.stringify(item)}): ${parsed.error.issues[0]?.message ?? 'is not a percentile'}`;
      }
    }
    const all = withTypedPercentiles(answers?.percentiles, typed);
    if (all.length === 0) return 'percentiles: none checked, so type at least one here, e.g. 50, 95, 99';
    return check(percentilesField, 'percentiles', all);
  };
  const prompts: MetricsPrompt[] = [
    {
      ...prompt('targetDir', {
        type: 'input',
        message: `${FIELDS.targetDir.prompt.message} ${options.destRoot}`,
        default: FIELDS.targetDir.default,
      }),
      validate: validateTarget,
      bypass: bypassWith(validateTarget, parsed(targetDirField)),
    },
  ];
  if (LANGUAGES.length > 1) {
    prompts.push(
      prompt('language', {
        type: 'list',
        message: fromContract('language'),
        choices: LANGUAGES.map((language) => ({ name: language, value: language })),
        default: (answers: PromptAnswers) => fromDisk(answers)?.values.language,
      }),
    );
  }
  const validateTopic = (name: string) => (value: unknown, answers?: PromptAnswers) => {
    const legal = check(topicField, name, value);
    if (legal !== true) return legal;
    const problem = topicProblem(String(value), envelopeOf(answers ?? {}));
    return problem === undefined ? true : `${name}: ${problem}`;
  };
  const topicPrompt = (
    key: 'kafkaTopic' | 'snapshotTopic',
    defaultOf: (answers: PromptAnswers) => string | undefined,
  ) => ({
    ...prompt(key, { type: 'input', default: defaultOf }),
    validate: validateTopic(key),
  });
  const serviceNameOf = (answers: PromptAnswers) =>
    typeof answers.serviceName === 'string' ? answers.serviceName : undefined;
  prompts.push(
    prompt('envelope', {
      type: 'list',
      choices: [
        { name: "onex — today's ONEX: ModelEventEnvelope on the node's event bus", value: 'onex' },
        { name: 'omninode-bridge — the older OnexEnvelopeV1 through kafka_client', value: 'omninode-bridge' },
      ],
      default: FIELDS.envelope.default,
    }),
    prompt('serviceName', {
      type: 'input',
      message: fromContract('serviceName'),
      default: (answers: PromptAnswers) => fromDisk(answers)?.values.serviceName,
    }),
    prompt('serviceVersion', {
      type: 'input',
      message: fromContract('serviceVersion'),
      default: (answers: PromptAnswers) => fromDisk(answers)?.values.serviceVersion,
    }),
    prompt('operations', {
      type: 'input',
      message: fromContract('operations'),
      default: (answers: PromptAnswers) => {
        const operations = fromDisk(answers)?.values.operations;
        return Array.isArray(operations) ? operations.join(', ') : undefined;
      },
    }),
    prompt('publishIntervalOps', { type: 'input', default: String(FIELDS.publishIntervalOps.default) }),
    prompt('publishIntervalSeconds', {
      type: 'input',
      message: fromContract('publishIntervalSeconds'),
      default: (answers: PromptAnswers) =>
        String(fromDisk(answers)?.values.publishIntervalSeconds ?? FIELDS.publishIntervalSeconds.default),
    }),
    prompt('minPublishIntervalSeconds', {
      type: 'input',
      default: String(FIELDS.minPublishIntervalSeconds.default),
    }),
    prompt('maxDurationSamples', { type: 'input', default: String(FIELDS.maxDurationSamples.default) }),
    {
      ...prompt('percentiles', {
        type: 'checkbox',
        message: fromContract('percentiles'),
        // The contract's own percentiles are offered (and checked) too.
        choices: (answers: PromptAnswers) =>
          [...new Set([...COMMON_PERCENTILES, ...contractPercentiles(answers)])]
            .sort((a, b) => a - b)
            .map((p) => ({ name: `p${p}`, value: p })),
        default: (answers: PromptAnswers) => {
          const fromContract = contractPercentiles(answers);
          return fromContract.length > 0 ? fromContract : [...FIELDS.percentiles.default];
        },
      }),
      // Checked ones may be none when free ones follow: the union is validated next.
      validate: () => true,
    },
    {
      type: 'input',
      name: MORE_PERCENTILES,
      message: 'Other percentiles (comma-separated, e.g. 99.99), or enter for none',
      help: 'more percentiles, added to --percentiles',
      default: '',
      when: options.interactive,
      validate: validateMore,
      bypass: bypassWith(
        (raw) => validateMore(raw, {}),
        (raw) => raw,
      ),
    },
    prompt('enableResourceMetrics', { type: 'confirm', default: FIELDS.enableResourceMetrics.default }),
    prompt('enableBusinessMetrics', { type: 'confirm', default: FIELDS.enableBusinessMetrics.default }),
    prompt('trackHandlers', {
      type: 'confirm',
      message: fromContract('trackHandlers'),
      default: (answers: PromptAnswers) => fromDisk(answers)?.values.trackHandlers === true,
    }),
    topicPrompt('kafkaTopic', (answers) => {
      const serviceName = serviceNameOf(answers);
      return serviceName === undefined ? undefined : defaultTopic(envelopeOf(answers), serviceName);
    }),
    topicPrompt('snapshotTopic', (answers) => {
      const serviceName = serviceNameOf(answers);
      if (serviceName === undefined) return undefined;
      const kafkaTopic =
        typeof answers.kafkaTopic === 'string' ? answers.kafkaTopic : defaultTopic(envelopeOf(answers), serviceName);
      return defaultSnapshotTopic(envelopeOf(answers), kafkaTopic, serviceName);
    }),
    prompt('alerts', { type: 'input', default: '' }),
    prompt('tests', {
      type: 'list',
      choices: [
        { name: "full — the package's own suite (pytest; vitest)", value: 'full' },
        { name: 'smoke — a few checks on the standard library alone (unittest; node:test)', value: 'smoke' },
        { name: 'none', value: 'none' },
      ],
      default: FIELDS.tests.default,
    }),
  );
  return prompts.map((each) => withBypassFailures(each, options));
}

/**
 * Plop checks a bypassed value with `validate` too, after `bypass`, passing the answers
 * bypassed so far: a check across answers (a topic against the envelope) fails there.
 * Such a failure is a usage error like one of `bypass` itself.
 */
function withBypassFailures(prompt: MetricsPrompt, options: PromptOptions): MetricsPrompt {
  const { bypass, validate } = prompt;
  if (!bypass || !validate) return prompt;
  let bypassed = false;
  return {
    ...prompt,
    bypass: (raw) => {
      bypassed = true;
      return bypass(raw);
    },
    validate: (value, answers) => {
      const verdict = validate(value, answers);
      if (verdict !== true && bypassed) options.onInvalidBypass?.();
      return verdict;
    },
  };
}

/**
 * The checked percentiles and the typed ones not already among them (a typed 99 with
 * p99 checked, or a value typed twice, is one percentile).
 */
function withTypedPercentiles(checked: unknown, typed: readonly string[]): unknown[] {
  const chosen: unknown[] = Array.isArray(checked) ? [...checked] : splitList(checked);
  const seen = new Set(chosen.map(Number));
  for (const item of typed) {
    const value = Number(item);
    if (item !== '' && Number.isFinite(value) && seen.has(value)) continue;
    seen.add(value);
    chosen.push(item);
  }
  return chosen;
}

/** Prompt answers → raw answers: free percentiles join the checked ones. */
export function answersFromPrompts(promptAnswers: PromptAnswers): Record<string, unknown> {
  const { [MORE_PERCENTILES]: more, ...answers } = promptAnswers;
  const extra = splitList(more);
  if (extra.length > 0) answers.percentiles = withTypedPercentiles(answers.percentiles, extra);
  return answers;
}
