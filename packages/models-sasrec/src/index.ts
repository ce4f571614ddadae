// Public API of @farzi/models-sasrec.
export { sasrecModule, sasrecFactory } from './sasrecModule';
export { sasrec } from './sasrec';
export type { SasrecHyperParameters } from './sasrec';
