import type {
  EvalConfig,
  EvalSet,
  EvaluationRequest,
  EvaluationResult,
  Evaluator,
  LeaveOneOutSplit,
} from '@farzi/core';
import { Rng, UserError } from '@farzi/core';
import { computeRanks, RankResult } from './computeRanks';
import { coverage, rankingMetrics } from './rankingMetrics';

/** The protocol in words, stated in every output. */
export function describeProtocol(config: EvalConfig, split: LeaveOneOutSplit): string {
  if (config.protocol === 'sampled') {
    return `sampled: target vs ${config.negatives} ${config.negativeSampling} negatives the user never interacted with (pessimistic ties)`;
  }
  return `full: target vs all ${split.vocab.numTokens} items${config.maskHistory ? ', history masked' : ', nothing masked'} (pessimistic ties)`;
}

/** Turns "done of total" callbacks into `eval` progress events with an ETA. */
export function evalProgress(
  request: EvaluationRequest,
): ((done: number, total: number) => void) | undefined {
  const listener = request.onProgress;
  if (!listener) return undefined;
  const started = Date.now();
  return (done, total) => {
    const elapsed = (Date.now() - started) / 1000;
    listener({
      type: 'eval',
      label: request.model.name,
      part: request.part,
      done,
      total,
      etaSeconds: done > 0 ? (elapsed / done) * (total - done) : Infinity,
    });
  };
}

/** The seed of the validation sample: fixed, so every run and seed validates on the same users. */
const VALID_SAMPLE_SEED = 20261129;

/**
 * `eval.validUsers`: the validation examples of a fixed random sample of that many users (in user
 * order), or the whole set when it has no more examples than that.
 */
export function validationSample(set: EvalSet, users: number | undefined): EvalSet {
  const n = set.targets.length;
  if (users === undefined || users >= n) return set;
  const keep = Int32Array.from(new Rng(VALID_SAMPLE_SEED).permutation(n).subarray(0, users)).sort();
  return {
    userIndex: Int32Array.from(keep, (i) => set.userIndex[i]),
    histories: Array.from(keep, (i) => set.histories[i]),
    targets: Int32Array.from(keep, (i) => set.targets[i]),
  };
}

/** Ranks the targets of a request's part. */
export function rankRequest(request: EvaluationRequest): RankResult {
  const { split, config } = request;
  if (split.kind !== 'leave-one-out') {
    throw new UserError(
      'eval.evaluator: "ranking" needs leave-one-out recommendation data; use "language-model" for text.',
    );
  }
  const set =
    request.part === 'valid' ? validationSample(split.valid, config.validUsers) : split.test;
  return computeRanks(request.model, request.params, split, set, {
    protocol: config.protocol,
    maskHistory: config.maskHistory,
    negatives: config.negatives,
    negativeSampling: config.negativeSampling,
    batchSize: config.batchSize,
    topK: config.protocol === 'full' ? Math.max(...config.ks) : 0,
    seed: request.seed + (request.part === 'test' ? 1 : 0),
    onProgress: evalProgress(request),
  });
}

/** HR, NDCG, MRR, Recall, Precision at every k, AUC, and (full protocol) catalogue coverage@k. */
export const rankingEvaluator: Evaluator = {
  name: 'ranking',
  description:
    'leave-one-out ranking metrics (HR, NDCG, MRR, Recall, Precision @k, AUC, coverage@k)',
  higherIsBetter: () => true,
  metricNames(config) {
    const perK = [
      'HR',
      'Recall',
      'Precision',
      'NDCG',
      'MRR',
      ...(config.protocol === 'full' ? ['Coverage'] : []),
    ];
    return [...config.ks.flatMap((k) => perK.map((m) => `${m}@${k}`)), 'MRR', 'AUC'];
  },
  check(config, split) {
    if (config.protocol !== 'sampled' || split.kind !== 'leave-one-out') return;
    const items = split.vocab.numTokens;
    let longest = 0;
    for (const h of split.test.histories) longest = Math.max(longest, new Set(h).size);
    // Negatives are items the user never interacted with: history, valid and test items excluded.
    if (config.negatives > items - longest - 1) {
      throw new UserError(
        `eval.negatives: ${config.negatives} negatives cannot be drawn: the catalogue has ${items} items and the longest user history ` +
          `leaves ${Math.max(0, items - longest - 1)} items the user never saw. Use at most that many, or eval.protocol "full".`,
      );
    }
  },
  async evaluate(request): Promise<EvaluationResult> {
    this.check?.(request.config, request.split);
    const split = request.split as LeaveOneOutSplit;
    const ranked = rankRequest(request);
    const metrics = rankingMetrics(ranked, request.config.ks);
    if (request.config.protocol === 'full') {
      for (const k of request.config.ks)
        metrics[`Coverage@${k}`] = coverage(ranked.top, k, split.vocab.numTokens);
    }
    const sampled =
      request.part === 'valid' && ranked.ranks.length < split.valid.targets.length
        ? `; validation on a fixed sample of ${ranked.ranks.length} of ${split.valid.targets.length} users`
        : '';
    return {
      protocol: describeProtocol(request.config, split) + sampled,
      part: request.part,
      count: ranked.ranks.length,
      metrics,
    };
  },
};
