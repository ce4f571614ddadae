import * as path from 'path';
import { createContainer, resolveServices } from '../di/createContainer';
import { sharedDataDir } from '../testing/tempFiles';
import { loadData } from './loadData';
import { sequenceStatistics, tokenStatistics } from './statistics';

// The real data sets live beside the repository (../shared/data) and in CI; they are never committed.
const dataDir = sharedDataDir();
const describeWithData = dataDir ? describe : describe.skip;
if (!dataDir) console.warn('shared data not found: set FARZI_DATA_DIR to run the real-data checks');

describeWithData('real data sets', () => {
  const { adapters } = resolveServices(createContainer([]));

  it('loads MovieLens 100K: 943 users, 1,682 items, 100,000 interactions', async () => {
    const data = await loadData(
      {
        format: 'movielens-100k',
        path: path.join(dataDir as string, 'ml-100k'),
        options: {},
        kCore: 0,
        maxLength: 50,
      },
      adapters,
    );
    if (data.kind !== 'sequences') throw new Error('expected sequences');
    const stats = sequenceStatistics(data);
    expect([stats.users, stats.items, stats.interactions]).toEqual([943, 1682, 100000]);
    expect(stats.sequenceLength.min).toBe(20);
    expect(stats.sequenceLength.max).toBe(737);
  });

  it('loads PTB with a 10,000-word vocabulary and 929,589 training tokens', async () => {
    const data = await loadData(
      {
        format: 'text',
        path: path.join(dataDir as string, 'ptb'),
        options: { eos: true },
        kCore: 0,
        maxLength: 35,
      },
      adapters,
    );
    if (data.kind !== 'tokens') throw new Error('expected tokens');
    const stats = tokenStatistics(data);
    expect(stats.vocabulary).toBe(10000);
    expect(stats.tokens.train).toBe(929589);
    expect(data.vocab.indexOf('<eos>')).toBeDefined();
  });
});
