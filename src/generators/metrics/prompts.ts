/**
 * The generator's prompts. Each validates with the same zod field as answers files
 * and bypass arguments; defaults come from the target's contract.yaml, and the
 * message says where a default came from.
 */
import type { ZodType } from 'zod';
import { ContractError } from './answers/contract.js';
import { diskDefaults, type DiskDefaults } from './defaults.js';
import {
  DEFAULT_PERCENTILES,
  defaultSnapshotTopic,
  defaultTopic,
  type Envelope,
  envelopeField,
  ENVELOPES,
  LANGUAGES,
  languageField,
  maxDurationSamplesField,
  operationsField,
  percentilesField,
  percentileValue,
  publishIntervalOpsField,
  publishIntervalSecondsField,
  serviceNameField,
  typedYesNoField,
  serviceVersionField,
  targetDirField,
  topicField,
  topicProblem,
} from './answers/schema.js';
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

  const prompt = (
    name: string,
    field: ZodType,
    rest: Omit<MetricsPrompt, 'name' | 'validate' | 'bypass' | 'when' | 'help'> & { help?: string },
  ): MetricsPrompt => {
    const validate = (value: unknown) => check(field, name, value);
    return {
      name,
      when: options.interactive,
      help: typeof rest.message === 'string' ? rest.message : name,
      validate,
      bypass: bypassWith(validate, parsed(field)),
      ...rest,
    };
  };

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
      ...prompt('targetDir', targetDirField, {
        type: 'input',
        message: `Node directory to write metrics/ into, relative to ${options.destRoot}`,
        help: 'node directory to write metrics/ into, relative to the destination',
        default: '.',
      }),
      validate: validateTarget,
      bypass: bypassWith(validateTarget, parsed(targetDirField)),
    },
  ];
  if (LANGUAGES.length > 1) {
    prompts.push(
      prompt('language', languageField, {
        type: 'list',
        message: labelled('Language of the generated code', 'language'),
        help: `language of the generated code: ${LANGUAGES.join(' or ')}`,
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
  const topicPrompt = (name: string, message: string, defaultOf: (answers: PromptAnswers) => string | undefined) => ({
    ...prompt(name, topicField, { type: 'input', message, default: defaultOf }),
    validate: validateTopic(name),
  });
  const serviceNameOf = (answers: PromptAnswers) =>
    typeof answers.serviceName === 'string' ? answers.serviceName : undefined;
  prompts.push(
    prompt('envelope', envelopeField, {
      type: 'list',
      message: 'Event envelope',
      help: `event envelope: ${ENVELOPES.join(' or ')}`,
      choices: [
        { name: "onex — today's ONEX: ModelEventEnvelope on the node's event bus", value: 'onex' },
        { name: 'omninode-bridge — the older OnexEnvelopeV1 through kafka_client', value: 'omninode-bridge' },
      ],
      default: 'onex',
    }),
    prompt('serviceName', serviceNameField, {
      type: 'input',
      message: labelled('Service name', 'serviceName'),
      help: 'service name, e.g. node_checkpoint_effect',
      default: (answers: PromptAnswers) => fromDisk(answers)?.values.serviceName,
    }),
    prompt('serviceVersion', serviceVersionField, {
      type: 'input',
      message: labelled('Service version (enter for none)', 'serviceVersion'),
      help: 'service version for the events, e.g. 1.0.0',
      default: (answers: PromptAnswers) => fromDisk(answers)?.values.serviceVersion,
    }),
    prompt('operations', operationsField, {
      type: 'input',
      message: labelled('Operations to track (comma-separated, snake_case or dotted)', 'operations'),
      help: 'operations to track, comma-separated snake_case or dotted names',
      default: (answers: PromptAnswers) => {
        const operations = fromDisk(answers)?.values.operations;
        return Array.isArray(operations) ? operations.join(', ') : undefined;
      },
    }),
    prompt('publishIntervalOps', publishIntervalOpsField, {
      type: 'input',
      message: 'Publish an operation every how many of its calls',
      default: '100',
    }),
    prompt('publishIntervalSeconds', publishIntervalSecondsField, {
      type: 'input',
      message: labelled('Publish every how many seconds', 'publishIntervalSeconds'),
      default: (answers: PromptAnswers) => String(fromDisk(answers)?.values.publishIntervalSeconds ?? 60),
    }),
    prompt('maxDurationSamples', maxDurationSamplesField, {
      type: 'input',
      message: 'Durations kept per operation for statistics (the window)',
      default: '1000',
    }),
    {
      ...prompt('percentiles', percentilesField, {
        type: 'checkbox',
        message: labelled('Percentiles', 'percentiles'),
        help: 'percentiles, comma-separated, e.g. 50,95,99.9',
        // The contract's own percentiles are offered (and checked) too.
        choices: (answers: PromptAnswers) =>
          [...new Set([...COMMON_PERCENTILES, ...contractPercentiles(answers)])]
            .sort((a, b) => a - b)
            .map((p) => ({ name: `p${p}`, value: p })),
        default: (answers: PromptAnswers) => {
          const fromContract = contractPercentiles(answers);
          return fromContract.length > 0 ? fromContract : [...DEFAULT_PERCENTILES];
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
    prompt('enableResourceMetrics', typedYesNoField('enableResourceMetrics'), {
      type: 'confirm',
      message: 'Resource metrics (memory, CPU, connections, queue depth)?',
      default: true,
    }),
    prompt('enableBusinessMetrics', typedYesNoField('enableBusinessMetrics'), {
      type: 'confirm',
      message: 'Business metrics (items processed, throughput, KPIs)?',
      default: true,
    }),
    prompt('trackHandlers', typedYesNoField('trackHandlers'), {
      type: 'confirm',
      message: labelled("Time the handlers the contract routes, at the node's routing (Python)?", 'trackHandlers'),
      help: "time the handlers the contract routes, at the node's route_to_handlers (Python)",
      default: (answers: PromptAnswers) => fromDisk(answers)?.values.trackHandlers === true,
    }),
    topicPrompt('kafkaTopic', 'Topic for operation events', (answers) => {
      const serviceName = serviceNameOf(answers);
      return serviceName === undefined ? undefined : defaultTopic(envelopeOf(answers), serviceName);
    }),
    topicPrompt('snapshotTopic', 'Topic for the full snapshot', (answers) => {
      const serviceName = serviceNameOf(answers);
      if (serviceName === undefined) return undefined;
      const kafkaTopic =
        typeof answers.kafkaTopic === 'string' ? answers.kafkaTopic : defaultTopic(envelopeOf(answers), serviceName);
      return defaultSnapshotTopic(envelopeOf(answers), kafkaTopic, serviceName);
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

export function splitList(value: unknown): string[] {
  if (typeof value !== 'string' || value.trim() === '') return [];
  return value.split(',').map((item) => item.trim());
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
