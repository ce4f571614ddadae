/**
 * Ranking metrics from the 1-based rank of each example's target among its candidates. Ranks are
 * computed pessimistically: the target ranks after every candidate with an equal score.
 *
 * With one relevant item per example (leave-one-out):
 *   HR@k = Recall@k = [rank ≤ k];  Precision@k = [rank ≤ k] / k;  NDCG@k = [rank ≤ k] / log2(rank + 1);
 *   MRR@k = [rank ≤ k] / rank;  AUC = (candidates − rank) / (candidates − 1).
 * Each is averaged over examples. A k larger than the number of candidates simply counts every rank.
 */
export interface RankedExamples {
  /** 1-based rank of the target. */
  readonly ranks: Float32Array;
  /** Number of candidates the target was ranked among (target included). */
  readonly candidates: Float32Array;
}

export function rankingMetrics(
  ranked: RankedExamples,
  ks: readonly number[],
): Record<string, number> {
  const { ranks, candidates } = ranked;
  const n = ranks.length;
  const out: Record<string, number> = {};
  if (n === 0) return out;
  for (const k of ks) {
    let hits = 0;
    let ndcg = 0;
    let mrr = 0;
    for (let i = 0; i < n; i++) {
      const r = ranks[i];
      if (r <= k) {
        hits++;
        ndcg += 1 / Math.log2(r + 1);
        mrr += 1 / r;
      }
    }
    out[`HR@${k}`] = hits / n;
    out[`Recall@${k}`] = hits / n;
    out[`Precision@${k}`] = hits / n / k;
    out[`NDCG@${k}`] = ndcg / n;
    out[`MRR@${k}`] = mrr / n;
  }
  let auc = 0;
  let mrr = 0;
  for (let i = 0; i < n; i++) {
    auc += candidates[i] > 1 ? (candidates[i] - ranks[i]) / (candidates[i] - 1) : 1;
    mrr += 1 / ranks[i];
  }
  out.AUC = auc / n;
  out.MRR = mrr / n;
  return out;
}

/** Share of catalogue items that appear in at least one example's top-k list. */
export function coverage(
  topLists: readonly Int32Array[],
  k: number,
  catalogueSize: number,
): number {
  const seen = new Uint8Array(catalogueSize + 1);
  let count = 0;
  for (const list of topLists) {
    for (let j = 0; j < Math.min(k, list.length); j++) {
      const item = list[j];
      if (item > 0 && !seen[item]) {
        seen[item] = 1;
        count++;
      }
    }
  }
  return count / catalogueSize;
}

/** Perplexity from a mean cross-entropy in nats. */
export function perplexity(crossEntropy: number): number {
  return Math.exp(crossEntropy);
}
