import { ModelFactory, TYPES } from '@farzi/core';
import { ContainerModule } from 'inversify';
import schema from './schema.json';
import { transformer, TransformerHyperParameters } from './transformer';

export const transformerFactory: ModelFactory = {
  name: 'transformer',
  description: 'GPT-style causal Transformer language model (pre-layer-norm, tied embeddings)',
  schema,
  create: (hyper, context) => transformer(hyper as unknown as TransformerHyperParameters, context),
};

/** Registers the Transformer LM with core under the name "transformer". */
export const transformerModule = new ContainerModule(({ bind }) => {
  bind<ModelFactory>(TYPES.ModelFactory).toConstantValue(transformerFactory);
});
