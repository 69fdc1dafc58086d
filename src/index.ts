/**
 * plop-pack-onex-metrics.
 *
 * - As a plop pack: `plop.load('plop-pack-onex-metrics')` adds the `metrics` generator.
 * - As a library: `renderMetrics(answers)` returns the planned files without touching
 *   the disk; `generateMetrics(answers, { destRoot })` validates, plans and writes.
 */
import type { NodePlopAPI } from 'plop';
import registerMetricsGenerator from '../generators/metrics/index.js';

export { renderMetrics, renderRecord, RECORD_FILE } from '../generators/metrics/render.js';
export type { PlannedFile, RenderedMetrics } from '../generators/metrics/render.js';
export { generateMetrics } from '../generators/metrics/generate.js';
export type { GenerateOptions, GenerateResult } from '../generators/metrics/generate.js';
export {
  answersSchema,
  parseAnswers,
  InvalidAnswersError,
  percentileKey,
  LANGUAGES,
} from '../generators/metrics/schema.js';
export type { Answers, AnswersInput, AnswerIssue, Language } from '../generators/metrics/schema.js';
export { ConflictError, WriteRefusedError, describePlan } from './tree.js';
export type { Plan, PlannedChange, ChangeKind } from './tree.js';

/** The pack's plopfile: registers the `metrics` generator. */
export default function plopfile(plop: NodePlopAPI): void {
  registerMetricsGenerator(plop);
}
