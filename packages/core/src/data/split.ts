import { sequenceStage } from './funnel';
import { UserError } from '../errors/FarziError';
import type { EvalSet, LeaveOneOutSplit, SequenceDataset, TokenSplit } from './Dataset';
import type { TextCorpus } from './DataAdapter';
import { Vocabulary } from './Vocabulary';
import { quoteField } from './lines';

/**
 * Leave-one-out: per user, the last item is the test target, the second last the validation target
 * and the rest the training sequence. Users with fewer than 3 interactions are dropped.
 */
export function leaveOneOut(data: SequenceDataset): LeaveOneOutSplit {
  const kept: number[] = [];
  data.sequences.forEach((s, i) => {
    if (s.length >= 3) kept.push(i);
  });
  if (kept.length === 0) {
    throw new UserError(
      `${data.source}: no user has the 3 interactions leave-one-out needs (training, validation, test).`,
    );
  }
  const users = kept.map((i) => data.users[i]);
  const seqs = kept.map((i) => data.sequences[i]);
  const evalSet = (offset: number): EvalSet => ({
    userIndex: Int32Array.from(seqs, (_, u) => u),
    histories: seqs.map((s) => s.subarray(0, s.length - offset)),
    targets: Int32Array.from(seqs, (s) => s[s.length - offset]),
  });
  return {
    kind: 'leave-one-out',
    source: data.source,
    vocab: data.vocab,
    users,
    train: seqs.map((s) => s.subarray(0, s.length - 2)),
    valid: evalSet(2),
    test: evalSet(1),
    ...(data.funnel
      ? { funnel: [...data.funnel, sequenceStage('leave-one-out (users with ≥ 3 events)', seqs)] }
      : {}),
  };
}

/**
 * Token streams for a text corpus. The vocabulary holds the training part's words ordered by
 * frequency (ties: first appearance); words of valid/test outside it map to `<unk>` if the corpus
 * has one, otherwise they are an error.
 */
export function tokenSplit(corpus: TextCorpus): TokenSplit {
  const counts = new Map<string, number>();
  for (const w of corpus.train) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts.keys()];
  const firstSeen = new Map(words.map((w, i) => [w, i]));
  words.sort(
    (a, b) =>
      (counts.get(b) as number) - (counts.get(a) as number) ||
      (firstSeen.get(a) as number) - (firstSeen.get(b) as number),
  );
  const vocab = Vocabulary.fromRaw(words);
  const unk = vocab.indexOf('<unk>');
  const encode = (tokens: string[], part: string): Int32Array => {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const index = vocab.indexOf(tokens[i]) ?? unk;
      if (index === undefined) {
        throw new UserError(
          `${corpus.source}: the ${part} part has the word ${quoteField(tokens[i])} that the training part lacks, and there is no <unk> token.`,
        );
      }
      out[i] = index;
    }
    return out;
  };
  return {
    kind: 'tokens',
    source: corpus.source,
    vocab,
    train: encode(corpus.train, 'train'),
    valid: encode(corpus.valid, 'valid'),
    test: encode(corpus.test, 'test'),
  };
}
