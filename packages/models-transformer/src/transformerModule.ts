import { definePlugin, ModelFactory } from '@farzi/core';
import schema from './schema.json';
import { transformer, TransformerHyperParameters } from './transformer';

export const transformerFactory: ModelFactory = {
  name: 'transformer',
  description: 'GPT-style causal Transformer language model (pre-layer-norm, tied embeddings)',
  schema,
  create: (hyper, context) => transformer(hyper as unknown as TransformerHyperParameters, context),
};

/** Registers the Transformer LM with core under the name "transformer". */
export const transformerModule = definePlugin({ models: [transformerFactory] });
