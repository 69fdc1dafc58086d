/** The benchmark's one markdown table: every row of rows.ts, measured or missing. */
import type { Measured } from './process.js';
import type { Budget, Row, Section, Unit } from '../rows.js';

const group = (text: string): string => text.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

export function format(value: number, unit: Unit): string {
  switch (unit) {
    case 'ns':
      return group(value.toFixed(0));
    case '×':
      return value.toFixed(2);
    case 'MB':
    case '/s':
      return Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(1);
    default:
      return Math.abs(value) < 100 ? value.toFixed(1) : group(value.toFixed(0));
  }
}

const withUnit = (text: string, unit: Unit): string => (unit === '×' ? `${text}×` : `${text} ${unit}`);

export function budgetText(budget: Budget): string {
  return `${budget.op === '<=' ? '≤' : '≥'} ${budget.value}${budget.stretch ? ' (stretch)' : ''}`;
}

export function holds(budget: Budget, value: number): boolean {
  return budget.op === '<=' ? value <= budget.value : value >= budget.value;
}

export interface Verdict {
  row: Row;
  measured?: Measured;
  holds?: boolean;
}

/** Budgets judged on the medians (none in smoke mode: its timings mean nothing). */
export function verdicts(
  sections: readonly Section[],
  results: ReadonlyMap<string, Measured>,
  judge: boolean,
): Verdict[] {
  return sections.flatMap((section) =>
    section.rows.map((row) => {
      const measured = results.get(row.id);
      const verdict: Verdict = { row, ...(measured ? { measured } : {}) };
      if (judge && measured && row.budget) verdict.holds = holds(row.budget, measured.median);
      return verdict;
    }),
  );
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderTable(
  sections: readonly Section[],
  results: ReadonlyMap<string, Measured>,
  judge: boolean,
): string {
  const lines = ['| what | median | spread (min – max) | budget | holds | notes |', '|---|--:|--:|---|:-:|---|'];
  const byId = new Map(verdicts(sections, results, judge).map((verdict) => [verdict.row.id, verdict]));
  for (const section of sections) {
    lines.push(`| **${section.title}** <sub>${section.script}</sub> | | | | | |`);
    for (const row of section.rows) {
      const { measured, holds: ok } = byId.get(row.id)!;
      const budget = row.budget ? budgetText(row.budget) : '';
      if (!measured) {
        lines.push(`| ${cell(row.label)} | **missing** | | ${budget} | ✗ | |`);
        continue;
      }
      const spread =
        measured.rounds > 1
          ? `${format(measured.min, row.unit)} – ${format(measured.max, row.unit)} (${measured.rounds} rounds)`
          : '';
      const mark = ok === undefined ? (row.budget ? '—' : '') : ok ? '✓' : '✗';
      lines.push(
        `| ${cell(row.label)} | ${withUnit(format(measured.median, row.unit), row.unit)} | ${spread} | ${budget} | ${mark} | ${cell(measured.note ?? '')} |`,
      );
    }
  }
  return lines.join('\n');
}
