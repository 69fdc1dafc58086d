/**
 * File safety under hostile conditions, with real faults where the machine allows:
 * escapes from --dest, read-only and full destinations, directories that vanish or stand
 * where a file goes, edits made while a run is under way, atomic replacement, and hostile
 * records. Every refusal is exit 1 with a message naming the path and the reason, and
 * leaves the tree exactly as it was: no partial files, no temporary files, no lock.
 */
import {
  appendFileSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { generateMetrics } from '../../src/generators/metrics/generate.js';
import { recordPath } from '../../src/core/record.js';
import { renderMetrics } from '../../src/generators/metrics/render.js';
import { sha256 } from '../../src/core/hash.js';
import { runCli } from '../../src/cli.js';
import { commitPlan } from '../../src/core/commit.js';
import { planChanges } from '../../src/core/plan.js';
import { WriteRefusedError } from '../../src/core/destination.js';
import { cli, listFiles, run, runAsync, snapshotTree, tempDir, writeAnswers } from '../support/helpers.js';
import {
  inMountNamespace,
  mountNamespaceUnavailable,
  openUpTo,
  snapshotsIn,
  unprivilegedCli,
  unprivilegedUnavailable,
} from './support/privileges.js';

const ROOT = tempDir('onex-safety-');
const answers = { targetDir: 'node', serviceName: 'orders', operations: ['create_order', 'get_order'] };
const RECORD = 'node/.onex-metrics.yaml';
let counter = 0;

/** A fresh destination with an answers file beside it (not inside it). */
function fresh(extra: Record<string, unknown> = {}): { dest: string; file: string } {
  const dir = path.join(ROOT, `t${counter++}`);
  const dest = path.join(dir, 'dest');
  mkdirSync(dest, { recursive: true });
  const file = writeAnswers(path.join(dir, 'answers.json'), { ...answers, ...extra });
  return { dest, file };
}

function runIn(dest: string, file: string, ...flags: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(['--answers', file, '--dest', dest, ...flags], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    cwd: dest,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Debris a failed or finished run must never leave: temporary files, backups, locks. */
const debris = (dest: string) => listFiles(dest).filter((name) => /\.(tmp|bak|lock)$/.test(name));

function generated(extra: Record<string, unknown> = {}) {
  const { dest, file } = fresh(extra);
  const result = runIn(dest, file);
  expect(result.code, result.stderr).toBe(0);
  return { dest, file, before: snapshotTree(dest) };
}

/** Answers that change some files, delete others (a section off) and keep the rest. */
function changedAnswers(dir: string): string {
  return writeAnswers(path.join(dir, '..', `changed-${counter++}.json`), {
    ...answers,
    publishIntervalOps: 7,
    enableBusinessMetrics: false,
  });
}

afterAll(() => {
  run('chmod', ['-R', 'u+rwX', ROOT]);
  rmSync(ROOT, { recursive: true, force: true });
});

describe('escaping --dest', () => {
  it('by ".." is refused before anything is read or written (exit 2, targetDir named)', () => {
    for (const targetDir of ['..', '../x', 'a/../../x', 'a/b/../../..', '..\\x', 'a\\..\\..\\x']) {
      const { dest, file } = fresh({ targetDir });
      const result = runIn(dest, file);
      expect(result.code, targetDir).toBe(2);
      expect(result.stderr).toMatch(
        /^ {2}targetDir: must stay inside the destination directory \(--dest; no "\.\." escape\)/m,
      );
      expect(listFiles(path.dirname(dest))).toEqual(['answers.json']);
    }
  });

  it('through a symlinked targetDir, a symlinked directory below it or a symlinked dest parent is refused (exit 1)', () => {
    const outside = tempDir('onex-outside-');
    try {
      const layouts: [string, (dest: string) => void, string][] = [
        ['link', (dest) => symlinkSync(outside, path.join(dest, 'link')), 'link/node'],
        [
          'node/metrics',
          (dest) => {
            mkdirSync(path.join(dest, 'node'));
            symlinkSync(outside, path.join(dest, 'node', 'metrics'));
          },
          'node',
        ],
        ['relative link', (dest) => symlinkSync('../../..', path.join(dest, 'up')), 'up/x'],
      ];
      for (const [what, make, targetDir] of layouts) {
        const { dest, file } = fresh({ targetDir });
        make(dest);
        const before = snapshotTree(dest);
        const result = runIn(dest, file);
        expect(result.code, `${what}: ${result.stderr}`).toBe(1);
        expect(result.stderr, what).toMatch(/is a symlink to .*, outside the destination/);
        expect(snapshotTree(dest), what).toEqual(before);
        expect(listFiles(outside), what).toEqual([]);
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a generated file or the record replaced by a symlink to outside is refused, even with --force; outside stays untouched', () => {
    const outside = tempDir('onex-outside-');
    try {
      for (const victim of ['node/metrics/config.py', RECORD]) {
        const { dest, file } = generated();
        const target = path.join(outside, `${path.basename(victim)}.precious`);
        writeFileSync(target, 'precious\n');
        rmSync(path.join(dest, victim));
        symlinkSync(target, path.join(dest, victim));
        const before = snapshotTree(dest);
        for (const flags of [[], ['--force']]) {
          const refused = runIn(dest, file, ...flags);
          expect(refused.code, `${victim} ${flags.join(' ')}`).toBe(1);
          expect(refused.stderr).toContain(`${victim}: is a symlink to ${target}, outside the destination`);
          expect(snapshotTree(dest)).toEqual(before);
          expect(readFileSync(target, 'utf8')).toBe('precious\n');
        }
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a generated file replaced by a symlink inside the destination is a conflict; --force replaces the link, not its target', () => {
    const { dest, file } = generated();
    writeFileSync(path.join(dest, 'mine.py'), 'MINE = 1\n');
    rmSync(path.join(dest, 'node/metrics/config.py'));
    symlinkSync('../../mine.py', path.join(dest, 'node/metrics/config.py'));
    const refused = runIn(dest, file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('node/metrics/config.py: is a symlink, not a generated file');
    const forced = runIn(dest, file, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(lstatSync(path.join(dest, 'node/metrics/config.py')).isFile()).toBe(true);
    expect(readFileSync(path.join(dest, 'mine.py'), 'utf8')).toBe('MINE = 1\n');
  });

  it('a record listing files outside targetDir never makes the run touch them', () => {
    const victims = { 'victim.txt': 'dest root\n', 'other/victim.txt': 'another node\n' };
    const entries: Record<string, string>[] = [
      // Their hashes match: a run trusting the record would delete them as "no longer generated".
      { '../victim.txt': sha256(victims['victim.txt']), '../other/victim.txt': sha256(victims['other/victim.txt']) },
      { 'metrics/../../victim.txt': sha256(victims['victim.txt']) },
      // Names no file system call should even see.
      { '/etc/hostname': sha256('x'), 'a\u0000b': sha256('x'), [`${'x'.repeat(300)}/y`]: sha256('x') },
    ];
    for (const extra of entries) {
      const { dest } = generated();
      for (const [name, content] of Object.entries(victims)) {
        mkdirSync(path.dirname(path.join(dest, name)), { recursive: true });
        writeFileSync(path.join(dest, name), content);
      }
      const record = parseYaml(readFileSync(path.join(dest, RECORD), 'utf8')) as Record<string, unknown>;
      record._files = { ...(record._files as Record<string, string>), ...extra };
      writeFileSync(path.join(dest, RECORD), toYaml(record));
      const result = runIn(dest, path.join(dest, RECORD));
      expect(result.code, result.stderr).toBe(0);
      for (const [name, content] of Object.entries(victims))
        expect(readFileSync(path.join(dest, name), 'utf8'), name).toBe(content);
      expect(result.stdout).not.toMatch(/^delete/m);
    }
  });
});

describe('destinations that cannot be written', () => {
  it('read-only (as an unprivileged user): a fresh run and a regeneration exit 1, say so, change nothing', async () => {
    const why = unprivilegedUnavailable();
    // A missing mechanism fails the test: a skipped check must not pass as a passed one.
    expect(why, 'the fault needs this mechanism').toBeUndefined();
    // A fresh target in a destination the user cannot write to.
    const { dest, file } = fresh();
    openUpTo(ROOT, path.dirname(dest));
    chmodSync(file, 0o644);
    if (process.getuid?.() !== 0) chmodSync(dest, 0o555);
    const before = snapshotTree(dest);
    const [command, args] = unprivilegedCli(['--answers', file, '--dest', dest]);
    const first = await runAsync(command, args, { timeout: 60_000 });
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(
      /^onex-metrics: Writing failed, nothing was changed: node: permission denied \(EACCES\)/m,
    );
    expect(first.stderr).not.toContain('unexpected failure');
    expect(snapshotTree(dest)).toEqual(before);

    // An existing tree, then answers that update and delete files in it.
    const existing = generated();
    openUpTo(ROOT, existing.dest);
    run('chmod', ['-R', 'a+rX', existing.dest]);
    if (process.getuid?.() !== 0) run('chmod', ['-R', 'a-w', existing.dest]);
    const changed = changedAnswers(existing.dest);
    chmodSync(changed, 0o644);
    const snapshot = snapshotTree(existing.dest);
    const [command2, args2] = unprivilegedCli(['--answers', changed, '--dest', existing.dest]);
    const second = await runAsync(command2, args2, { timeout: 60_000 });
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(/Writing failed, nothing was changed: node.*: permission denied \(EACCES\)/);
    expect(snapshotTree(existing.dest)).toEqual(snapshot);
  });

  it('a read-only file system (EROFS, bind mount): exit 1, says so, nothing changed', () => {
    const why = mountNamespaceUnavailable(ROOT);
    // A missing mechanism fails the test: a skipped check must not pass as a passed one.
    expect(why, 'the fault needs this mechanism').toBeUndefined();
    const { dest } = generated();
    const changed = changedAnswers(dest);
    const result = inMountNamespace(
      'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && "$NODE" -e "$SNAPSHOT" "$1" && "$NODE" "$BIN" --answers "$2" --dest "$1"; echo "EXIT $?"; "$NODE" -e "$SNAPSHOT" "$1"',
      [dest, changed],
    );
    expect(result.stdout).toContain('EXIT 1');
    expect(result.stderr).toMatch(/Writing failed, nothing was changed: node.*: read-only file system \(EROFS\)/);
    const [before, after] = snapshotsIn(result.stdout);
    expect(after).toEqual(before);
  });

  it('a full file system (ENOSPC, small tmpfs): a fresh run leaves it empty, a regeneration leaves the tree as it was', () => {
    const why = mountNamespaceUnavailable(ROOT);
    // A missing mechanism fails the test: a skipped check must not pass as a passed one.
    expect(why, 'the fault needs this mechanism').toBeUndefined();
    const { dest, file } = fresh();
    const changed = changedAnswers(dest);
    // 32 KiB: room for a few files of the ~13, so the run fails part-way.
    const partial = inMountNamespace(
      'mount -t tmpfs -o size=32k tmpfs "$1" && "$NODE" "$BIN" --answers "$2" --dest "$1"; echo "EXIT $?"; "$NODE" -e "$SNAPSHOT" "$1"',
      [dest, file],
    );
    expect(partial.stdout, partial.stderr).toContain('EXIT 1');
    expect(partial.stderr).toMatch(
      /Writing failed, nothing was changed: node.*: no space left on the device \(ENOSPC\)/,
    );
    expect(snapshotsIn(partial.stdout)).toEqual([{}]);

    // Generate on a roomy tmpfs, fill it up, then regenerate with other answers.
    const full = inMountNamespace(
      [
        'mount -t tmpfs -o size=1m tmpfs "$1"',
        '"$NODE" "$BIN" --answers "$2" --dest "$1" > /dev/null || exit 9',
        'dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null',
        '"$NODE" -e "$SNAPSHOT" "$1"',
        '"$NODE" "$BIN" --answers "$3" --dest "$1"; echo "EXIT $?"',
        '"$NODE" -e "$SNAPSHOT" "$1"',
      ].join('\n'),
      [dest, file, changed],
    );
    expect(full.stdout, full.stderr).toContain('EXIT 1');
    expect(full.stderr).toMatch(/no space left on the device \(ENOSPC\)/);
    const [before, after] = snapshotsIn(full.stdout);
    expect(Object.keys(before!)).toContain('node/metrics/business.py');
    expect(after).toEqual(before);
  });

  it('a directory where a generated file goes (first, last, the record): exit 1, named, nothing written', () => {
    for (const obstacle of ['node/metrics/__init__.py', 'node/metrics/tests/test_metrics.py', RECORD]) {
      const { dest, file } = fresh();
      mkdirSync(path.join(dest, obstacle, 'inside'), { recursive: true });
      const before = snapshotTree(dest);
      const result = runIn(dest, file);
      expect(result.code, obstacle).toBe(1);
      expect(result.stderr).toContain(`${obstacle}: is a directory where the generator writes a file`);
      expect(snapshotTree(dest)).toEqual(before);
    }
  });

  it('a file where a directory goes: exit 1, named, nothing written', () => {
    for (const obstacle of ['node', 'node/metrics', 'node/metrics/tests']) {
      const { dest, file } = fresh();
      mkdirSync(path.dirname(path.join(dest, obstacle)), { recursive: true });
      writeFileSync(path.join(dest, obstacle), 'a file\n');
      const before = snapshotTree(dest);
      const result = runIn(dest, file);
      expect(result.code, obstacle).toBe(1);
      expect(result.stderr).toContain(`${obstacle}: is a file where a directory is needed`);
      expect(snapshotTree(dest)).toEqual(before);
    }
  });

  it('a destination that does not exist: exit 1, nothing created', () => {
    const { dest, file } = fresh();
    rmSync(dest, { recursive: true });
    const result = runIn(dest, file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the destination directory does not exist');
    expect(existsSync(dest)).toBe(false);
  });
});

describe('a directory that vanishes', () => {
  const plan = (dest: string, input: Record<string, unknown>) => {
    const rendered = renderMetrics(input);
    return planChanges(dest, { targetDir: 'node', files: rendered.files, recordPath: recordPath('node') });
  };

  it('between plan and commit: refused with a clear message, nothing recreated', () => {
    const { dest } = generated();
    const planned = plan(dest, { ...answers, publishIntervalOps: 7 });
    rmSync(path.join(dest, 'node'), { recursive: true });
    expect(() => commitPlan(planned)).toThrow(
      /Writing failed, nothing was changed: node\/.*changed on disk after this run planned it/,
    );
    expect(listFiles(dest)).toEqual([]);
    expect(existsSync(path.join(dest, 'node'))).toBe(false);
  });

  it('while temporary files are written, and while they are renamed into place: exit 1, no partial files', () => {
    for (const when of ['staged', 'placed'] as const) {
      for (const at of [0, 3]) {
        const { dest } = generated();
        const planned = plan(dest, { ...answers, publishIntervalOps: 7, enableBusinessMetrics: false });
        let seen = 0;
        const vanish = ({ step }: { step: string }) => {
          if (step === when && seen++ === at) rmSync(path.join(dest, 'node'), { recursive: true });
        };
        expect(() => commitPlan(planned, { onProgress: vanish }), `${when} #${at}`).toThrow(
          /Writing failed, nothing was changed: node\/.*(disappeared while this run was writing|changed on disk after this run planned it)/,
        );
        expect(listFiles(dest), `${when} #${at}`).toEqual([]);
      }
    }
  });

  it('a failure while renaming into place puts back every file already replaced or deleted', () => {
    const { dest, before } = generated();
    const planned = plan(dest, { ...answers, publishIntervalOps: 7, enableBusinessMetrics: false });
    let placed = 0;
    expect(() =>
      commitPlan(planned, {
        onProgress: ({ step }) => {
          // After three files are in place, a directory takes the place of the record.
          if (step === 'placed' && ++placed === 3) {
            rmSync(path.join(dest, RECORD));
            mkdirSync(path.join(dest, RECORD));
          }
        },
      }),
    ).toThrow(/Writing failed, nothing was changed: node\/\.onex-metrics\.yaml: a directory stands where a file goes/);
    // Everything but the record (which the test itself removed) is back as it was.
    expect(debris(dest)).toEqual([]);
    rmSync(path.join(dest, RECORD), { recursive: true });
    const expected = { ...before };
    delete expected[RECORD];
    expect(snapshotTree(dest)).toEqual(expected);
  });
});

describe('rollback of a forced overwrite', () => {
  it('a symlink replaced under --force is a symlink again when the commit fails later', () => {
    const { dest } = generated();
    writeFileSync(path.join(dest, 'mine.py'), 'MINE = 1\n');
    rmSync(path.join(dest, 'node/metrics/config.py'));
    symlinkSync('../../mine.py', path.join(dest, 'node/metrics/config.py'));
    const before = snapshotTree(dest);
    const rendered = renderMetrics({ ...answers, publishIntervalOps: 7 });
    const planned = planChanges(dest, {
      targetDir: 'node',
      files: rendered.files,
      recordPath: recordPath('node'),
    });
    expect(planned.changes.find((change) => change.path === 'node/metrics/config.py')?.kind).toBe('conflict');
    expect(planned.changes.find((change) => change.path === RECORD)?.kind).toBe('update');
    expect(() =>
      commitPlan(planned, {
        force: true,
        onProgress: ({ step, path: placed }) => {
          if (step === 'placed' && placed === 'node/metrics/config.py') {
            rmSync(path.join(dest, RECORD));
            mkdirSync(path.join(dest, RECORD));
          }
        },
      }),
    ).toThrow(/Writing failed, nothing was changed/);
    rmSync(path.join(dest, RECORD), { recursive: true });
    const expected = { ...before };
    delete expected[RECORD];
    expect(snapshotTree(dest)).toEqual(expected);
    expect(lstatSync(path.join(dest, 'node/metrics/config.py')).isSymbolicLink()).toBe(true);
  });
});

describe('hand-edited files', () => {
  it('each generated file edited by hand refuses the run (exit 1) and is kept byte for byte; --force overwrites it, keeping a copy', () => {
    const { dest, file, before } = generated();
    const copies = path.join(dest, 'node/.onex-metrics-backup');
    for (const name of listFiles(path.join(dest, 'node'))) {
      if (name === '.onex-metrics.yaml') continue;
      const edited = path.join(dest, 'node', name);
      appendFileSync(edited, '\n# tuned by hand\n');
      const editedBytes = readFileSync(edited);
      const snapshot = snapshotTree(dest);
      const result = runIn(dest, file);
      expect(result.code, name).toBe(1);
      expect(result.stderr).toContain(`node/${name}: was edited since it was generated`);
      expect(snapshotTree(dest)).toEqual(snapshot);
      const forced = runIn(dest, file, '--force');
      expect(forced.code).toBe(0);
      const kept = /^Your edited files are kept under (\S+)\/ /m.exec(forced.stdout)?.[1];
      expect(kept, forced.stdout).toBeDefined();
      expect(readFileSync(path.join(dest, kept!, name))).toEqual(editedBytes);
      rmSync(copies, { recursive: true });
      expect(snapshotTree(dest)).toEqual(before);
    }
  });

  it('an edit made after the run planned but before it wrote is not overwritten', () => {
    const { dest } = generated();
    const rendered = renderMetrics({ ...answers, publishIntervalOps: 7 });
    const planned = planChanges(dest, {
      targetDir: 'node',
      files: rendered.files,
      recordPath: recordPath('node'),
    });
    expect(planned.changes.find((change) => change.path === 'node/metrics/config.py')?.kind).toBe('update');
    appendFileSync(path.join(dest, 'node/metrics/config.py'), '# edited meanwhile\n');
    const edited = snapshotTree(dest);
    expect(() => commitPlan(planned)).toThrow(/node\/metrics\/config\.py.*changed on disk after this run planned it/);
    expect(snapshotTree(dest)).toEqual(edited);
  });

  it('a file created by hand after the plan, where the run creates one, is not overwritten', () => {
    const { dest } = fresh();
    const rendered = renderMetrics(answers);
    const planned = planChanges(dest, {
      targetDir: 'node',
      files: rendered.files,
      recordPath: recordPath('node'),
    });
    mkdirSync(path.join(dest, 'node/metrics'), { recursive: true });
    writeFileSync(path.join(dest, 'node/metrics/mixin.py'), 'MINE = 1\n');
    expect(() => commitPlan(planned)).toThrow(/node\/metrics\/mixin\.py.*changed on disk after this run planned it/);
    expect(listFiles(dest)).toEqual(['node/metrics/mixin.py']);
    expect(readFileSync(path.join(dest, 'node/metrics/mixin.py'), 'utf8')).toBe('MINE = 1\n');
  });
});

describe('atomic replacement', () => {
  it('updates rename a complete temporary file over the old one (a new inode), leaving no temporary file', () => {
    const { dest } = generated();
    const config = path.join(dest, 'node/metrics/config.py');
    const inode = statSync(config).ino;
    const result = runIn(dest, changedAnswers(dest));
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(config).ino).not.toBe(inode);
    expect(debris(dest)).toEqual([]);
  });

  it('a reader polling a file during 30 regenerations only ever sees one complete version or the other', async () => {
    const { dest, file } = generated({ operations: Array.from({ length: 100 }, (_, i) => `operation_${i}`) });
    const other = writeAnswers(path.join(dest, '..', 'other.json'), {
      ...answers,
      operations: Array.from({ length: 100 }, (_, i) => `other_operation_${i}`),
    });
    const config = path.join(dest, 'node/metrics/config.py');
    const versions = new Set([readFileSync(config, 'utf8')]);
    const reader = runAsync(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const seen = new Map(); const end = Date.now() + 60000;
         while (!fs.existsSync(process.argv[2]) && Date.now() < end) {
           try { const c = fs.readFileSync(process.argv[1], 'utf8'); seen.set(c, (seen.get(c) || 0) + 1); } catch (e) { seen.set('ERROR ' + e.code, 1); }
         }
         console.log(JSON.stringify([...seen.keys()]));`,
        config,
        path.join(dest, '..', 'stop'),
      ],
      { timeout: 90_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 30; i++) {
      expect(runIn(dest, i % 2 === 0 ? other : file).code).toBe(0);
      versions.add(readFileSync(config, 'utf8'));
      await new Promise((resolve) => setImmediate(resolve));
    }
    writeFileSync(path.join(dest, '..', 'stop'), '');
    const seen = JSON.parse((await reader).stdout) as string[];
    expect(versions.size).toBe(2);
    expect(seen.length).toBeGreaterThan(0);
    for (const content of seen) expect(versions.has(content), content.slice(0, 200)).toBe(true);
    expect(debris(dest)).toEqual([]);
  });
});

describe('the API too', () => {
  it('generateMetrics refuses with WriteRefusedError, not a raw error', () => {
    for (const obstacle of [RECORD, 'node/metrics/window.py']) {
      const { dest } = fresh();
      mkdirSync(path.join(dest, obstacle), { recursive: true });
      expect(() => generateMetrics(answers, { destRoot: dest }), obstacle).toThrow(WriteRefusedError);
    }
    const { dest } = fresh();
    writeFileSync(path.join(dest, 'node'), 'a file\n');
    expect(() => generateMetrics(answers, { destRoot: dest })).toThrow(/node: is a file where a directory is needed/);
  });

  it('the bin refuses too (a real process, exit 1)', () => {
    const { dest, file } = fresh();
    mkdirSync(path.join(dest, RECORD), { recursive: true });
    const result = cli(['--answers', file, '--dest', dest], dest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is a directory where the generator writes a file');
  });
});
