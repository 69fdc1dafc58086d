/** Where this package lives and what it is called, for templates, banners and records. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'templates'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`plop-pack-onex-metrics: cannot find its package root above ${start}`);
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
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
