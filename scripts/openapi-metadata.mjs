// Writes apps/tracker/src/metadata.ts: the @nestjs/swagger plugin's metadata (property types, required
// fields, descriptions from the doc comments, simple class-validator bounds) of every *.dto.ts class and
// of pagination.ts, read by SwaggerModule.loadPluginMetadata. The build and the tests (SWC) do not run
// the plugin, so the metadata is generated once and committed. `--check` only compares and fails when
// the committed file is out of date.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';
import * as prettier from 'prettier';
import ts from 'typescript';

const SRC = resolve('apps/tracker/src');
const TARGET = join(SRC, 'metadata.ts');
const check = process.argv.includes('--check');

// The program of the build, without the metadata file itself; type errors (a stale metadata.ts among
// them) do not stop the generation, `npm run lint` reports them.
const config = ts.getParsedCommandLineOfConfigFile(
  'tsconfig.build.json',
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
const program = ts.createProgram({
  rootNames: config.fileNames.filter((f) => resolve(f) !== TARGET),
  options: config.options,
});

const out = mkdtempSync(join(tmpdir(), 'openapi-metadata-'));
try {
  new PluginMetadataGenerator().generate({
    visitors: [
      new ReadonlyVisitor({
        introspectComments: true,
        classValidatorShim: true,
        pathToSource: SRC,
        dtoFileNameSuffix: ['.dto.ts', 'pagination.ts'],
        // This version of @nestjs/swagger reads only the models' metadata, none of the controllers'.
        controllerFileNameSuffix: [],
      }),
    ],
    outputDir: out,
    filename: 'metadata.ts',
    tsProgramRef: program,
  });
  const generated = readFileSync(join(out, 'metadata.ts'), 'utf8');
  const text = await prettier.format(generated, {
    ...(await prettier.resolveConfig(TARGET)),
    filepath: TARGET,
  });
  let current = '';
  try {
    current = readFileSync(TARGET, 'utf8');
  } catch {}
  if (check) {
    if (current !== text) {
      console.error(
        `${TARGET} is out of date with the DTOs: run \`npm run openapi:metadata\` and commit it.`,
      );
      process.exit(1);
    }
  } else if (current !== text) {
    writeFileSync(TARGET, text);
    console.log(`Wrote ${TARGET}`);
  } else {
    console.log(`${TARGET} is up to date`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
