import { definePlugin, ModelFactory } from '@farzi/core';
import { gru4rec, Gru4recHyperParameters } from './gru4rec';
import schema from './schema.json';

export const gru4recFactory: ModelFactory = {
  name: 'gru4rec',
  description:
    'GRU4Rec: recurrent session-based recommendation (Hidasi et al., 2016/2018), full cross-entropy',
  schema,
  create: (hyper, context) => gru4rec(hyper as unknown as Gru4recHyperParameters, context),
};

/** Registers GRU4Rec with core under the name "gru4rec". */
export const gru4recModule = definePlugin({ models: [gru4recFactory] });
