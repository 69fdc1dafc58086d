/**
 * Defaults that depend on the destination on disk: the node's contract.yaml and
 * the language detected from the target directory. Everything else about answers
 * is pure and lives in `schema.ts`.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { TARGETS } from './languages.js';
import { readContractDefaults, type ContractDefaults } from './answers/contract.js';
import { type Envelope, envelopeField, type Language, serviceVersionField, targetDirField } from './answers/fields.js';

export interface Detected {
  language: Language;
  /** Why, as a phrase: "detected from package.json", "no project file found". */
  source: string;
}

/**
 * The language of the target directory itself: pyproject.toml, setup.cfg,
 * setup.py or *.py → python; package.json, tsconfig.json or *.ts → typescript
 * (Python markers first); python when there is none. Parent directories are not
 * consulted: a plop repository always has a package.json at its root, whatever
 * the language of its nodes.
 */
export function detectLanguage(destRoot: string, targetDir: string): Detected {
  let entries: string[];
  try {
    entries = readdirSync(path.resolve(destRoot, targetDir));
  } catch {
    entries = [];
  }
  // In the registry's order: a node holding both a pyproject.toml and a package.json is Python.
  for (const target of Object.values(TARGETS)) {
    const { files, extension } = target.markers;
    const marker = entries.find(
      (entry) => files.includes(entry) || (entry.endsWith(extension) && !entry.endsWith(`.d${extension}`)),
    );
    if (marker) return { language: target.language, source: `detected from ${marker}` };
  }
  return { language: 'python', source: 'no project file found, so python' };
}

export interface DiskDefaults {
  contract?: ContractDefaults;
  language: Detected;
  /** Default answers taken from disk, ready to merge under the user's answers. */
  values: Record<string, unknown>;
  /** Answer key → where its default came from. */
  sources: Record<string, string>;
}

/**
 * The service name a contract gives: its `name`; for the omninode-bridge envelope, as
 * that generation named services, with its version: `store_effect` 1.0.0 → `store_effect_v1_0_0`.
 */
function serviceNameFrom(
  contract: ContractDefaults,
  envelope: Envelope,
): { value: string; source: string } | undefined {
  const name = contract.serviceName;
  if (!name) return undefined;
  const version = contract.serviceVersion?.value;
  if (envelope === 'omninode-bridge' && version !== undefined && /^\d+\.\d+\.\d+$/.test(version)) {
    return { value: `${name.value}_v${version.replaceAll('.', '_')}`, source: `${name.source} + version` };
  }
  return name;
}

/** Reads the defaults for `targetDir` (already validated) under `destRoot`. Throws `ContractError`. */
export function diskDefaults(destRoot: string, targetDir: string, envelope: Envelope = 'onex'): DiskDefaults {
  const dir = path.resolve(destRoot, targetDir);
  const contract = existsSync(dir) ? readContractDefaults(dir) : undefined;
  const language = detectLanguage(destRoot, targetDir);
  const values: Record<string, unknown> = { language: language.language };
  const sources: Record<string, string> = { language: language.source };
  const found: Record<string, { value: unknown; source: string } | undefined> = contract
    ? {
        serviceName: serviceNameFrom(contract, envelope),
        // A version the answers would refuse is not offered: the node may name it oddly.
        serviceVersion: serviceVersionField.safeParse(contract.serviceVersion?.value).success
          ? contract.serviceVersion
          : undefined,
        operations: contract.operations,
        percentiles: contract.percentiles,
        publishIntervalSeconds: contract.publishIntervalSeconds,
        trackHandlers: contract.trackHandlers,
      }
    : {};
  for (const [key, sourced] of Object.entries(found)) {
    if (sourced === undefined) continue;
    values[key] = sourced.value;
    sources[key] = sourced.source;
  }
  return { ...(contract ? { contract } : {}), language, values, sources };
}

/**
 * Merges disk defaults under the user's raw answers. Keys the user gave always win.
 * A targetDir that is itself invalid is left for the schema to report.
 */
export function withDiskDefaults(
  destRoot: string,
  raw: Record<string, unknown>,
): { merged: Record<string, unknown>; defaults?: DiskDefaults } {
  const target = targetDirField.safeParse(raw.targetDir ?? '.');
  if (!target.success) return { merged: raw };
  const envelope = envelopeField.safeParse(raw.envelope ?? 'onex');
  const defaults = diskDefaults(destRoot, target.data, envelope.success ? envelope.data : 'onex');
  const merged: Record<string, unknown> = { ...raw };
  for (const [key, value] of Object.entries(defaults.values)) {
    if (merged[key] === undefined) merged[key] = value;
  }
  return { merged, defaults };
}
