import { formatFiles, generateFiles, names, Tree } from '@nx/devkit';
import * as path from 'path';

export interface ModelGeneratorSchema {
  name: string;
  description?: string;
}

/**
 * Creates `packages/models-<name>`: package.json (tagged as a model plugin), tsconfig, Jest config,
 * the hyper-parameter schema, a functional model skeleton (ids or soft tokens in, logits out), one
 * Inversify module registering it, and the standard model tests (soft vs id input, causality,
 * parameter count, second order). Then register the module in tools/cli/src/plugins.ts.
 */
export async function modelGenerator(tree: Tree, options: ModelGeneratorSchema): Promise<void> {
  const root = `packages/models-${names(options.name).fileName}`;
  writeModelFiles(tree, root, options);
  await formatFiles(tree);
}

/** Renders the model package's templates into `root` of `tree`. */
export function writeModelFiles(tree: Tree, root: string, options: ModelGeneratorSchema): void {
  const n = names(options.name);
  if (tree.exists(root) && tree.children(root).length > 0)
    throw new Error(`${root} already exists`);
  generateFiles(tree, path.join(__dirname, '..', '..', 'src', 'model', 'files'), root, {
    ...n,
    modelName: n.fileName,
    description: options.description ?? 'a sequential recommendation model',
    tmpl: '',
  });
}

export default modelGenerator;
