import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/*
 * scripts/build-if-changed.js (npm start, npm run cli, npm run bench): builds only when a build input
 * changed since the last successful build; a fresh clone builds.
 */

interface Decision {
  build: boolean;
  reason: string;
}
interface Script {
  decide(root: string): Decision;
  run(
    root: string,
    opts: { always?: boolean; build: (root: string) => number; say: (m: string) => void },
  ): number;
  OUTPUTS: string[];
}
const script = require('../../scripts/build-if-changed.js') as Script;

describe('build-if-changed', () => {
  let root: string;
  let builds: number;
  const put = (rel: string, text = 'x') => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  /** Stands in for `nest build`: writes the outputs, as the real one does. */
  const fakeBuild = () => {
    builds++;
    for (const f of script.OUTPUTS) put(f, '// built');
    return 0;
  };
  const start = () => script.run(root, { build: fakeBuild, say: () => undefined });
  /** An edit a second later, so the modification time surely moves. */
  const touch = (rel: string) => {
    const later = new Date(Date.now() + 1000);
    utimesSync(join(root, rel), later, later);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'build-if-changed-'));
    builds = 0;
    for (const f of ['package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'])
      put(f, '{}');
    put('apps/tracker/src/main.ts');
    put('libs/db/src/index.ts');
    put('libs/db/src/index.spec.ts');
    put('test/perf/bench.ts');
    put('config/rule-sets/a.json', '{}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds a fresh clone (no dist/), then not again while nothing changed', () => {
    expect(script.decide(root)).toMatchObject({ build: true, reason: 'no previous build' });
    expect(start()).toBe(0);
    expect(builds).toBe(1);
    expect(script.decide(root)).toMatchObject({ build: false });
    expect(start()).toBe(0);
    expect(builds).toBe(1);
  });

  it.each([
    ['an edited source', () => touch('libs/db/src/index.ts')],
    ['a new source', () => put('apps/tracker/src/new.ts')],
    ['a removed source', () => rmSync(join(root, 'apps/tracker/src/main.ts'))],
    ['an edited benchmark', () => touch('test/perf/bench.ts')],
    ['new dependencies', () => put('package-lock.json', '{"lockfileVersion":3}')],
    ['a compiler setting', () => touch('tsconfig.build.json')],
    ['the Nest CLI settings', () => touch('nest-cli.json')],
    ['a removed output', () => rmSync(join(root, script.OUTPUTS[0]))],
  ])('builds again after %s', (_what, change) => {
    start();
    change();
    expect(script.decide(root).build).toBe(true);
    start();
    expect(builds).toBe(2);
  });

  it('does not build for files read at run time or tests run from the sources', () => {
    start();
    touch('config/rule-sets/a.json');
    put('apps/tracker/src/web/views/page.njk');
    touch('libs/db/src/index.spec.ts');
    expect(script.decide(root)).toMatchObject({
      build: false,
      reason: 'sources unchanged since the last build',
    });
  });

  it('keeps building until a build succeeds, and --always builds regardless', () => {
    expect(script.run(root, { build: () => 1, say: () => undefined })).toBe(1);
    expect(script.decide(root).build).toBe(true);
    // A build that exits 0 but leaves no output does not count either.
    expect(script.run(root, { build: () => 0, say: () => undefined })).toBe(1);
    expect(script.decide(root).build).toBe(true);
    start();
    expect(script.decide(root).build).toBe(false);
    script.run(root, { always: true, build: fakeBuild, say: () => undefined });
    expect(builds).toBe(2);
  });
});
