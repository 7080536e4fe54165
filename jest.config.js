// Path aliases come from tsconfig.json so they are declared once.
const { compilerOptions } = require('./tsconfig.json');

// The generated apps/tracker/src/metadata.ts imports the DTO files as `./x.dto.js` (nodenext, as the
// build needs); Jest resolves them to the TypeScript sources.
const moduleNameMapper = { '^(\\./.*(\\.dto|/pagination))\\.js$': '$1' };
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper['^' + alias.replace('*', '(.*)') + '$'] =
    '<rootDir>/' + target.replace(/^\.\//, '').replace('*', '$1');
}

const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
};

// Nest 12 and a few of its dependencies ship only ES modules; Jest on Node 20 cannot require() those,
// so they are compiled to CommonJS like our own code (Node itself loads them natively at run time).
const ESM_PACKAGES = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  'peek-readable',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
  // openid-client 6 (single sign-on) and its dependencies.
  'openid-client',
  'oauth4webapi',
  'jose',
];

module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\.(t|m?j)s$': ['@swc/jest', swc],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleNameMapper,
  testEnvironment: 'node',
  testTimeout: 60000,
};
