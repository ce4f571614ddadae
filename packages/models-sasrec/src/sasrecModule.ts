import { definePlugin, ModelFactory } from '@farzi/core';
import schema from './schema.json';
import { sasrec, SasrecHyperParameters } from './sasrec';

export const sasrecFactory: ModelFactory = {
  name: 'sasrec',
  description: 'SASRec: self-attentive sequential recommendation (Kang & McAuley, ICDM 2018)',
  schema,
  create: (hyper, context) => sasrec(hyper as unknown as SasrecHyperParameters, context),
};

/** Registers SASRec with core under the name "sasrec". */
export const sasrecModule = definePlugin({ models: [sasrecFactory] });
