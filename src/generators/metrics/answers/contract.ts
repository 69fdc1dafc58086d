/**
 * Defaults from an ONEX node's `contract.yaml`.
 *
 * Real contracts are messy: operations live in any of five layouts (today's nodes route
 * them to handlers), names may be missing, versions are strings or mappings, sections may
 * have the wrong shape. Every default carries the place it came from, so prompts and logs
 * can show the user why a value was suggested.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const CONTRACT_FILE = 'contract.yaml';

export interface Sourced<T> {
  value: T;
  /** Where the value came from, e.g. `from contract.yaml io_operations[].operation_type`. */
  source: string;
}

export interface ContractDefaults {
  /** Path of the contract file that was read. */
  file: string;
  /** The node's `name`. */
  serviceName?: Sourced<string>;
  /** `node_version`, else `contract_version`, else `version`, as "1.0.0". */
  serviceVersion?: Sourced<string>;
  operations?: Sourced<string[]>;
  /** Where each layout's names were found (layout → names), in the order read. */
  operationLayouts?: { layout: string; names: string[] }[];
  percentiles?: Sourced<number[]>;
  /** From a `metrics` subcontract: `export_interval_seconds`. */
  publishIntervalSeconds?: Sourced<number>;
  /** Whether `handler_routing` routes operations to handlers by operation. */
  trackHandlers?: Sourced<boolean>;
}

export class ContractError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ContractError';
  }
}

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isName = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Reads `<dir>/contract.yaml`; `undefined` when there is none. Invalid YAML is a `ContractError`. */
export function readContractDefaults(dir: string): ContractDefaults | undefined {
  const file = path.join(dir, CONTRACT_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ContractError(file, `cannot be read (${(error as Error).message})`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new ContractError(file, `is not valid YAML (${reason}); fix it or choose another targetDir`);
  }
  if (document == null) return { file };
  if (!isMapping(document)) {
    throw new ContractError(
      file,
      'must be a YAML mapping (name, version, operations, ...); fix it or choose another targetDir',
    );
  }
  return contractDefaults(document, file);
}

export function contractDefaults(contract: Mapping, file = CONTRACT_FILE): ContractDefaults {
  const defaults: ContractDefaults = { file };
  if (isName(contract.name)) {
    defaults.serviceName = { value: contract.name.trim(), source: `from ${CONTRACT_FILE} name` };
  }
  const version = versionOf(contract);
  if (version) defaults.serviceVersion = version;
  const layouts = operationLayouts(contract);
  const operations = [...new Set(layouts.flatMap(({ names }) => names))];
  if (operations.length > 0) {
    defaults.operationLayouts = layouts;
    defaults.operations = {
      value: operations,
      source: `from ${CONTRACT_FILE} ${layouts.map(({ layout }) => layout).join(' + ')}`,
    };
  }
  const percentiles = percentilesOf(contract);
  if (percentiles) defaults.percentiles = percentiles;
  const interval = publishIntervalOf(contract);
  if (interval) defaults.publishIntervalSeconds = interval;
  if (routesByOperation(contract)) {
    defaults.trackHandlers = { value: true, source: `from ${CONTRACT_FILE} handler_routing (operation_match)` };
  }
  return defaults;
}

/**
 * Whether the contract routes operations to handlers by their name (ONEX's
 * `operation_match`, also when no strategy is given): then the routing key of a
 * message is its operation, and the node's routing can time each handler call.
 */
function routesByOperation(contract: Mapping): boolean {
  const routing = contract.handler_routing;
  if (!isMapping(routing)) return false;
  const strategy = routing.routing_strategy ?? 'operation_match';
  if (strategy !== 'operation_match') return false;
  return names(routing.handlers, (entry) => entry.operation).some((name) => !WILDCARD.test(name));
}

/** `{major: 1, minor: 2, patch: 3}` or `"1.2.3"` → `"1.2.3"`; anything else → undefined. */
function versionText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (isMapping(value)) {
    const parts = [value.major, value.minor, value.patch];
    if (parts.every((part) => Number.isInteger(part))) return parts.join('.');
  }
  return undefined;
}

/** The node's version: `node_version`, else `contract_version`, else `version`. */
function versionOf(contract: Mapping): Sourced<string> | undefined {
  for (const key of ['node_version', 'contract_version', 'version']) {
    const value = versionText(contract[key]);
    if (value !== undefined) return { value, source: `from ${CONTRACT_FILE} ${key}` };
  }
  return undefined;
}

/** Routing keys that match many operations rather than name one. */
const WILDCARD = /[*?[\]]|^(all|any|default)$/;

/**
 * The names in a list: what `pick` takes from each mapping entry, and the entries
 * that are names themselves when `bare` is set. Anything else is skipped.
 */
const names = (entries: unknown, pick: (entry: Mapping) => unknown, bare = false): string[] =>
  Array.isArray(entries)
    ? entries
        .map((entry) => (isMapping(entry) ? pick(entry) : bare ? entry : undefined))
        .filter(isName)
        .map((name) => name.trim())
    : [];

const firstName = (entry: Mapping, keys: readonly string[]): unknown => keys.map((key) => entry[key]).find(isName);

/**
 * Operation names from every layout present, in this order: `handler_routing.handlers[].operation`
 * (routing wildcards skipped), `io_operations[]` (`operation`, else `operation_type`, else `name`),
 * `effect_operations.operations[]` (`operation_name`, else `name`), `subcontracts.effect.operations`,
 * top-level `operations` (a list, or a mapping whose keys are the names).
 */
export function operationLayouts(contract: Mapping): { layout: string; names: string[] }[] {
  const found: { layout: string; names: string[] }[] = [];
  const routing = contract.handler_routing;
  if (isMapping(routing)) {
    const routed = names(routing.handlers, (entry) => entry.operation).filter((name) => !WILDCARD.test(name));
    found.push({ layout: 'handler_routing.handlers[].operation', names: routed });
  }
  found.push({
    layout: 'io_operations[]',
    names: names(contract.io_operations, (entry) => firstName(entry, ['operation', 'operation_type', 'name'])),
  });
  const effect = contract.effect_operations;
  if (isMapping(effect)) {
    found.push({
      layout: 'effect_operations.operations[]',
      names: names(effect.operations, (entry) => firstName(entry, ['operation_name', 'name'])),
    });
  }
  const subcontracts = contract.subcontracts;
  if (isMapping(subcontracts) && isMapping(subcontracts.effect)) {
    found.push({
      layout: 'subcontracts.effect.operations',
      names: names(subcontracts.effect.operations, () => undefined, true),
    });
  }
  const operations = contract.operations;
  if (Array.isArray(operations)) {
    found.push({ layout: 'operations', names: names(operations, (entry) => entry.name, true) });
  } else if (isMapping(operations)) {
    found.push({ layout: 'operations', names: Object.keys(operations).filter(isName) });
  }
  return found.filter(({ names }) => names.length > 0);
}

/** `mixins[name=MixinMetrics].config.percentiles`. */
function percentilesOf(contract: Mapping): Sourced<number[]> | undefined {
  if (!Array.isArray(contract.mixins)) return undefined;
  const mixin = contract.mixins.find((entry) => isMapping(entry) && entry.name === 'MixinMetrics');
  if (!isMapping(mixin) || !isMapping(mixin.config) || !Array.isArray(mixin.config.percentiles)) return undefined;
  const value = mixin.config.percentiles.filter((p): p is number => typeof p === 'number');
  if (value.length === 0) return undefined;
  return { value, source: `from ${CONTRACT_FILE} mixins[MixinMetrics].config.percentiles` };
}

/**
 * A metrics subcontract (omnibase-core `ModelMetricsSubcontract`), at `subcontracts.metrics`
 * or top-level `metrics`: its `export_interval_seconds` is how often to publish.
 */
function publishIntervalOf(contract: Mapping): Sourced<number> | undefined {
  const subcontracts = contract.subcontracts;
  const candidates: [string, unknown][] = [
    ['subcontracts.metrics', isMapping(subcontracts) ? subcontracts.metrics : undefined],
    ['metrics', contract.metrics],
  ];
  for (const [where, metrics] of candidates) {
    if (!isMapping(metrics)) continue;
    const seconds = metrics.export_interval_seconds;
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) {
      return { value: seconds, source: `from ${CONTRACT_FILE} ${where}.export_interval_seconds` };
    }
  }
  return undefined;
}
