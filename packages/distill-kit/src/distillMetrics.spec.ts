import { distillEvents, distillMetricsCsv } from './distillMetrics';

describe("a distillation's metrics.csv and TensorBoard scalars", () => {
  const history = [
    { step: 0, valid: { 'NDCG@10': 0.05, 'HR@10': 0.1 } },
    { step: 1, outerLoss: 5.5, gradNorm: 2, innerSteps: 10 },
    { step: 2, outerLoss: 5.25, gradNorm: Number.NaN },
    { step: 2, valid: { 'NDCG@10': 0.06, 'HR@10': 0.12 } },
    { step: 2, backoff: { to: 0, outerLearningRate: 0.005 } },
    { note: 'no step' },
  ];

  it('has one row per logged step, step first, then sorted columns, empty where not logged', () => {
    expect(distillMetricsCsv(history).trim().split('\n')).toEqual([
      'step,gradNorm,innerSteps,outer_loss,val_HR@10,val_NDCG@10',
      '0,,,,0.1,0.05',
      '1,2,10,5.5,,',
      '2,,,5.25,,',
      '2,,,,0.12,0.06',
    ]);
  });

  it('writes every value as a TensorBoard scalar at its outer step', () => {
    const bytes = Buffer.from(distillEvents(history, 1_700_000_000));
    for (const tag of ['distill/outer_loss', 'distill/gradNorm', 'valid/NDCG@10', 'valid/HR@10'])
      expect(bytes.includes(Buffer.from(tag))).toBe(true);
    expect(bytes.includes(Buffer.from('brain.Event:2'))).toBe(true);
    // the version event, step 0 validation (2), step 1 (loss, gradNorm, innerSteps), step 2 loss, its validation (2)
    let records = 0;
    for (let at = 0; at < bytes.length; records++)
      at += 8 + 4 + Number(bytes.readBigUInt64LE(at)) + 4;
    expect(records).toBe(1 + 2 + 3 + 1 + 2);
  });
});
