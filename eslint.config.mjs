import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { createRequire } from 'module';

// Browser entries reach no Node-only module (packages/web/lint/browserSafe.cjs).
const browserSafe = createRequire(import.meta.url)('./packages/web/lint/browserSafe.cjs');

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'runs/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      // Boundaries: core imports no plugin; model packages import no other model package; only the
      // app imports everything; imports go through package entry points (no deep imports).
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core', 'type:kernels'] },
            { sourceTag: 'type:kernels', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:model', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'scope:metrics', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'scope:data', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'scope:distill-kit', onlyDependOnLibsWithTags: ['type:core'] },
            {
              sourceTag: 'scope:distill',
              onlyDependOnLibsWithTags: ['type:core', 'scope:metrics', 'type:kit'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:core', 'type:plugin', 'type:kit', 'type:web'],
            },
            {
              sourceTag: 'type:bench',
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:plugin',
                'type:kit',
                'type:app',
                'type:web',
              ],
            },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:core'] },
            // The browser page: the model zoo, the Farzi source, metrics and the kit's student
            // training; never the data adapters on DuckDB, the queue or the CLI.
            {
              sourceTag: 'type:web',
              onlyDependOnLibsWithTags: [
                'type:core',
                'scope:model',
                'scope:metrics',
                'scope:distill',
                'type:kit',
              ],
              bannedExternalImports: ['@duckdb/*', 'bullmq', 'ioredis', '@tensorflow/tfjs-node*'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/src/browser.ts', '**/src/browser/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    plugins: { farzi: { rules: { 'browser-safe': browserSafe.rule } } },
    rules: { 'farzi/browser-safe': 'error' },
  },
  {
    files: ['**/*.spec.ts', '**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
];
