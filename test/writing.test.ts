/**
 * Writing rules of §4: regeneration from the record, conflicts, --force, --dry-run,
 * sections turned off, and no half-written tree when something fails mid-way.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetrics, recordPath, sha256 } from '../generators/metrics/render.js';
import { commitPlan, planChanges, WriteRefusedError } from '../src/tree.js';
import { cli, listFiles, snapshotTree, tempDir, writeAnswers } from './support/helpers.js';

const answers = { targetDir: 'nodes/orders', serviceName: 'orders', operations: ['create_order', 'get_order'] };
const RECORD = 'nodes/orders/.onex-metrics.yaml';

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
    expect(readFileSync(path.join(dest, 'nodes/orders/metrics/config.py'), 'utf8')).toContain('PUBLISH_INTERVAL_OPS: Final = 5\n');
  });

  it('deletes the files of a section turned off, unless they were edited', () => {
    const { dest } = generated();
    const business = path.join(dest, 'nodes/orders/metrics/business.py');
    const resources = path.join(dest, 'nodes/orders/metrics/resources.py');
    appendFileSync(resources, '# my note\n');
    const off = writeAnswers(path.join(dest, 'off.json'), { ...answers, enableBusinessMetrics: false, enableResourceMetrics: false });
    const refused = cli(['--answers', off], dest);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('nodes/orders/metrics/resources.py: is no longer generated but was edited');
    expect(existsSync(business)).toBe(true);
    const forced = cli(['--answers', off, '--force'], dest);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(business)).toBe(false);
    expect(existsSync(resources)).toBe(false);
    expect(readFileSync(path.join(dest, 'nodes/orders/metrics/mixin.py'), 'utf8')).not.toContain('business');
  });
});

describe('conflicts', () => {
  it('a hand-edited file refuses the run (exit 1) and stays as the user left it', () => {
    const { dest } = generated();
    const mixin = path.join(dest, 'nodes/orders/metrics/mixin.py');
    appendFileSync(mixin, '\n# tuned by hand\n');
    const edited = snapshotTree(dest);
    const result = cli(['--answers', RECORD], dest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nodes/orders/metrics/mixin.py: was edited since it was generated');
    expect(result.stderr).toContain('--force');
    expect(snapshotTree(dest)).toEqual(edited);
  });

  it('--force overwrites the edit and the run is clean again', () => {
    const { dest, before } = generated();
    appendFileSync(path.join(dest, 'nodes/orders/metrics/mixin.py'), '\n# tuned by hand\n');
    const result = cli(['--answers', RECORD, '--force'], dest);
    expect(result.code, result.stderr).toBe(0);
    expect(snapshotTree(dest)).toEqual(before);
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
  it('lists create / update / unchanged / conflict and writes nothing', () => {
    const { dest } = generated();
    const record = path.join(dest, RECORD);
    writeFileSync(record, readFileSync(record, 'utf8').replace('- get_order', '- get_order\n  - list_orders'));
    appendFileSync(path.join(dest, 'nodes/orders/metrics/mixin.py'), '# edit\n');
    rmSync(path.join(dest, 'nodes/orders/metrics/window.py'));
    const before = snapshotTree(dest);
    const result = cli(['--answers', RECORD, '--dry-run'], dest);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^create +nodes\/orders\/metrics\/window\.py$/m);
    expect(result.stdout).toMatch(/^update +nodes\/orders\/metrics\/config\.py$/m);
    expect(result.stdout).toMatch(/^unchanged +nodes\/orders\/metrics\/decorator\.py$/m);
    expect(result.stdout).toMatch(/^conflict +nodes\/orders\/metrics\/mixin\.py +\(was edited since it was generated\)$/m);
    expect(result.stdout).toContain('Dry run: nothing was written.');
    expect(snapshotTree(dest)).toEqual(before);
  });

  it('of a fresh target lists only creations and creates no directory', () => {
    const dest = tempDir();
    writeAnswers(path.join(dest, 'a.json'), answers);
    const result = cli(['--answers', 'a.json', '--dry-run'], dest);
    expect(result.code).toBe(0);
    const kinds = new Set(result.stdout.split('\n').filter((line) => line.includes('nodes/')).map((line) => line.split(/\s+/)[0]));
    expect([...kinds]).toEqual(['create']);
    expect(listFiles(dest)).toEqual(['a.json']);
  });
});

describe('atomic writes', () => {
  it('a failure in the middle of the commit leaves the tree as it was', () => {
    const { dest, before } = generated();
    const changed = renderMetrics({ ...answers, operations: ['create_order', 'get_order', 'list_orders'], enableBusinessMetrics: false });
    const plan = planChanges(dest, {
      targetDir: 'nodes/orders',
      files: [...changed.files.slice(0, -1), { path: 'nodes/orders/extra/new.py', content: 'x = 1\n' }, changed.files.at(-1)!],
      recordPath: recordPath('nodes/orders'),
      sha256,
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

  it('a failure while renaming into place puts back what was already replaced or deleted', () => {
    const { dest } = generated();
    const changed = renderMetrics({ ...answers, publishIntervalOps: 7, enableBusinessMetrics: false });
    const plan = planChanges(dest, { targetDir: 'nodes/orders', files: changed.files, recordPath: recordPath('nodes/orders'), sha256 });
    const kinds = Object.fromEntries(plan.changes.map((change) => [change.path, change.kind]));
    expect(kinds['nodes/orders/metrics/config.py']).toBe('update');
    expect(kinds['nodes/orders/metrics/business.py']).toBe('delete');
    expect(kinds['nodes/orders/metrics/mixin.py']).toBe('update');
    // After planning, a directory replaces a file that comes later in the commit.
    rmSync(path.join(dest, 'nodes/orders/metrics/mixin.py'));
    mkdirSync(path.join(dest, 'nodes/orders/metrics/mixin.py/x'), { recursive: true });
    const withObstacle = snapshotTree(dest);
    expect(() => commitPlan(plan)).toThrow(/Writing failed, nothing was changed/);
    expect(snapshotTree(dest)).toEqual(withObstacle);
  });

  it('leaves no temporary files behind', () => {
    const { dest } = generated();
    expect(listFiles(dest).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a directory where a generated file goes (exit 1), writing nothing', () => {
    const dest = tempDir();
    mkdirSync(path.join(dest, 'nodes/orders/metrics/config.py'), { recursive: true });
    writeAnswers(path.join(dest, 'a.json'), answers);
    const before = snapshotTree(dest);
    const result = cli(['--answers', 'a.json'], dest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nodes/orders/metrics/config.py: is a directory where the generator writes a file');
    expect(snapshotTree(dest)).toEqual(before);
  });
});
