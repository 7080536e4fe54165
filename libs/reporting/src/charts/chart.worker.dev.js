'use strict';
/*
 * Worker entry of the chart pool when the app runs from its TypeScript sources (Jest): compiles .ts
 * files on require with @swc/core (a dev dependency, as for Jest) and loads chart.worker.ts. The built
 * app (dist/) runs the compiled chart.worker.js instead and never loads this file.
 */
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

if (!Module._extensions['.ts']) {
  Module._extensions['.ts'] = (module, filename) => {
    const { code } = transformSync(readFileSync(filename, 'utf8'), {
      filename,
      sourceMaps: 'inline',
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    module._compile(code, filename);
  };
}

module.exports = require('./chart.worker.ts');
