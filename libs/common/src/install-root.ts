import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The name in the installation's package.json; the folder holding it is the installation root. */
export const PACKAGE_NAME = 'standards-demo-tracker';

/**
 * The installation root (config/, apps/…/views and public/, node_modules/): the nearest folder at or
 * above `start` whose package.json is this package's. Walking up, rather than cutting the path at
 * `/apps/` or `/dist/`, works from the sources (tests), from dist/ (npm start) and from any checkout
 * path, `/srv/apps/tracker/` included.
 */
export function findInstallRoot(start: string, name = PACKAGE_NAME): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (packageNameAt(dir) === name) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`No package.json named "${name}" in ${start} or any folder above it`);
    }
  }
}

function packageNameAt(dir: string): string | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** The root of this installation. */
export const INSTALL_ROOT = findInstallRoot(__dirname);
