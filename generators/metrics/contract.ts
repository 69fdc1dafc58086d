/**
 * Defaults from an ONEX node's `contract.yaml` (BRIEF §8).
 *
 * Real contracts are messy: operations live in one of three layouts, names may be
 * missing, sections may have the wrong shape. Every default carries the place it came
 * from, so prompts and logs can show the user why a value was suggested.
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
  serviceName?: Sourced<string>;
  operations?: Sourced<string[]>;
  percentiles?: Sourced<number[]>;
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
    throw new ContractError(file, 'must be a YAML mapping (name, version, operations, ...); fix it or choose another targetDir');
  }
  return contractDefaults(document, file);
}

export function contractDefaults(contract: Mapping, file = CONTRACT_FILE): ContractDefaults {
  const defaults: ContractDefaults = { file };
  const serviceName = serviceNameOf(contract);
  if (serviceName) defaults.serviceName = serviceName;
  const operations = operationsOf(contract);
  if (operations) defaults.operations = operations;
  const percentiles = percentilesOf(contract);
  if (percentiles) defaults.percentiles = percentiles;
  return defaults;
}

/** `name` plus `version` {major, minor, patch}: `store_effect` v1.0.0 → `store_effect_v1_0_0`. */
function serviceNameOf(contract: Mapping): Sourced<string> | undefined {
  if (!isName(contract.name)) return undefined;
  const name = contract.name.trim();
  const version = contract.version;
  if (isMapping(version)) {
    const parts = [version.major, version.minor, version.patch];
    if (parts.every((part) => Number.isInteger(part))) {
      return { value: `${name}_v${parts.join('_')}`, source: `from ${CONTRACT_FILE} name + version` };
    }
  }
  return { value: name, source: `from ${CONTRACT_FILE} name` };
}

/**
 * Operation names from every layout present, in the order of §8, de-duplicated:
 * `subcontracts.effect.operations`, top-level `operations` (list or mapping),
 * `io_operations[]` (`operation_type`, else `name`).
 */
function operationsOf(contract: Mapping): Sourced<string[]> | undefined {
  const found: { names: string[]; source: string }[] = [];

  const subcontracts = contract.subcontracts;
  if (isMapping(subcontracts) && isMapping(subcontracts.effect) && Array.isArray(subcontracts.effect.operations)) {
    found.push({
      names: subcontracts.effect.operations.filter(isName),
      source: 'subcontracts.effect.operations',
    });
  }

  const operations = contract.operations;
  if (Array.isArray(operations)) {
    const names = operations.map((entry) => (isMapping(entry) ? entry.name : entry)).filter(isName);
    found.push({ names, source: 'operations' });
  } else if (isMapping(operations)) {
    found.push({ names: Object.keys(operations).filter(isName), source: 'operations' });
  }

  if (Array.isArray(contract.io_operations)) {
    const names = contract.io_operations
      .map((entry) => (isMapping(entry) ? (isName(entry.operation_type) ? entry.operation_type : entry.name) : undefined))
      .filter(isName);
    found.push({ names, source: 'io_operations[].operation_type' });
  }

  const value = [...new Set(found.flatMap(({ names }) => names.map((name) => name.trim())))];
  if (value.length === 0) return undefined;
  const sources = found.filter(({ names }) => names.length > 0).map(({ source }) => source);
  return { value, source: `from ${CONTRACT_FILE} ${sources.join(' + ')}` };
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
