// Public API of @farzi/models-transformer.
export { transformerModule, transformerFactory } from './transformerModule';
export { transformer } from './transformer';
export type { TransformerHyperParameters } from './transformer';
