// @farzi/distill-farzi in a browser: reading Farzi Data from bytes and training on it (the
// distillation itself, its run files and teachers stay in Node). Bundlers take this file for
// `@farzi/distill-farzi` (package.json "browser").
export {
  checkVocabulary,
  decodeFarzi,
  farziDataContents,
  farziDataFromContents,
  farziLogits,
  farziShape,
  parseFarziData,
} from './farziDataFormat';
export type { FarziData } from './farziDataFormat';
export { farziSource } from './farziSource';
