/**
 * Writing rules: regeneration from the record, conflicts, --force and the copies it
 * keeps, --dry-run, --check, --diff, --yes, --json, sections turned off, and no
 * half-written tree when something fails mid-way.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../src/generators/metrics/render.js';
import { recordPath } from '../src/core/record.js';
import { commitPlan } from '../src/core/commit.js';
import { planChanges } from '../src/core/plan.js';
import { WriteRefusedError } from '../src/core/destination.js';
import { applyPatch } from 'diff';
import type { JsonReport } from '../src/core/plan-output.js';
import { cli, listFiles, readRecord, snapshotTree, tempDir, withStoreEffect, writeAnswers } from './support/helpers.js';

const answers = { targetDir: 'nodes/orders', serviceName: 'orders', operations: ['create_order', 'get_order'] };
const RECORD = 'nodes/orders/.onex-metrics.yaml';

const COPIES = 'nodes/orders/.onex-metrics-backup';

/** The copies --force kept: path under the run's folder → text. */
function keptCopies(dest: string): Record<string, string> {
  const root = path.join(dest, COPIES);
  const copies: Record<string, string> = {};
  for (const folder of readdirSync(root)) {
    for (const file of listFiles(path.join(root, folder)))
      copies[file] = readFileSync(path.join(root, folder, file), 'utf8');
  }
  return copies;
}

const withoutCopies = (tree: Record<string, string>) =>
  Object.fromEntries(Object.entries(tree).filter(([name]) => !name.startsWith(COPIES)));

function generated(): { dest: string; before: Record<string, string> } {
  const dest = tempDir();
  writeAnswers(path.join(dest, 'answers.yaml'), answers);
  const result = cli(['--answers', 'answers.yaml'], dest);
  expect(result.code, result.stderr).toBe(0);
  return { dest, before: snapshotTree(dest) };
}

describe('regeneration', () => {
  it('from the recorded answers is byte-identical and reports every file unchanged', () => {
    const { dest, before } = generated();
    const again = cli(['--answers', RECORD], dest);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.split('\n').filter((line) => line.startsWith('unchanged')).length).toBe(
      listFiles(path.join(dest, 'nodes/orders')).length,
    );
    expect(snapshotTree(dest)).toEqual(before);
  });

  it('updates files that were not edited when an answer changes', () => {
    const { dest } = generated();
    const record = path.join(dest, RECORD);
    writeFileSync(record, readFileSync(record, 'utf8').replace('publishIntervalOps: 100', 'publishIntervalOps: 5'));
    const result = cli(['--answers', RECORD], dest);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^update +nodes\/orders\/metrics\/config\.py$/m);
    expect(result.stdout).toMatch(/^unchanged +nodes\/orders\/metrics\/mixin\.py$/m);
    expect(readFileSync(path.join(dest, 'nodes/orders/metrics/config.py'), 'utf8')).toContain(
      'PUBLISH_INTERVAL_OPS: Final = 5\n',
    );
  });

  it('deletes the files of a section turned off, unless they were edited', () => {
    const { dest } = generated();
    const business = path.join(dest, 'nodes/orders/metrics/business.py');
    const resources = path.join(dest, 'nodes/orders/metrics/resources.py');
    appendFileSync(resources, '# my note\n');
    const off = writeAnswers(path.join(dest, 'off.json'), {
      ...answers,
      enableBusinessMetrics: false,
      enableResourceMetrics: false,
    });
    const refused = cli(['--answers', off], dest);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('nodes/orders/metrics/resources.py: is no longer generated but was edited');
    expect(existsSync(business)).toBe(true);
    const forced = cli(['--answers', off, '--force'], dest);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(business)).toBe(false);
    expect(existsSync(resources)).toBe(false);
    // The edited file it deleted is kept; the unedited one is not.
    const kept = keptCopies(dest);
    expect(Object.keys(kept)).toEqual(['metrics/resources.py']);
    expect(kept['metrics/resources.py']).toMatch(/# my note\n$/);
    expect(readFileSync(path.join(dest, 'nodes/orders/metrics/mixin.py'), 'utf8')).not.toContain('business');
  });
});

describe('conflicts', () => {
  it('--force replaces the edit, keeps the edited file byte for byte and says where', () => {
    const { dest, before } = generated();
    const mixin = path.join(dest, 'nodes/orders/metrics/mixin.py');
    appendFileSync(mixin, '\n# tuned by hand\n');
    const edited = readFileSync(mixin);
    const result = cli(['--answers', RECORD, '--force'], dest);
    expect(result.code, result.stderr).toBe(0);
    const [folder] = readdirSync(path.join(dest, 'nodes/orders/.onex-metrics-backup'));
    const where = `nodes/orders/.onex-metrics-backup/${folder}`;
    expect(folder).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(result.stdout).toMatch(new RegExp(`^overwrite +nodes/orders/metrics/mixin\\.py`, 'm'));
    expect(result.stdout).toContain(
      `keep       ${where}/metrics/mixin.py  (your edited nodes/orders/metrics/mixin.py)`,
    );
    expect(result.stdout).toContain(`Your edited files are kept under ${where}/`);
    expect(readFileSync(path.join(dest, where, 'metrics/mixin.py'))).toEqual(edited);
    // Apart from the copy, the tree is as generated, and the next run is clean.
    expect(withoutCopies(snapshotTree(dest))).toEqual(before);
    expect(cli(['--check', '--answers', RECORD], dest).code).toBe(0);
  });

  it('a second forced run keeps its copies apart from the first', () => {
    const { dest } = generated();
    const mixin = path.join(dest, 'nodes/orders/metrics/mixin.py');
    for (const edit of ['# first\n', '# second\n']) {
      appendFileSync(mixin, edit);
      expect(cli(['--answers', RECORD, '--force'], dest).code).toBe(0);
    }
    const copies = readdirSync(path.join(dest, 'nodes/orders/.onex-metrics-backup'));
    expect(copies).toHaveLength(2);
    const kept = copies.map((folder) =>
      readFileSync(path.join(dest, 'nodes/orders/.onex-metrics-backup', folder, 'metrics/mixin.py'), 'utf8'),
    );
    // Each copy holds the edit its run replaced.
    expect(
      kept.map((text) => (text.endsWith('# first\n') ? 'first' : text.endsWith('# second\n') ? 'second' : '?')).sort(),
    ).toEqual(['first', 'second']);
  });

  it('a file the generator did not write is a conflict too', () => {
    const dest = tempDir();
    mkdirSync(path.join(dest, 'nodes/orders/metrics'), { recursive: true });
    writeFileSync(path.join(dest, 'nodes/orders/metrics/config.py'), 'MINE = 1\n');
    writeAnswers(path.join(dest, 'a.json'), answers);
    const result = cli(['--answers', 'a.json'], dest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('metrics/config.py: exists but was not generated here');
    expect(listFiles(dest)).toEqual(['a.json', 'nodes/orders/metrics/config.py']);
  });
});

describe('--dry-run', () => {
  it('lists create / update / unchanged / conflict, writes nothing and exits 1 as the real run would', () => {
    const { dest } = generated();
    const record = path.join(dest, RECORD);
    writeFileSync(record, readFileSync(record, 'utf8').replace('- get_order', '- get_order\n  - list_orders'));
    appendFileSync(path.join(dest, 'nodes/orders/metrics/mixin.py'), '# edit\n');
    rmSync(path.join(dest, 'nodes/orders/metrics/window.py'));
    const before = snapshotTree(dest);
    const result = cli(['--answers', RECORD, '--dry-run'], dest);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^create +nodes\/orders\/metrics\/window\.py$/m);
    expect(result.stdout).toMatch(/^update +nodes\/orders\/metrics\/config\.py$/m);
    expect(result.stdout).toMatch(/^unchanged +nodes\/orders\/metrics\/decorator\.py$/m);
    expect(result.stdout).toMatch(
      /^conflict +nodes\/orders\/metrics\/mixin\.py +\(was edited since it was generated\)$/m,
    );
    expect(result.stderr).toContain('Dry run: nothing was written, and the real run would be refused: 1 file(s)');
    expect(snapshotTree(dest)).toEqual(before);
    // With --force the real run would go ahead, keeping the edit: exit 0.
    const forced = cli(['--answers', RECORD, '--dry-run', '--force'], dest);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^overwrite +nodes\/orders\/metrics\/mixin\.py/m);
    expect(forced.stdout).toMatch(/^keep +nodes\/orders\/\.onex-metrics-backup\/[^/]+\/metrics\/mixin\.py/m);
    expect(forced.stdout).toContain('Dry run: nothing was written.');
    expect(snapshotTree(dest)).toEqual(before);
  });

  it('of a fresh target lists only creations and creates no directory', () => {
    const dest = tempDir();
    writeAnswers(path.join(dest, 'a.json'), answers);
    const result = cli(['--answers', 'a.json', '--dry-run'], dest);
    expect(result.code).toBe(0);
    const kinds = new Set(
      result.stdout
        .split('\n')
        .filter((line) => line.includes('nodes/'))
        .map((line) => line.split(/\s+/)[0]),
    );
    expect([...kinds]).toEqual(['create']);
    expect(listFiles(dest)).toEqual(['a.json']);
  });
});

describe('--check, for CI', () => {
  it('exits 0 while the files are what the record generates, writing nothing', () => {
    const { dest, before } = generated();
    const result = cli(['--check', '--answers', RECORD], dest);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      `Up to date: the ${listFiles(path.join(dest, 'nodes/orders')).length} generated files are what ${RECORD} produces.\n`,
    );
    expect(snapshotTree(dest)).toEqual(before);
  });

  it('exits 1 for an edited, a missing or an outdated file, listing them and how to regenerate', () => {
    const { dest } = generated();
    appendFileSync(path.join(dest, 'nodes/orders/metrics/mixin.py'), '# edit\n');
    rmSync(path.join(dest, 'nodes/orders/metrics/window.py'));
    // An answer changed in the record without regenerating: config.py is outdated.
    const record = path.join(dest, RECORD);
    writeFileSync(record, readFileSync(record, 'utf8').replace('publishIntervalOps: 100', 'publishIntervalOps: 5'));
    const before = snapshotTree(dest);
    const result = cli(['--check', '--answers', RECORD], dest);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n').sort()).toEqual([
      'conflict  nodes/orders/metrics/mixin.py  (was edited since it was generated)',
      'create    nodes/orders/metrics/window.py',
      'update    nodes/orders/.onex-metrics.yaml',
      'update    nodes/orders/metrics/config.py',
    ]);
    expect(result.stderr).toBe(
      `onex-metrics: 4 generated file(s) differ from what ${RECORD} produces. ` +
        `Regenerate with: npx onex-metrics --answers ${RECORD} --force (edited files are kept as copies)\n`,
    );
    expect(snapshotTree(dest)).toEqual(before);
  });

  it('needs the record and does not go with --force or --dry-run (exit 2)', () => {
    const { dest } = generated();
    for (const args of [
      ['--check'],
      ['--check', '--answers', RECORD, '--force'],
      ['--check', '--answers', RECORD, '--dry-run'],
    ]) {
      const result = cli(args, dest);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(
        /^onex-metrics: --check (needs --answers <targetDir>\/\.onex-metrics\.yaml|only compares; drop --dry-run and --force)/,
      );
    }
  });
});

describe('--diff', () => {
  it("shows a refused run's conflicts as unified diffs that turn the file on disk into the generated one", () => {
    const { dest } = generated();
    const mixin = path.join(dest, 'nodes/orders/metrics/mixin.py');
    const generatedText = readFileSync(mixin, 'utf8');
    appendFileSync(mixin, '# tuned by hand\n');
    const result = cli(['--answers', RECORD, '--diff'], dest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nodes/orders/metrics/mixin.py: was edited since it was generated');
    expect(result.stdout).toContain(
      '--- a/nodes/orders/metrics/mixin.py\ton disk\n+++ b/nodes/orders/metrics/mixin.py\tgenerated\n',
    );
    expect(result.stdout).toMatch(/^-# tuned by hand$/m);
    expect(applyPatch(readFileSync(mixin, 'utf8'), result.stdout)).toBe(generatedText);
  });

  it('shows an update of a run that writes, and only the files that change', () => {
    const { dest } = generated();
    const record = path.join(dest, RECORD);
    writeFileSync(record, readFileSync(record, 'utf8').replace('publishIntervalOps: 100', 'publishIntervalOps: 5'));
    const result = cli(['--answers', RECORD, '--diff'], dest);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^-PUBLISH_INTERVAL_OPS: Final = 100$/m);
    expect(result.stdout).toMatch(/^\+PUBLISH_INTERVAL_OPS: Final = 5$/m);
    const patched = [...result.stdout.matchAll(/^\+\+\+ b\/(\S+)/gm)].map((match) => match[1]);
    expect(patched).toEqual(['nodes/orders/metrics/config.py', RECORD]);
  });
});

describe('--yes', () => {
  it('takes every default without prompts: the name and operations from contract.yaml', () => {
    const dest = withStoreEffect(tempDir());
    const result = cli(['--yes', '--dest', 'store_effect'], dest);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Next steps');
    const record = readRecord(path.join(dest, 'store_effect'));
    expect(record).toMatchObject({
      language: 'python',
      targetDir: '.',
      serviceName: 'store_effect',
      publishIntervalOps: 100,
    });
    expect(record.operations).toEqual(['persist_state']);
  });

  it('without a contract.yaml names the answers it cannot default (exit 2)', () => {
    const dest = tempDir();
    const result = cli(['--yes'], dest);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/serviceName: is required.*no contract\.yaml in targetDir/);
    expect(listFiles(dest)).toEqual([]);
  });
});

describe('--json', () => {
  const json = (stdout: string) => JSON.parse(stdout) as JsonReport;

  it('prints the written plan, the answers used and the next steps as one object', () => {
    const dest = tempDir();
    writeAnswers(path.join(dest, 'a.json'), answers);
    const result = cli(['--answers', 'a.json', '--json'], dest);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const report = json(result.stdout);
    expect(report).toMatchObject({
      status: 'written',
      exitCode: 0,
      answers: { serviceName: 'orders', publishIntervalOps: 100 },
    });
    expect(report.changes?.map((change) => change.path).sort()).toEqual(
      listFiles(dest).filter((name) => name !== 'a.json'),
    );
    expect(new Set(report.changes?.map((change) => change.kind))).toEqual(new Set(['create']));
    expect(report.nextSteps).toContain('$ python -m metrics');
  });

  it('reports a refusal with its conflicts (and their diffs), invalid answers with each field', () => {
    const { dest } = generated();
    appendFileSync(path.join(dest, 'nodes/orders/metrics/mixin.py'), '# tuned by hand\n');
    const refused = cli(['--answers', RECORD, '--json', '--diff'], dest);
    expect(refused.code).toBe(1);
    expect(json(refused.stdout)).toMatchObject({
      status: 'refused',
      exitCode: 1,
      changes: [
        {
          path: 'nodes/orders/metrics/mixin.py',
          kind: 'conflict',
          reason: 'was edited since it was generated',
          forced: 'update',
          diff: expect.stringMatching(/^-# tuned by hand$/m),
        },
      ],
    });
    const checked = cli(['--check', '--answers', RECORD, '--json'], dest);
    expect(checked.code).toBe(1);
    expect(json(checked.stdout)).toMatchObject({ status: 'stale', exitCode: 1 });

    writeAnswers(path.join(dest, 'bad.json'), { ...answers, operations: ['Create Order'] });
    const invalid = cli(['--answers', 'bad.json', '--json'], dest);
    expect(invalid.code).toBe(2);
    const report = json(invalid.stdout);
    expect(report).toMatchObject({ status: 'invalid', exitCode: 2 });
    expect(report.issues?.map((issue) => issue.field)).toEqual(['operations[0]']);
  });
});

describe('atomic writes', () => {
  it('a file in the way of a new directory, found when the commit re-checks the plan, leaves the tree as it was', () => {
    const { dest, before } = generated();
    const changed = renderMetrics({
      ...answers,
      operations: ['create_order', 'get_order', 'list_orders'],
      enableBusinessMetrics: false,
    });
    const plan = planChanges(dest, {
      targetDir: 'nodes/orders',
      files: [
        ...changed.files.slice(0, -1),
        { path: 'nodes/orders/extra/new.py', content: 'x = 1\n' },
        changed.files.at(-1)!,
      ],
      recordPath: recordPath('nodes/orders'),
    });
    expect(plan.changes.map((change) => change.kind)).toContain('delete');
    // Someone puts a file where a directory is needed after the plan was made.
    writeFileSync(path.join(dest, 'nodes/orders/extra'), 'in the way\n');
    const withObstacle = snapshotTree(dest);
    expect(() => commitPlan(plan)).toThrow(WriteRefusedError);
    expect(snapshotTree(dest)).toEqual(withObstacle);
    rmSync(path.join(dest, 'nodes/orders/extra'));
    expect(snapshotTree(dest)).toEqual(before);
  });
});
