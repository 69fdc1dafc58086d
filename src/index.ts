/**
 * plop-pack-onex-metrics.
 *
 * - As a plop pack: `plop.load('plop-pack-onex-metrics')` adds the `metrics` generator.
 * - As a library: `renderMetrics(answers)` returns the planned files without touching
 *   the disk; `generateMetrics(answers, { destRoot })` validates, plans and writes.
 */
import type { NodePlopAPI } from 'plop';
import { registerMetricsGenerator } from './plop.js';

export { renderMetrics, renderRecord } from './generators/metrics/render.js';
export { RECORD_FILE } from './core/record.js';
export type { PlannedFile, RenderedMetrics } from './generators/metrics/render.js';
export { generateMetrics } from './generators/metrics/generate.js';
export type { GenerateOptions, GenerateResult } from './generators/metrics/generate.js';
export { answersSchema, parseAnswers, percentileKey } from './generators/metrics/answers/schema.js';
export { LANGUAGES } from './generators/metrics/answers/fields.js';
export { InvalidAnswersError } from './core/answers-error.js';
export type { Answers, AnswersInput } from './generators/metrics/answers/schema.js';
export type { Language } from './generators/metrics/answers/fields.js';
export type { AnswerIssue } from './core/answers-error.js';
export { ConflictError } from './core/plan.js';
export { WriteRefusedError } from './core/destination.js';
export { describePlan } from './core/plan-output.js';
export type { Plan, PlannedChange, ChangeKind } from './core/plan.js';

/** The pack's plopfile: registers the `metrics` generator. */
export default function plopfile(plop: NodePlopAPI): void {
  registerMetricsGenerator(plop);
}
