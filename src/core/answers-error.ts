/**
 * Invalid answers, as every entry point reports them: each problem tied to the field
 * that causes it, the field shown unambiguously (and safely for a terminal).
 */

/** One problem with the answers, tied to the field that causes it. */
export interface AnswerIssue {
  field: string;
  message: string;
}

export class InvalidAnswersError extends Error {
  constructor(
    readonly issues: readonly AnswerIssue[],
    readonly source?: string,
  ) {
    super(
      `Invalid answers${source ? ` in ${source}` : ''}:\n` +
        issues.map((issue) => `  ${issue.field}: ${issue.message}`).join('\n'),
    );
    this.name = 'InvalidAnswersError';
  }
}

/**
 * A key as error messages show it: a plain name as is, anything else (empty, padded,
 * holding `:`, `.`, quotes or control characters) quoted and escaped — so the field an
 * error names is unambiguous, and a hostile key cannot break or recolour the terminal.
 */
export function displayKey(key: string): string {
  if (/^[A-Za-z0-9_$-]+$/.test(key)) return key;
  return JSON.stringify(key).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `['operations', 2]` → `operations[2]`. */
export function fieldPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((acc, segment) => {
    if (typeof segment === 'number') return `${acc}[${segment}]`;
    const key = displayKey(String(segment));
    return acc ? `${acc}.${key}` : key;
  }, '');
}

/** The known key closest to `key` (case, `-`/`_` or up to two edits apart), if any. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const plain = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  return (
    known.find((candidate) => plain(candidate) === plain(key)) ??
    known.find((candidate) => editDistance(candidate.toLowerCase(), key.toLowerCase()) <= 2)
  );
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
