import {
  EvalSet,
  LeaveOneOutSplit,
  Model,
  PAD_TOKEN,
  Params,
  UserError,
  Vocabulary,
} from '@farzi/core';
import { computeRanks, rankingMetrics } from '@farzi/metrics';

// A held-out check for a model trained away from the real data: a sample of real test sequences
// (`npx farzi export-eval`), ranked with the evaluator's own code (full ranking over every item,
// the history masked, pessimistic ties), so that a page and Node report the same numbers.

export const EVAL_SAMPLE_FORMAT = 'farzi-eval-sample';

/** An exported sample of real test sequences (raw item ids), with titles where the data has them. */
export interface EvalSample {
  readonly format: typeof EVAL_SAMPLE_FORMAT;
  readonly version: 1;
  readonly source: {
    readonly data: string;
    /** Fingerprint of the split; Farzi Data distilled from it carries the same. */
    readonly fingerprint: string;
    readonly part: 'test' | 'valid';
    /** Users in the split, of whom `sequences` is a sample. */
    readonly users: number;
    readonly seed: number;
  };
  readonly protocol: string;
  readonly sequences: ReadonlyArray<{ readonly history: string[]; readonly target: string }>;
  readonly titles?: Readonly<Record<string, string>>;
}

/** Reads and checks an evaluation sample's JSON text; `file` names it in errors. */
export function parseEvalSample(text: string, file: string): EvalSample {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(
      `${file} is not JSON (expected an evaluation sample from npx farzi export-eval).`,
    );
  }
  const sample = value as EvalSample;
  if (sample?.format !== EVAL_SAMPLE_FORMAT || sample.version !== 1)
    throw new UserError(
      `${file} is not an evaluation sample (format ${JSON.stringify(String(sample?.format)).slice(0, 40)}); make one with npx farzi export-eval.`,
    );
  if (!Array.isArray(sample.sequences) || sample.sequences.length === 0)
    throw new UserError(`${file}: "sequences" is empty; expected real test sequences.`);
  sample.sequences.forEach((s, i) => {
    const ok =
      Array.isArray(s?.history) &&
      s.history.length > 0 &&
      s.history.every((id: unknown) => typeof id === 'string') &&
      typeof s.target === 'string';
    if (!ok)
      throw new UserError(
        `${file}: sequences[${i}] should be {"history": [item ids], "target": "item id"} with a non-empty history.`,
      );
  });
  if (sample.titles !== undefined && (typeof sample.titles !== 'object' || sample.titles === null))
    throw new UserError(`${file}: "titles" should map item ids to titles.`);
  return sample;
}

export interface SampleResult {
  readonly metrics: Record<string, number>;
  /** Sequences ranked (all of the sample's). */
  readonly users: number;
}

/**
 * HR@10, NDCG@10 (and @5, @20, MRR) of a model on the sample, its items mapped through the
 * vocabulary the model was trained with. The sample must come from the data the Farzi Data was
 * distilled from (same fingerprint) so that item indices and the candidate set agree.
 */
export function evaluateOnSample(
  model: Model,
  params: Params,
  vocabulary: readonly string[],
  sourceFingerprint: string,
  sample: EvalSample,
  file = 'the evaluation sample',
): SampleResult {
  if (sample.source.fingerprint !== sourceFingerprint)
    throw new UserError(
      `${file} comes from other data (fingerprint ${sample.source.fingerprint.slice(0, 12)}) than the Farzi Data (${sourceFingerprint.slice(0, 12)}); export the sample from the run the data was distilled from.`,
    );
  if (vocabulary[0] !== PAD_TOKEN)
    throw new UserError(
      `the Farzi Data's vocabulary does not start with ${PAD_TOKEN} (the file is damaged).`,
    );
  const vocab = new Vocabulary(vocabulary);
  const index = (id: string, i: number) => {
    const at = vocab.indexOf(id);
    if (!at)
      throw new UserError(
        `${file}: item ${JSON.stringify(id).slice(0, 40)} of sequences[${i}] is not in the Farzi Data's vocabulary.`,
      );
    return at;
  };
  const histories = sample.sequences.map((s, i) =>
    Int32Array.from(s.history, (id) => index(id, i)),
  );
  const set: EvalSet = {
    userIndex: Int32Array.from(histories, (_, i) => i),
    histories,
    targets: Int32Array.from(sample.sequences, (s, i) => index(s.target, i)),
  };
  const split: LeaveOneOutSplit = {
    kind: 'leave-one-out',
    source: file,
    vocab,
    users: histories.map((_, i) => String(i)),
    train: histories,
    valid: set,
    test: set,
  };
  const ranked = computeRanks(model, params, split, set, {
    protocol: 'full',
    maskHistory: true,
    negatives: 0,
    negativeSampling: 'uniform',
    batchSize: 128,
    topK: 0,
    seed: sample.source.seed,
  });
  return { metrics: rankingMetrics(ranked, [5, 10, 20]), users: histories.length };
}
