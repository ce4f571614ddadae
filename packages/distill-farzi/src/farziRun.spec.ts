import { farziMeta, FarziCheckpointMeta } from './farziRun';

describe('distillation checkpoint meta-data', () => {
  const history = [{ step: 1, outerLoss: 2.5 }];
  const rng: [number, number, number, number] = [1, 2, 3, 4];

  it('reads a state file written in training fields (before FarziCheckpointMeta) as its own form', () => {
    expect(
      farziMeta({ epoch: 7, rng, bestMetric: 0.08, bestEpoch: 5, history }),
    ).toEqual<FarziCheckpointMeta>({
      kind: 'farzi-distillation',
      step: 7,
      rng,
      best: { metric: 0.08, at: 5, badEvaluations: 0 },
      history,
    });
  });

  it('keeps the current form as it is', () => {
    const meta: FarziCheckpointMeta = {
      kind: 'farzi-distillation',
      step: 3,
      rng,
      best: { metric: null, at: null, badEvaluations: 0 },
      history,
    };
    expect(farziMeta(meta)).toBe(meta);
  });
});
