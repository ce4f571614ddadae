// Shared Jest settings: every project maps workspace packages to their TypeScript sources, so tests
// never depend on a previous build.
const path = require('path');

const packageDirs = {
  '@farzi/core': 'packages/core',
  '@farzi/kernels-native': 'packages/kernels-native',
  '@farzi/metrics': 'packages/metrics',
  '@farzi/data-duckdb': 'packages/data-duckdb',
  '@farzi/models-sasrec': 'packages/models-sasrec',
  '@farzi/models-gru4rec': 'packages/models-gru4rec',
  '@farzi/models-transformer': 'packages/models-transformer',
  '@farzi/distill-kit': 'packages/distill-kit',
  '@farzi/distill-farzi': 'packages/distill-farzi',
  '@farzi/distill-td3': 'packages/distill-td3',
  '@farzi/web': 'packages/web',
  '@farzi/cli': 'tools/cli',
};

const moduleNameMapper = {
  // Core's testing helpers (the shared model-contract suite, toy data) for every package's tests.
  '^@farzi/core/testing$': path.join(__dirname, 'packages/core/src/testing/index.ts'),
};
for (const [name, dir] of Object.entries(packageDirs)) {
  moduleNameMapper[`^${name}$`] = path.join(__dirname, dir, name === '@farzi/cli' ? 'src/main.ts' : 'src/index.ts');
}

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  moduleNameMapper,
  // tfjs-core as every user of the packages gets it through @farzi/core's entries (the CPU
  // backend, the gradients, the chained ops), also for tests that import one module of a package.
  setupFiles: [path.join(__dirname, 'packages/core/src/backend/tfjs.ts')],
  testTimeout: 120000,
};
