import { names } from '@nx/devkit';
import * as fs from 'fs';
import * as path from 'path';
import { flushChanges, FsTree } from 'nx/src/generators/tree';
import { writeModelFiles } from './generator';

/**
 * The model generator for a user's own project, outside this workspace: the same package (model,
 * module, schema, standard tests) with a standalone tsconfig and Jest config, written to
 * `<outDir>/models-<name>`. Build it with `npx tsc -p tsconfig.json` in a project that has
 * `@farzi/core` and `@tensorflow/tfjs` installed (no Inversify code: the module is `definePlugin`), then name it in a config's
 * `plugins` (or pass `--plugin <path>`) to train it with `npx farzi train`.
 */
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
  tree.write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  flushChanges(target, tree.listChanges());
  return target;
}
