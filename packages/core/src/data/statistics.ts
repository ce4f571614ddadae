import type { SequenceDataset, TokenSplit } from './Dataset';

export interface SequenceStatistics {
  readonly kind: 'sequences';
  readonly source: string;
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  readonly sequenceLength: { min: number; median: number; mean: number; max: number };
  /** interactions / (users × items). */
  readonly density: number;
}

export interface TokenStatistics {
  readonly kind: 'tokens';
  readonly source: string;
  /** Words in the vocabulary (excluding padding). */
  readonly vocabulary: number;
  readonly tokens: { train: number; valid: number; test: number };
}

export function sequenceStatistics(data: SequenceDataset): SequenceStatistics {
  const lengths = data.sequences.map((s) => s.length).sort((a, b) => a - b);
  const interactions = lengths.reduce((a, b) => a + b, 0);
  const n = lengths.length;
  const median = n % 2 ? lengths[(n - 1) / 2] : (lengths[n / 2 - 1] + lengths[n / 2]) / 2;
  const items = data.vocab.numTokens;
  return {
    kind: 'sequences',
    source: data.source,
    users: n,
    items,
    interactions,
    sequenceLength: { min: lengths[0], median, mean: interactions / n, max: lengths[n - 1] },
    density: interactions / (n * items),
  };
}

export function tokenStatistics(split: TokenSplit): TokenStatistics {
  return {
    kind: 'tokens',
    source: split.source,
    vocabulary: split.vocab.numTokens,
    tokens: { train: split.train.length, valid: split.valid.length, test: split.test.length },
  };
}
