import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findInstallRoot, INSTALL_ROOT, PACKAGE_NAME } from './install-root';

describe('findInstallRoot', () => {
  let tmp: string;
  beforeEach(() => (tmp = mkdtempSync(join(tmpdir(), 'install-root-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const pkg = (dir: string, name: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name }));
  };

  it('finds a checkout whose own path holds /apps/ and /dist/, from the sources and from dist/', () => {
    const root = join(tmp, 'srv', 'apps', 'dist', 'tracker');
    pkg(root, PACKAGE_NAME);
    const fromSource = join(root, 'apps', 'tracker', 'src', 'web');
    const fromDist = join(root, 'dist', 'apps', 'tracker', 'src', 'web');
    mkdirSync(fromSource, { recursive: true });
    mkdirSync(fromDist, { recursive: true });
    expect(findInstallRoot(fromSource)).toBe(root);
    expect(findInstallRoot(fromDist)).toBe(root);
  });

  it('passes over package.json files of other packages and ones that are not JSON', () => {
    const root = join(tmp, 'x', 'apps', 'y');
    pkg(root, PACKAGE_NAME);
    pkg(join(root, 'apps', 'tracker'), 'something-else');
    mkdirSync(join(root, 'apps', 'tracker', 'src'), { recursive: true });
    writeFileSync(join(root, 'apps', 'tracker', 'src', 'package.json'), '{ not json');
    expect(findInstallRoot(join(root, 'apps', 'tracker', 'src'))).toBe(root);
  });

  it('names the package when no folder above holds it', () => {
    expect(() => findInstallRoot(tmp)).toThrow(`No package.json named "${PACKAGE_NAME}"`);
  });

  it('is the repository root for this checkout', () => {
    expect(INSTALL_ROOT).toBe(resolve(__dirname, '..', '..', '..'));
  });
});
