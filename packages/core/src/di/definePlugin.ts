import { ContainerModule } from 'inversify';
import type { ConfigSection } from '../config/ConfigSection';
import type { DataAdapter } from '../data/DataAdapter';
import type { Distiller } from '../distill/Distiller';
import type { Evaluator } from '../eval/Evaluator';
import type { ModelFactory } from '../model/Model';
import type { TrainingSourceFactory } from '../train/TrainingSource';
import { TYPES } from './identifiers';

/** What a plugin contributes; every entry is registered by its name. */
export interface PluginContents {
  readonly models?: readonly ModelFactory[];
  readonly adapters?: readonly DataAdapter[];
  readonly sources?: readonly TrainingSourceFactory[];
  readonly evaluators?: readonly Evaluator[];
  readonly distillers?: readonly Distiller[];
  /** Top-level config sections the plugin owns (JSON Schema each). */
  readonly sections?: readonly ConfigSection[];
}

/**
 * A plugin module: what `definePlugin` returns and the app loads (an Inversify `ContainerModule`),
 * named here so that a plugin's declarations refer to `@farzi/core`, not to Inversify.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FarziPlugin extends ContainerModule {}

/**
 * A plugin, as the app loads it: `export const myModule = definePlugin({ models: [myFactory] })`.
 * The plugin author writes no Inversify code; the result is an Inversify `ContainerModule`, the
 * container core uses to collect plugins into its registries.
 */
export function definePlugin(contents: PluginContents): FarziPlugin {
  return new ContainerModule(({ bind }) => {
    for (const m of contents.models ?? [])
      bind<ModelFactory>(TYPES.ModelFactory).toConstantValue(m);
    for (const a of contents.adapters ?? [])
      bind<DataAdapter>(TYPES.DataAdapter).toConstantValue(a);
    for (const s of contents.sources ?? [])
      bind<TrainingSourceFactory>(TYPES.TrainingSourceFactory).toConstantValue(s);
    for (const e of contents.evaluators ?? []) bind<Evaluator>(TYPES.Evaluator).toConstantValue(e);
    for (const d of contents.distillers ?? []) bind<Distiller>(TYPES.Distiller).toConstantValue(d);
    for (const c of contents.sections ?? [])
      bind<ConfigSection>(TYPES.ConfigSection).toConstantValue(c);
  });
}
