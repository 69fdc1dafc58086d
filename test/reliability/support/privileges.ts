/**
 * Real file-system faults for tests that may run as root (CI here does), where
 * `chmod a-w` stops nothing:
 *   - read-only: the CLI runs as `nobody` through `setpriv` (as root), or as the
 *     current user against a `chmod a-w` directory (not root);
 *   - EROFS: a read-only bind mount, and ENOSPC: a small tmpfs, both inside a private
 *     mount namespace (`unshare -m`, root only), gone when the command ends.
 * Each probe says why a mechanism is missing, so a test can fail with the reason.
 */
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { BIN, run } from '../../support/helpers.js';

export const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

let setprivProbe: string | undefined | null = null;
/** `undefined` when the CLI can be run without write permission; else why not. */
export function unprivilegedUnavailable(): string | undefined {
  if (setprivProbe !== null) return setprivProbe;
  if (!isRoot) return (setprivProbe = undefined);
  const probe = run(
    'setpriv',
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', '0'],
    { timeout: 20_000 },
  );
  setprivProbe = probe.code === 0 ? undefined : `setpriv to uid ${NOBODY} failed: ${probe.stderr.trim()}`;
  return setprivProbe;
}

/** The command line that runs `onex-metrics args` without write permission to root-owned files. */
export function unprivilegedCli(args: readonly string[]): [string, string[]] {
  if (!isRoot) return [process.execPath, [BIN, ...args]];
  return ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, BIN, ...args]];
}

/**
 * Makes `dir` and its ancestors up to `root` traversable by everyone (mkdtemp makes 0700
 * directories), so that an unprivileged process can read answers and see the tree.
 */
export function openUpTo(root: string, dir: string): void {
  for (let current = dir; ; current = path.dirname(current)) {
    chmodSync(current, 0o755);
    if (current === root || current === path.dirname(current)) break;
  }
}

let namespaceProbe: string | undefined | null = null;
/** `undefined` when `unshare -m` with mounts works here; else why not. */
export function mountNamespaceUnavailable(scratch: string): string | undefined {
  if (namespaceProbe !== null) return namespaceProbe;
  if (!isRoot) return (namespaceProbe = 'not root: cannot mount a tmpfs or a read-only bind mount');
  const probe = run(
    'unshare',
    ['-m', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs "$1" && umount "$1"', 'sh', scratch],
    { timeout: 20_000 },
  );
  namespaceProbe = probe.code === 0 ? undefined : `unshare -m / mount failed: ${probe.stderr.trim()}`;
  return namespaceProbe;
}

/**
 * Runs a shell script in a private mount namespace (mounts vanish with it). The script
 * gets `$NODE`, `$BIN` and `$SNAPSHOT` (`"$NODE" -e "$SNAPSHOT" DIR` prints a snapshot);
 * positional arguments follow.
 */
export function inMountNamespace(script: string, args: readonly string[] = []) {
  return run('unshare', ['-m', 'sh', '-c', script, 'sh', ...args], {
    timeout: 120_000,
    env: { NODE: process.execPath, BIN, SNAPSHOT: SNAPSHOT_SCRIPT },
  });
}

/** A small node program printing the tree under a directory as JSON (name → type:sha256). */
export const SNAPSHOT_SCRIPT = `
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const root = process.argv[1], out = {};
(function walk(dir) {
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name), rel = path.relative(root, full), st = fs.lstatSync(full);
    if (st.isDirectory()) { out[rel] = 'dir'; walk(full); }
    else out[rel] = 'file:' + crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
  }
})(root);
console.log('SNAPSHOT ' + JSON.stringify(out));
`;

/** The snapshots a namespace script printed with `"$NODE" -e "$SNAPSHOT" DIR`, in order. */
export function snapshotsIn(stdout: string): Record<string, string>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('SNAPSHOT '))
    .map((line) => JSON.parse(line.slice('SNAPSHOT '.length)) as Record<string, string>);
}
