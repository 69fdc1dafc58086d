/**
 * The `metrics` generator without a disk: answers schema, contract defaults and the
 * rendered tree. Running the generated code is in test/python-generated.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { contractDefaults, readContractDefaults } from './answers/contract.js';
import { detectLanguage, diskDefaults } from './defaults.js';
import { ANSWER_KEYS, answersTable, FIELDS } from './answers/fields.js';
import { answersFromPrompts, buildPrompts } from './prompts.js';
import { recordPath } from '../../core/record.js';
import { renderMetrics } from './render.js';
import { observabilityFiles } from './observability.js';
import { sha256 } from '../../core/hash.js';
import { InvalidAnswersError } from '../../core/answers-error.js';
import { parseAnswers, percentileKey, percentileThousandths } from './answers/schema.js';
import { typedYesNoField } from './answers/fields.js';
import { pyFloat, pyString } from './targets/python/index.js';

const CONTRACTS = path.resolve(import.meta.dirname, '../../../test/fixtures/onex-contracts');
const minimal = { serviceName: 'orders', operations: ['create_order', 'cancel_order'] };

function issues(input: unknown): string[] {
  try {
    parseAnswers(input);
  } catch (error) {
    if (error instanceof InvalidAnswersError) return error.issues.map((issue) => `${issue.field}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('answers schema', () => {
  it('fills every default', () => {
    expect(parseAnswers(minimal)).toEqual({
      language: 'python',
      targetDir: '.',
      envelope: 'onex',
      serviceName: 'orders',
      serviceVersion: null,
      operations: ['create_order', 'cancel_order'],
      publishIntervalOps: 100,
      publishIntervalSeconds: 60,
      minPublishIntervalSeconds: 1,
      maxDurationSamples: 1000,
      percentiles: [50, 95, 99],
      enableResourceMetrics: true,
      enableBusinessMetrics: true,
      trackHandlers: false,
      kafkaTopic: 'onex.evt.orders.operation-metrics.v1',
      snapshotTopic: 'onex.evt.orders.node-metrics.v1',
      alerts: null,
      tests: 'full',
    });
  });

  it('writes alert rules and a dashboard whose strings hold any service name exactly', () => {
    const name = 'a"b\\c\n{{ $x }}';
    const answers = { ...parseAnswers({ serviceName: 'orders', operations: ['a'] }), serviceName: name };
    const [rules, dashboard] = observabilityFiles({ ...answers, alerts: { p99Ms: 250, silent: true } }, ['banner']);
    const parsed = parseYaml(rules!.content) as { groups: { name: string; rules: { expr: string; for: string }[] }[] };
    expect(parsed.groups[0]!.name).toBe(`onex-metrics-${name}`);
    expect(parsed.groups[0]!.rules.map((rule) => rule.for)).toEqual(['5m', '5m']);
    expect(parsed.groups[0]!.rules[0]!.expr).toContain('service="a\\"b\\\\c\\n{{ $x }}"');
    expect((JSON.parse(dashboard!.content) as { title: string }).title).toContain(name);
    expect(observabilityFiles({ ...answers, alerts: null }, [])).toEqual([]);
  });

  it('takes alerts as an object or typed on one line, and names what is wrong', () => {
    const typed = parseAnswers({
      serviceName: 'orders',
      operations: ['a'],
      alerts: 'p99Ms=250, errorRate=0.05, silent=yes',
    });
    expect(typed.alerts).toEqual({ p99Ms: 250, errorRate: 0.05, silent: true });
    expect(parseAnswers({ serviceName: 'orders', operations: ['a'], alerts: '' }).alerts).toBeNull();
    expect(() => parseAnswers({ serviceName: 'orders', operations: ['a'], alerts: { errorRate: 2 } })).toThrow(
      /alerts\.errorRate/,
    );
    expect(() => parseAnswers({ serviceName: 'orders', operations: ['a'], alerts: { forMinutes: 1 } })).toThrow(
      /names no alert/,
    );
    expect(() => parseAnswers({ serviceName: 'orders', operations: ['a'], alerts: 'p99=1' })).toThrow(/p99/);
    // Keys a parser would drop or inherit are named, from a file or typed.
    for (const alerts of [
      JSON.parse('{"__proto__": 1, "p99Ms": 5}') as unknown,
      '__proto__',
      'constructor=1, p99Ms=5',
    ]) {
      expect(() => parseAnswers({ serviceName: 'orders', operations: ['a'], alerts })).toThrow(
        /alerts\.(__proto__|constructor): is not an alert setting/,
      );
    }
  });

  it('derives ONEX topics from the service name, and the older topics for omninode-bridge', () => {
    const onex = parseAnswers({ ...minimal, serviceName: 'Orders_Effect.v2' });
    expect([onex.kafkaTopic, onex.snapshotTopic]).toEqual([
      'onex.evt.orders-effect-v2.operation-metrics.v1',
      'onex.evt.orders-effect-v2.node-metrics.v1',
    ]);
    const bridge = parseAnswers({ ...minimal, envelope: 'omninode-bridge' });
    expect([bridge.kafkaTopic, bridge.snapshotTopic]).toEqual(['orders.metrics.v1', 'orders.metrics.v1.comprehensive']);
  });

  it('holds topics to the ONEX format in the onex profile only', () => {
    expect(issues({ ...minimal, kafkaTopic: 'orders.metrics.v1' })).toEqual([
      expect.stringMatching(/^kafkaTopic: must follow the ONEX topic format onex\.<evt\|cmd\|intent\|dlq>/),
    ]);
    expect(issues({ ...minimal, snapshotTopic: 'onex.evt.Orders.node-metrics.v1' })).toHaveLength(1);
    expect(issues({ ...minimal, kafkaTopic: 'onex.cmd.orders.ops.v0' })).toHaveLength(1);
    expect(issues({ ...minimal, kafkaTopic: 'onex.intent.orders-1.op.metrics_x.v12' })).toEqual([]);
    expect(issues({ ...minimal, envelope: 'omninode-bridge', kafkaTopic: 'orders.metrics.v1' })).toEqual([]);
  });

  it('takes dotted operation names as ONEX writes them, and a service version', () => {
    const answers = parseAnswers({
      ...minimal,
      operations: 'gateway.attach, build_loop.project',
      serviceVersion: '1.2.0',
    });
    expect(answers.operations).toEqual(['gateway.attach', 'build_loop.project']);
    expect(answers.serviceVersion).toBe('1.2.0');
    expect(parseAnswers({ ...minimal, serviceVersion: '' }).serviceVersion).toBeNull();
    expect(issues({ ...minimal, operations: ['gateway.'] })[0]).toMatch(/^operations\[0\]: must be snake_case/);
    expect(issues({ ...minimal, serviceVersion: '1 0' })[0]).toMatch(/^serviceVersion: must be a version/);
  });

  it('coerces the numbers and lists that plop bypass and hand-written YAML give as strings', () => {
    const answers = parseAnswers({
      serviceName: 'orders',
      operations: ' create_order ,cancel_order ',
      publishIntervalOps: '250',
      publishIntervalSeconds: '0.5',
      percentiles: '99.9, 50',
      targetDir: './nodes//orders/',
    });
    expect(answers.operations).toEqual(['create_order', 'cancel_order']);
    expect(answers.publishIntervalOps).toBe(250);
    expect(answers.publishIntervalSeconds).toBe(0.5);
    expect(answers.percentiles).toEqual([50, 99.9]);
    expect(answers.targetDir).toBe('nodes/orders');
  });

  it('refuses a yes/no answer given as a string in a file, saying to write true or false', () => {
    // YAML 1.2 reads `yes` as the string "yes"; a YAML 1.1 tool reads it as true.
    expect(() => parseAnswers({ ...minimal, enableResourceMetrics: 'yes' })).toThrow(
      'enableResourceMetrics: must be true or false, not the string "yes": write true or false without quotes',
    );
    expect(() => parseAnswers({ ...minimal, trackHandlers: 'no' })).toThrow(
      'trackHandlers: must be true or false, not the string "no"',
    );
  });

  it("takes yes/no typed on plop's command line", () => {
    const yesNo = typedYesNoField('enableBusinessMetrics');
    expect(yesNo.parse('YES')).toBe(true);
    expect(yesNo.parse(' n ')).toBe(false);
    expect(yesNo.safeParse('maybe').error?.issues[0]?.message).toBe(
      'must be yes or no (business metrics: counters, KPIs, throughput)',
    );
  });

  it.each([
    [{ ...minimal, operations: ['create_order', 'Bad'] }, 'operations[1]'],
    [{ ...minimal, operations: ['a', 'a'] }, 'operations[1]'],
    [{ ...minimal, operations: [] }, 'operations'],
    [{ ...minimal, operations: Array.from({ length: 101 }, (_, i) => `op_${i}`) }, 'operations'],
    [{ ...minimal, percentiles: [50, 0] }, 'percentiles[1]'],
    [{ ...minimal, percentiles: [100.5] }, 'percentiles[0]'],
    [{ ...minimal, percentiles: [99.9999] }, 'percentiles[0]'],
    [{ ...minimal, percentiles: [50, 50.0] }, 'percentiles[1]'],
    [{ ...minimal, publishIntervalOps: 1.5 }, 'publishIntervalOps'],
    [{ ...minimal, publishIntervalSeconds: 0 }, 'publishIntervalSeconds'],
    [{ ...minimal, maxDurationSamples: 1_000_001 }, 'maxDurationSamples'],
    [{ ...minimal, serviceName: '9lives' }, 'serviceName'],
    [{ ...minimal, kafkaTopic: '..' }, 'kafkaTopic'],
    [{ ...minimal, targetDir: '../outside' }, 'targetDir'],
    [{ ...minimal, targetDir: '/etc' }, 'targetDir'],
    [{ ...minimal, language: 'cobol' }, 'language'],
    [{ ...minimal, envelope: 'v1' }, 'envelope'],
    [{ ...minimal, operations: ['.leading'] }, 'operations[0]'],
    [{ ...minimal, operations: ['a..b'] }, 'operations[0]'],
    [{ ...minimal, operation: ['typo'] }, 'operation'],
  ])('rejects %j naming %s', (input, field) => {
    const found = issues(input);
    expect(
      found.some((issue) => issue.startsWith(`${field}: `)),
      found.join('\n'),
    ).toBe(true);
  });

  it('tells a missing answer from a wrong one', () => {
    expect(issues({ serviceName: 'x' })).toEqual([
      'operations: is required: give it in the answers file or as --operations',
    ]);
    expect(issues({ ...minimal, publishIntervalOps: 'often' })).toEqual([
      'publishIntervalOps: must be a whole number from 1 to 1000000',
    ]);
    expect(issues({ ...minimal, operations: 'a,,b' })).toEqual([
      'operations[1]: is empty (a stray comma?): give a name or remove it',
    ]);
  });

  it('suggests the key a typo meant', () => {
    expect(issues({ ...minimal, servicename: 'x' }).join('\n')).toContain('did you mean "serviceName"');
  });

  it('checks the default topics derived from a long service name or topic', () => {
    const serviceName = `s${'x'.repeat(99)}`;
    expect(issues({ serviceName, operations: ['a'] })).toEqual([]);
    const bridge = { envelope: 'omninode-bridge', serviceName, operations: ['a'] };
    expect(issues(bridge)).toEqual([]);
    expect(issues({ ...bridge, kafkaTopic: 't'.repeat(236) })).toEqual([
      expect.stringMatching(/^snapshotTopic: the default "t+\.comprehensive" \(from kafkaTopic\) must hold only/),
    ]);
    expect(issues({ ...bridge, kafkaTopic: 't'.repeat(236), snapshotTopic: 'snapshots' })).toEqual([]);
  });

  it('names the payload keys of percentiles and ranks them in exact thousandths', () => {
    expect([50, 99.9, 100, 0.001].map(percentileKey)).toEqual(['p50', 'p99_9', 'p100', 'p0_001']);
    expect(percentileThousandths(99.9)).toBe(99_900);
    expect(percentileThousandths(0.1)).toBe(100);
  });
});

describe('contract.yaml defaults', () => {
  it('reads top-level operations given as a mapping (store_effect)', () => {
    const defaults = readContractDefaults(path.join(CONTRACTS, 'store_effect'));
    expect(defaults?.serviceName?.value).toBe('store_effect');
    expect(defaults?.serviceVersion).toEqual({ value: '1.0.0', source: 'from contract.yaml version' });
    expect(defaults?.operations).toEqual({ value: ['persist_state'], source: 'from contract.yaml operations' });
  });

  it('names the service as its generation did: name for onex, name + version for omninode-bridge', () => {
    const store = path.join(CONTRACTS, 'store_effect');
    expect(diskDefaults(store, '.').values).toMatchObject({ serviceName: 'store_effect', serviceVersion: '1.0.0' });
    expect(diskDefaults(store, '.', 'omninode-bridge').values).toMatchObject({ serviceName: 'store_effect_v1_0_0' });
    expect(diskDefaults(store, '.', 'omninode-bridge').sources.serviceName).toBe('from contract.yaml name + version');
  });

  it("reads today's layouts: handler routing, io_operations, effect_operations; versions as strings or mappings", () => {
    const defaults = contractDefaults({
      name: 'node_checkpoint_effect',
      contract_version: { major: 1, minor: 0, patch: 0 },
      node_version: '1.2.0',
      handler_routing: {
        routing_strategy: 'operation_match',
        handlers: [
          { operation: 'write_checkpoint', handler: { name: 'HandlerCheckpointWrite' } },
          { operation: 'gateway.attach', handler: { name: 'HandlerAttach' } },
          { operation: '*', handler: { name: 'HandlerAny' } },
          { operation: 'all', handler: { name: 'HandlerAll' } },
          { event_model: { name: 'ModelOnlyEvent' }, handler: { name: 'HandlerEvent' } },
        ],
      },
      io_operations: [
        { operation: 'read_checkpoint' },
        { operation_type: 'write_checkpoint' },
        { name: 'list_checkpoints' },
      ],
      effect_operations: { operations: [{ operation_name: 'scan' }, { name: 'read_file' }] },
    });
    expect(defaults.operations?.value).toEqual([
      'write_checkpoint',
      'gateway.attach',
      'read_checkpoint',
      'list_checkpoints',
      'scan',
      'read_file',
    ]);
    expect(defaults.operations?.source).toBe(
      'from contract.yaml handler_routing.handlers[].operation + io_operations[] + effect_operations.operations[]',
    );
    expect(defaults.serviceVersion).toEqual({ value: '1.2.0', source: 'from contract.yaml node_version' });
    expect(contractDefaults({ contract_version: { major: 2, minor: 1, patch: 3 } }).serviceVersion?.value).toBe(
      '2.1.3',
    );
    expect(contractDefaults({ node_version: { major: 0, minor: 4, patch: 0 } }).serviceVersion?.value).toBe('0.4.0');
  });

  it('times the handlers of a contract that routes by operation, and of no other', () => {
    const routed = (routing: Record<string, unknown>) => contractDefaults({ handler_routing: routing }).trackHandlers;
    const handlers = [{ operation: 'write_checkpoint', handler: { name: 'HandlerCheckpointWrite' } }];
    expect(routed({ routing_strategy: 'operation_match', handlers })).toEqual({
      value: true,
      source: 'from contract.yaml handler_routing (operation_match)',
    });
    expect(routed({ handlers })?.value).toBe(true);
    expect(routed({ routing_strategy: 'payload_type_match', handlers })).toBeUndefined();
    expect(routed({ routing_strategy: 'operation_match', handlers: [{ operation: '*' }] })).toBeUndefined();
    expect(contractDefaults({ io_operations: [{ operation: 'read' }] }).trackHandlers).toBeUndefined();
  });

  it('writes the handler wiring only when asked', () => {
    const files = (trackHandlers: boolean) => renderMetrics({ ...minimal, trackHandlers }).files;
    expect(files(true).map((file) => file.path)).toContain('metrics/handlers.py');
    const mixin = files(true).find((file) => file.path === 'metrics/mixin.py')!.content;
    expect(mixin).toContain('def route_to_handlers(self, routing_key: str, category: Any) -> Any:');
    expect(files(false).map((file) => file.path)).not.toContain('metrics/handlers.py');
    expect(
      files(false)
        .map((file) => file.content)
        .join('\n'),
    ).not.toMatch(/route_to_handlers|TrackedHandler/);
  });

  it('takes the publish interval from a metrics subcontract', () => {
    expect(
      contractDefaults({ subcontracts: { metrics: { export_interval_seconds: 15 } } }).publishIntervalSeconds,
    ).toEqual({
      value: 15,
      source: 'from contract.yaml subcontracts.metrics.export_interval_seconds',
    });
    expect(contractDefaults({ metrics: { export_interval_seconds: 0 } }).publishIntervalSeconds).toBeUndefined();
  });

  it('reads io_operations[].operation_type (distributed_lock_effect)', () => {
    const defaults = readContractDefaults(path.join(CONTRACTS, 'distributed_lock_effect'));
    expect(defaults?.operations?.value).toEqual(['database_write', 'database_read']);
    expect(defaults?.operations?.source).toContain('io_operations');
  });

  it.each(['codegen_orchestrator', 'reducer'])('leaves operations required when %s has none', (name) => {
    const defaults = readContractDefaults(path.join(CONTRACTS, name));
    expect(defaults?.operations).toBeUndefined();
    expect(defaults?.serviceVersion?.value).toBe('1.0.0');
  });

  it('merges every layout in order, de-duplicated, skipping nameless entries', () => {
    const defaults = contractDefaults({
      name: 'mixed',
      subcontracts: { effect: { operations: ['first', 'shared'] } },
      operations: [{ name: 'second' }, { description: 'no name' }, 'shared', 'third'],
      io_operations: [{ operation_type: 'fourth' }, { name: 'fifth' }, { atomic: true }, 'ignored'],
      mixins: [{ name: 'Other' }, { name: 'MixinMetrics', config: { percentiles: [50, 99.9] } }],
    });
    expect(defaults.operations?.value).toEqual(['fourth', 'fifth', 'first', 'shared', 'second', 'third']);
    expect(defaults.operations?.source).toBe(
      'from contract.yaml io_operations[] + subcontracts.effect.operations + operations',
    );
    expect(defaults.percentiles?.value).toEqual([50, 99.9]);
    expect(defaults.serviceName?.value).toBe('mixed');
  });

  it('reports invalid YAML naming the file instead of crashing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'contract-'));
    writeFileSync(path.join(dir, 'contract.yaml'), 'name: [unclosed\n  - : :');
    expect(() => readContractDefaults(dir)).toThrow(/contract\.yaml: is not valid YAML/);
  });

  it('shows in the prompts where each default came from', () => {
    const prompts = buildPrompts({ destRoot: CONTRACTS, interactive: true });
    const operations = prompts.find((prompt) => prompt.name === 'operations')!;
    const message = operations.message as (answers: Record<string, unknown>) => string;
    expect(message({ targetDir: 'store_effect' })).toBe(
      'Operations to track (comma-separated, snake_case or dotted) — from contract.yaml operations',
    );
    const defaultOf = operations.default as (answers: Record<string, unknown>) => unknown;
    expect(defaultOf({ targetDir: 'distributed_lock_effect' })).toBe('database_write, database_read');
    expect(defaultOf({ targetDir: 'reducer' })).toBeUndefined();
  });
});

describe('prompts', () => {
  const prompts = buildPrompts({ destRoot: CONTRACTS, interactive: true });
  const byName = (name: string) => prompts.find((prompt) => prompt.name === name)!;

  it('validates inline with the answers schema, naming the field', () => {
    expect(byName('operations').validate!('a, Bad-Op')).toMatch(/^operations\[1\]: must be snake_case/);
    expect(byName('publishIntervalOps').validate!('0')).toBe('publishIntervalOps: must be at least 1');
    expect(byName('serviceName').validate!('orders')).toBe(true);
  });

  it('refuses a target whose contract.yaml is broken', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'broken-'));
    writeFileSync(path.join(dir, 'contract.yaml'), 'a: [');
    const local = buildPrompts({ destRoot: dir, interactive: true });
    expect(local[0]!.validate!('.')).toMatch(/targetDir: .*contract\.yaml: is not valid YAML/);
  });

  it('adds the free percentiles to the checked ones', () => {
    expect(answersFromPrompts({ percentiles: [50, 99], morePercentiles: '99.99, 0.5' })).toEqual({
      percentiles: [50, 99, '99.99', '0.5'],
    });
    expect(answersFromPrompts({ percentiles: [50], morePercentiles: '' })).toEqual({ percentiles: [50] });
    // Typed again, a checked percentile (or a repeated one) counts once: the checkboxes cannot be revisited.
    expect(answersFromPrompts({ percentiles: [50, 99], morePercentiles: '99, 99.9, 99.9' })).toEqual({
      percentiles: [50, 99, '99.9'],
    });
  });

  it('numbers a wrong typed percentile as typed, and asks for one here when none is checked', () => {
    const more = buildPrompts({ destRoot: CONTRACTS, interactive: true }).find(
      (prompt) => prompt.name === 'morePercentiles',
    )!;
    const checked = { percentiles: [50, 95, 99] };
    expect(more.validate!('101', checked)).toBe(
      'Other percentiles, value 1 ("101"): must be greater than 0 and at most 100',
    );
    expect(more.validate!('99.99, abc', checked)).toBe(
      'Other percentiles, value 2 ("abc"): must be a number, 0 < p <= 100',
    );
    expect(more.validate!('99, 99.99', checked)).toBe(true);
    expect(more.validate!('', { percentiles: [] })).toBe(
      'percentiles: none checked, so type at least one here, e.g. 50, 95, 99',
    );
    expect(more.validate!('75', { percentiles: [] })).toBe(true);
  });

  it('asks nothing without a terminal, so defaults apply', () => {
    const silent = buildPrompts({ destRoot: CONTRACTS, interactive: false });
    expect(silent.every((prompt) => prompt.when === false)).toBe(true);
  });
});

describe('language detection', () => {
  it.each([
    [{ 'pyproject.toml': '' }, 'python'],
    [{ 'setup.cfg': '' }, 'python'],
    [{ 'node.py': '', 'contract.yaml': '' }, 'python'],
    [{ 'package.json': '{}' }, 'typescript'],
    [{ 'tsconfig.json': '{}', 'index.ts': '' }, 'typescript'],
    [{ 'service.ts': '', 'types.d.ts': '' }, 'typescript'],
    [{ 'types.d.ts': '' }, 'python'],
    [{ 'package.json': '{}', 'tools.py': '' }, 'python'],
    [{}, 'python'],
  ])('detects %j as %s', (files, language) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lang-'));
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    expect(detectLanguage(dir, '.').language).toBe(language);
  });

  it('looks at the target directory only: a plop repository has a package.json at its root', () => {
    const dest = mkdtempSync(path.join(tmpdir(), 'lang-'));
    writeFileSync(path.join(dest, 'package.json'), '{}');
    mkdirSync(path.join(dest, 'nodes/orders'), { recursive: true });
    writeFileSync(path.join(dest, 'nodes/orders/contract.yaml'), 'name: orders\n');
    expect(detectLanguage(dest, 'nodes/orders')).toEqual({
      language: 'python',
      source: 'no project file found, so python',
    });
    writeFileSync(path.join(dest, 'nodes/orders/service.ts'), '');
    expect(detectLanguage(dest, 'nodes/orders')).toEqual({
      language: 'typescript',
      source: 'detected from service.ts',
    });
    expect(detectLanguage(dest, '.')).toEqual({ language: 'typescript', source: 'detected from package.json' });
  });

  it('asks for the language with the detected one as default', () => {
    const dest = mkdtempSync(path.join(tmpdir(), 'lang-'));
    writeFileSync(path.join(dest, 'tsconfig.json'), '{}');
    const language = buildPrompts({ destRoot: dest, interactive: true }).find((prompt) => prompt.name === 'language')!;
    expect((language.default as (answers: Record<string, unknown>) => unknown)({ targetDir: '.' })).toBe('typescript');
    expect((language.message as (answers: Record<string, unknown>) => string)({ targetDir: '.' })).toBe(
      'Language of the generated code — detected from tsconfig.json',
    );
  });
});

describe('renderMetrics', () => {
  it('plans the package under targetDir, the record last, without touching the disk', () => {
    const { files } = renderMetrics({ ...minimal, targetDir: 'nodes/orders' });
    const paths = files.map((file) => file.path);
    expect(paths).toContain('nodes/orders/metrics/__init__.py');
    expect(paths).toContain('nodes/orders/metrics/tests/test_metrics.py');
    expect(paths.at(-1)).toBe('nodes/orders/.onex-metrics.yaml');
  });

  it('leaves out disabled sections and every reference to them', () => {
    const { files } = renderMetrics({ ...minimal, enableResourceMetrics: false, enableBusinessMetrics: false });
    const paths = files.map((file) => file.path);
    expect(paths).not.toContain('metrics/resources.py');
    expect(paths).not.toContain('metrics/business.py');
    const code = files
      .filter((file) => file.path.endsWith('.py'))
      .map((file) => file.content)
      .join('\n');
    expect(code).not.toMatch(/psutil|ResourceMonitor|BusinessTracker|_track_business_metric/);
  });

  it('records normalized answers and the hash of every file; the record is an answers file', () => {
    const { files, answers } = renderMetrics({ ...minimal, percentiles: '99, 50' });
    const record = files.at(-1)!;
    const parsed = parseYaml(record.content) as Record<string, unknown>;
    expect(parsed._generator).toMatch(/^plop-pack-onex-metrics@\d+\.\d+\.\d+/);
    expect(parsed.percentiles).toEqual([50, 99]);
    const hashes = parsed._files as Record<string, string>;
    for (const file of files.slice(0, -1)) expect(hashes[file.path]).toBe(sha256(file.content));
    expect(parseAnswers(parsed)).toEqual(answers);
    expect(renderMetrics(parsed).files).toEqual(files);
    expect(recordPath('.')).toBe('.onex-metrics.yaml');
  });

  it('is deterministic and marks every generated file', () => {
    const first = renderMetrics(minimal).files;
    expect(renderMetrics(minimal).files).toEqual(first);
    for (const file of first.filter((each) => each.path.endsWith('.py'))) {
      expect(file.content.split('\n')[0]).toMatch(/^# Generated by plop-pack-onex-metrics@.*do not edit\.$/);
    }
  });

  it('renders the TypeScript target into metrics/ with its own test suite', () => {
    const { files, answers } = renderMetrics({ ...minimal, language: 'typescript', enableBusinessMetrics: false });
    expect(answers.language).toBe('typescript');
    const paths = files.map((file) => file.path);
    expect(paths).toContain('metrics/tracker.ts');
    expect(paths).toContain('metrics/metrics.test.ts');
    expect(paths).not.toContain('metrics/business.ts');
    expect(paths.some((each) => each.endsWith('.py'))).toBe(false);
    const config = files.find((file) => file.path === 'metrics/config.ts')!.content;
    expect(config).toContain('export const OPERATIONS = ["create_order", "cancel_order"] as const;');
    expect(config.split('\n')[0]).toMatch(/^\/\/ Generated by plop-pack-onex-metrics@/);
  });

  it('pastes answers only as escaped string literals', () => {
    const { files } = renderMetrics({
      ...minimal,
      envelope: 'omninode-bridge',
      serviceName: 'svc.name-1',
      serviceVersion: '1.0.0-rc.1',
      kafkaTopic: 'a.b_c-d',
    });
    const config = files.find((file) => file.path === 'metrics/config.py')!.content;
    expect(config).toContain('SERVICE_NAME: Final = "svc.name-1"');
    expect(config).toContain('SERVICE_VERSION: Final[str | None] = "1.0.0-rc.1"');
    expect(config).toContain('KAFKA_TOPIC: Final = "a.b_c-d"');
    expect(config).toContain('SNAPSHOT_TOPIC: Final = "a.b_c-d.comprehensive"');
  });

  it('writes the envelope and transport modules of the chosen profile only', () => {
    const pathsOf = (envelope: string) => renderMetrics({ ...minimal, envelope }).files.map((file) => file.path);
    expect(pathsOf('onex')).toContain('metrics/event_bus.py');
    expect(pathsOf('onex')).not.toContain('metrics/kafka.py');
    expect(pathsOf('omninode-bridge')).toContain('metrics/kafka.py');
    expect(pathsOf('omninode-bridge')).not.toContain('metrics/event_bus.py');
    const onex = renderMetrics(minimal)
      .files.map((file) => file.content)
      .join('\n');
    expect(onex).not.toMatch(/aiokafka|publish_with_envelope|kafka_client/);
  });
});

describe('Python literals', () => {
  it('quote any string so it cannot leave its literal', () => {
    expect(pyString('a"b\\c\n\u0000')).toBe('"a\\"b\\\\c\\n\\u0000"');
    expect(pyString('е')).toBe('"\\u0435"'); // Cyrillic look-alike stays visible
    expect(pyFloat(60)).toBe('60.0');
    expect(pyFloat(0.25)).toBe('0.25');
    expect(() => pyFloat(Number.NaN)).toThrow();
  });

  it('match the generated code byte for byte (reviewed by hand)', () => {
    const { files } = renderMetrics({ ...minimal, operations: ['only_one'], percentiles: [99.9] });
    const config = files.find((file) => file.path === 'metrics/config.py')!.content;
    expect(config).toContain('Operation = Literal["only_one"]\n');
    const window = files.find((file) => file.path === 'metrics/window.py')!.content;
    expect(window).toContain('    p99_9: float\n');
    expect(window).toContain('p99_9=nearest_rank(samples, 99900),');
    expect(
      readFileSync(path.resolve(import.meta.dirname, 'targets/python/templates/metrics/config.py.ejs'), 'utf8'),
    ).toContain('get_args(Operation)');
  });
});

describe('the table of answers', () => {
  it("is the README's table, row for row", () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain(`${answersTable()}\n`);
  });

  it('gives the record its key order and every prompt its help', () => {
    expect(ANSWER_KEYS).toEqual(Object.keys(FIELDS));
    const prompts = buildPrompts({ destRoot: CONTRACTS, interactive: true });
    for (const key of ANSWER_KEYS) {
      expect(prompts.find((prompt) => prompt.name === key)?.help, key).toBe(FIELDS[key].prompt.help);
    }
  });
});
