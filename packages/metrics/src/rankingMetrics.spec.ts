import { coverage, perplexity, rankingMetrics } from './rankingMetrics';

describe('rankingMetrics (hand-computed)', () => {
  // Three users; targets ranked 1, 3 and 12 among 20 candidates each.
  const ranked = {
    ranks: Float32Array.from([1, 3, 12]),
    candidates: Float32Array.from([20, 20, 20]),
  };
  const m = rankingMetrics(ranked, [1, 5, 10, 50]);

  it('HR, Recall, Precision', () => {
    expect(m['HR@1']).toBeCloseTo(1 / 3, 10);
    expect(m['HR@5']).toBeCloseTo(2 / 3, 10);
    expect(m['HR@10']).toBeCloseTo(2 / 3, 10);
    expect(m['Recall@10']).toBeCloseTo(2 / 3, 10);
    expect(m['Precision@5']).toBeCloseTo(2 / 3 / 5, 10);
  });

  it('NDCG uses the 1/log2(rank+1) gain', () => {
    expect(m['NDCG@1']).toBeCloseTo(1 / 3, 10);
    expect(m['NDCG@5']).toBeCloseTo((1 + 1 / Math.log2(4)) / 3, 10); // (1 + 0.5)/3 = 0.5
    expect(m['NDCG@5']).toBeCloseTo(0.5, 10);
  });

  it('MRR@k and MRR', () => {
    expect(m['MRR@5']).toBeCloseTo((1 + 1 / 3) / 3, 10);
    expect(m.MRR).toBeCloseTo((1 + 1 / 3 + 1 / 12) / 3, 10);
  });

  it('k larger than the catalogue counts every rank', () => {
    expect(m['HR@50']).toBe(1);
    expect(m['NDCG@50']).toBeCloseTo((1 + 0.5 + 1 / Math.log2(13)) / 3, 10);
  });

  it('AUC is the share of negatives ranked below the target', () => {
    expect(m.AUC).toBeCloseTo((19 / 19 + 17 / 19 + 8 / 19) / 3, 10);
  });

  it('coverage counts distinct items in top-k lists over the catalogue', () => {
    const lists = [Int32Array.from([1, 2, 3]), Int32Array.from([2, 4, 5])];
    expect(coverage(lists, 2, 10)).toBeCloseTo(3 / 10, 10); // {1,2,4}
    expect(coverage(lists, 3, 10)).toBeCloseTo(5 / 10, 10);
  });

  it('perplexity is exp(cross-entropy)', () => {
    expect(perplexity(Math.log(100))).toBeCloseTo(100, 8);
  });
});
