import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incomingDir } from './uploads';

describe('the temporary upload folder', () => {
  it('is DATA_DIR/<area>/.incoming, and at start loses files a stopped process left over an hour ago', () => {
    const data = mkdtempSync(join(tmpdir(), 'uploads-spec-'));
    try {
      const dir = join(data, 'evidence', '.incoming');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'old'), 'x');
      writeFileSync(join(dir, 'recent'), 'x');
      const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
      utimesSync(join(dir, 'old'), twoHoursAgo, twoHoursAgo);
      expect(incomingDir(data, 'evidence')).toBe(dir);
      expect(existsSync(join(dir, 'old'))).toBe(false);
      // Maybe another instance's upload in progress.
      expect(existsSync(join(dir, 'recent'))).toBe(true);
      expect(incomingDir(data, 'imports')).toBe(join(data, 'imports', '.incoming'));
      expect(existsSync(join(data, 'imports', '.incoming'))).toBe(true);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
