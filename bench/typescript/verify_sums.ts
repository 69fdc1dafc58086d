/**
 * Checks, before anything is measured, that the generated `exactSum` (a fast
 * compensated sum, falling back to Shewchuk's algorithm) returns exactly what
 * Python's `math.fsum` returns, on the arrays bench/python/sum_cases.py wrote.
 * Usage: `node --import tsx verify_sums.ts CONFIG.json CASES.json`. Prints no row.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, log } from './common.js';

const config = loadConfig();
const cases = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as { values: number[]; fsum: number }[];
const window = (await import(pathToFileURL(path.join(config.packages.default!, 'metrics', 'window.ts')).href)) as {
  exactSum(values: ArrayLike<number>): number;
};
for (const [index, { values, fsum }] of cases.entries()) {
  const sum = window.exactSum(values);
  if (!Object.is(sum, fsum)) {
    throw new Error(`case ${index} (${values.length} values): exactSum ${sum}, math.fsum ${fsum}`);
  }
}
log(`${cases.length} arrays: exactSum equals math.fsum`);
