import type { Named } from '../di/Registry';
import type { JsonSchema } from '../config/JsonSchema';
import type { InteractionLog } from './InteractionLog';

/** Text split into the given train/valid/test parts, one array of tokens each. */
export interface TextCorpus {
  readonly source: string;
  readonly train: string[];
  readonly valid: string[];
  readonly test: string[];
}

interface AdapterBase extends Named {
  /** One line for `farzi datasets list`. */
  readonly description: string;
  /** JSON Schema of `data.options` for this format (defaults are filled in by validation). */
  readonly optionsSchema: JsonSchema;
}

/** Reads a file of user–item events. */
export interface InteractionAdapter extends AdapterBase {
  readonly kind: 'interactions';
  load(path: string, options: Record<string, unknown>): InteractionLog;
}

/** Reads a text corpus with given train/valid/test parts. */
export interface CorpusAdapter extends AdapterBase {
  readonly kind: 'corpus';
  load(path: string, options: Record<string, unknown>): TextCorpus;
}

export type DataAdapter = InteractionAdapter | CorpusAdapter;
