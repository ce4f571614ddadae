import { distillBudget } from './distillRun';

describe('a distillation budget', () => {
  it('counts μ·ξ synthetic events against the real training events', () => {
    const real = [Int32Array.of(1, 2, 3), Int32Array.of(4, 5), Int32Array.of(6, 7, 8, 9, 10)];
    expect(distillBudget([2, 3], real)).toEqual({
      sequences: 2,
      length: 3,
      events: 6,
      percentOfTraining: 60,
      realTrainingEvents: 10,
    });
  });
});
