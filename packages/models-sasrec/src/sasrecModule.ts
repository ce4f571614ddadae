import { ModelFactory, TYPES } from '@farzi/core';
import { ContainerModule } from 'inversify';
import schema from './schema.json';
import { sasrec, SasrecHyperParameters } from './sasrec';

export const sasrecFactory: ModelFactory = {
  name: 'sasrec',
  description: 'SASRec: self-attentive sequential recommendation (Kang & McAuley, ICDM 2018)',
  schema,
  create: (hyper, context) => sasrec(hyper as unknown as SasrecHyperParameters, context),
};

/** Registers SASRec with core under the name "sasrec". */
export const sasrecModule = new ContainerModule(({ bind }) => {
  bind<ModelFactory>(TYPES.ModelFactory).toConstantValue(sasrecFactory);
});
