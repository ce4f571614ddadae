import type { Named } from '../contracts/Named';
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

/** The event filters of `data` (`minRating`, `kCore`), for adapters that apply them where they read. */
export interface EventFilters {
  readonly minRating?: number;
  readonly kCore: number;
}

/**
 * Reads events asynchronously and applies the event filters itself (e.g. in SQL inside an embedded
 * database), returning only the events that survive them. Core does not filter again.
 */
export interface FilteringInteractionAdapter extends AdapterBase {
  readonly kind: 'filtered-interactions';
  load(
    path: string,
    options: Record<string, unknown>,
    filters: EventFilters,
  ): Promise<InteractionLog>;
}

export type DataAdapter = InteractionAdapter | FilteringInteractionAdapter | CorpusAdapter;
