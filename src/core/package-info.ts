/** Where this package lives and what it is called, for templates, banners and records. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'plop-pack-onex-metrics';

function isThisPackage(dir: string): boolean {
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === NAME;
}

function findPackageRoot(start: string): string {
  let dir = start;
  while (!isThisPackage(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`${NAME}: cannot find its package root above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The package root, from source (`src/`) and from the build (`dist/src/`) alike. */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

export const PACKAGE_NAME = manifest.name;
export const PACKAGE_VERSION = manifest.version;

/**
 * A path beside a module's source file, from source and from the build alike: templates
 * are data, not compiled into `dist/`, so `dist/src/x/y.js` finds them under `src/x/`.
 */
export function besideSource(moduleUrl: string, ...relative: string[]): string {
  const dir = path.relative(PACKAGE_ROOT, path.dirname(fileURLToPath(moduleUrl)));
  const [first, ...rest] = dir.split(path.sep);
  return path.join(PACKAGE_ROOT, ...(first === 'dist' ? rest : [first ?? '', ...rest]), ...relative);
}
