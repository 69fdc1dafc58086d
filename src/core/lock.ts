/**
 * The lock of a target directory: runs into one directory plan and write one after the
 * other, so the tree is always one run's complete output.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import {
  assertInsideDest,
  describeIoError,
  lstatOrUndefined,
  makeDirs,
  removeEmpty,
  writingFailed,
  WriteRefusedError,
} from './destination.js';

/** Lock file of a target directory while a run plans and writes it. */
export const LOCK_FILE = '.onex-metrics.lock';

export interface LockOptions {
  /** How long to wait for another run to finish (default 30 s). */
  timeoutMs?: number;
  /** A lock of another host (where its pid means nothing) is stale after this long (default 10 min). */
  foreignStaleMs?: number;
}

interface LockHolder {
  pid?: number;
  host?: string;
  started?: string;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock is stale when its holder is gone: a dead pid on this host, or too old elsewhere. */
function isStale(text: string, lock: string, foreignStaleMs: number): boolean {
  let holder: LockHolder | undefined;
  try {
    holder = JSON.parse(text) as LockHolder;
  } catch {
    holder = undefined;
  }
  const age = Date.now() - (lstatOrUndefined(lock)?.mtimeMs ?? Date.now());
  // Written right after it is created: empty or garbled for more than a few seconds means its writer died.
  if (typeof holder?.pid !== 'number') return age > 5_000;
  if (holder.host === hostname()) return !isAlive(holder.pid);
  return age > foreignStaleMs;
}

/**
 * Runs `fn` holding the lock of `<destRoot>/<targetDir>` (created if missing; removed
 * again if the run leaves it empty). Two runs into one directory then plan and write one
 * after the other, so the tree is always one run's complete output. The lock is a file
 * created with O_EXCL holding the holder's pid and host; a lock whose holder died is
 * taken over, a live one is waited for (`timeoutMs`), then refused with its holder named.
 */
export function withTargetLock<T>(destRoot: string, targetDir: string, fn: () => T, options: LockOptions = {}): T {
  const { timeoutMs = 30_000, foreignStaleMs = 10 * 60_000 } = options;
  if (!lstatOrUndefined(destRoot)?.isDirectory()) {
    throw new WriteRefusedError(
      `${destRoot}: the destination directory does not exist; create it or pass another --dest`,
    );
  }
  assertInsideDest(destRoot, targetDir);
  const dir = path.join(destRoot, ...targetDir.split('/'));
  const existing = lstatOrUndefined(dir);
  if (existing && !existing.isDirectory() && !existing.isSymbolicLink()) {
    throw new WriteRefusedError(`${targetDir}: is a file where a directory is needed; move it away`);
  }
  const lock = path.join(dir, LOCK_FILE);
  const lockName = path.posix.join(targetDir, LOCK_FILE);
  const madeDirs: string[] = [];
  const refuse = (where: string, error: unknown): never => {
    removeEmpty(madeDirs);
    throw writingFailed(describeIoError(where, error));
  };
  const token = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    id: randomBytes(6).toString('hex'),
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      makeDirs(dir, madeDirs);
    } catch (error) {
      refuse(path.relative(destRoot, (error as NodeJS.ErrnoException).path ?? dir) || targetDir, error);
    }
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
      writeSync(fd, token);
      closeSync(fd);
      break;
    } catch (error) {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // closed
        }
        try {
          unlinkSync(lock);
        } catch {
          // gone
        }
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && Date.now() <= deadline) continue; // the directory vanished: make it again
      if (code !== 'EEXIST' || fd !== undefined) return refuse(lockName, error);
    }
    let held: string;
    try {
      held = readFileSync(lock, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    if (isStale(held, lock, foreignStaleMs)) {
      takeOver(lock, held);
      continue;
    }
    if (Date.now() > deadline) {
      removeEmpty(madeDirs);
      let holder: LockHolder = {};
      try {
        holder = JSON.parse(held) as LockHolder;
      } catch {
        // shown as unknown
      }
      throw new WriteRefusedError(
        `${lockName}: another onex-metrics run (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}, since ${holder.started ?? '?'}) ` +
          `is writing this directory; nothing was changed. Wait for it, or delete ${lockName} if no run is active.`,
      );
    }
    sleep(20 + Math.floor(Math.random() * 20));
  }
  try {
    return fn();
  } finally {
    try {
      if (readFileSync(lock, 'utf8') === token) unlinkSync(lock);
    } catch {
      // already gone (the directory was removed under us)
    }
    removeEmpty(madeDirs);
  }
}

/**
 * Removes a stale lock without removing a fresh one that replaced it meanwhile: move it
 * aside (only one taker wins the rename), check it is the stale one, else put it back.
 */
function takeOver(lock: string, stale: string): void {
  const aside = `${lock}.${randomBytes(6).toString('hex')}.stale`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // someone else took it over or released it
  }
  let text = '';
  try {
    text = readFileSync(aside, 'utf8');
  } catch {
    // unreadable: treat as stale
  }
  if (text !== stale) {
    try {
      linkSync(aside, lock); // a live lock taken by mistake goes back, unless a new one is there
    } catch {
      // a new holder is already in place
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // gone
  }
}
