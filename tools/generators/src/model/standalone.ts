import { names } from '@nx/devkit';
import * as fs from 'fs';
import * as path from 'path';
import { flushChanges, FsTree } from 'nx/src/generators/tree';
import { writeModelFiles } from './generator';

/**
 * The model generator for a user's own project, outside this workspace: the same package (model,
 * module, schema, standard tests) with a standalone tsconfig and Jest config, written to
 * `<outDir>/models-<name>`, with `@farzi/core` and `@tensorflow/tfjs` as peer dependencies and its
 * own build and test tools as devDependencies. In a project that has `@farzi/cli` installed:
 * `npm install` in the plugin's folder, `npm run build`, `npm test` (no Inversify code: the module
 * is `definePlugin`), then name it in a config's `plugins` (or pass `--plugin <path>`) to train it
 * with `npx farzi train`.
 */
/** A standalone plugin's build and test tools (the versions this workspace is tested with). */
export const STANDALONE_DEV_DEPENDENCIES = {
  '@types/jest': '^30.0.0',
  '@types/node': '^20.19.43',
  jest: '^30.5.2',
  'ts-jest': '^29.4.15',
  typescript: '^5.9.3',
};

export function generateStandaloneModel(
  name: string,
  outDir: string,
  description?: string,
): string {
  const n = names(name);
  const target = path.resolve(outDir, `models-${n.fileName}`);
  if (fs.existsSync(target)) throw new Error(`${target} already exists`);
  fs.mkdirSync(target, { recursive: true });
  const tree = new FsTree(target, false);
  writeModelFiles(tree, '.', { name, description });
  // Standalone build and test settings (the workspace's files extend its own base config).
  tree.delete('tsconfig.lib.json');
  tree.write(
    'tsconfig.json',
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2020',
          module: 'commonjs',
          lib: ['ES2020', 'DOM'],
          strict: true,
          esModuleInterop: true,
          resolveJsonModule: true,
          skipLibCheck: true,
          declaration: true,
          rootDir: 'src',
          outDir: 'dist',
        },
        include: ['src/**/*.ts', 'src/**/*.json'],
        exclude: ['src/**/*.spec.ts'],
      },
      null,
      2,
    )}\n`,
  );
  tree.write(
    'jest.config.js',
    "module.exports = { preset: 'ts-jest', testEnvironment: 'node', testTimeout: 120000 };\n",
  );
  const pkg = JSON.parse(tree.read('package.json', 'utf-8') as string);
  delete pkg.nx;
  pkg.scripts = { build: 'tsc -p tsconfig.json', test: 'jest' };
  // The framework comes from the project that uses the plugin (peers, one copy of core and tfjs);
  // the plugin's own build and test tools are its devDependencies.
  pkg.peerDependencies = pkg.dependencies;
  delete pkg.dependencies;
  pkg.devDependencies = STANDALONE_DEV_DEPENDENCIES;
  tree.write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  // `npm install` in the plugin's folder installs its tools only; the peers resolve from the
  // project around it (npm would otherwise look for @farzi/core in the public registry).
  tree.write('.npmrc', 'legacy-peer-deps=true\n');
  flushChanges(target, tree.listChanges());
  return target;
}
