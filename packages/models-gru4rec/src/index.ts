// Public API of @farzi/models-gru4rec.
export { gru4recModule, gru4recFactory } from './gru4recModule';
export { gru4rec } from './gru4rec';
export type { Gru4recHyperParameters } from './gru4rec';
