import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { appServices, loadExperiment } from '@farzi/cli';
import { loadSplit, selectBackend } from '@farzi/core';
import { evaluateProtocols, trainOrReuse } from './experiments';

describe('benchmark helpers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-bench-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('train a run once, reuse it, and evaluate its best checkpoint under both protocols', async () => {
    await selectBackend('wasm');
    const lines: string[] = [];
    for (let u = 1; u <= 20; u++)
      for (let t = 0; t < 8; t++) lines.push(`u${u} i${((u * 3 + t * 2) % 150) + 1}`);
    fs.writeFileSync(path.join(dir, 'seq.txt'), lines.join('\n'));
    const configFile = path.join(dir, 'c.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        backend: 'wasm',
        data: { format: 'presequenced', path: path.join(dir, 'seq.txt'), maxLength: 6 },
        model: { name: 'gru4rec', embeddingSize: 4, hiddenSize: 4 },
        train: { epochs: 1, batchSize: 8 },
        eval: { ks: [5, 10], negatives: 20 },
      }),
    );
    const config = loadExperiment(configFile, []);
    const services = appServices();
    const split = await loadSplit(config.data, services.adapters);
    const logs: string[] = [];
    const out = path.join(dir, 'run');
    const first = await trainOrReuse(config, split, services, out, (s) => logs.push(s));
    const second = await trainOrReuse(config, split, services, out, (s) => logs.push(s));
    expect(second.trainSeconds).toBe(first.trainSeconds);
    expect(logs).toContain(`reusing ${out}`);
    const metrics = await evaluateProtocols(out, config, split, services, [
      { protocol: 'full' },
      { protocol: 'sampled', negatives: 20 },
    ]);
    expect(Object.keys(metrics)).toEqual(['full', 'sampled']);
    // With 20 negatives the target ranks among 21 candidates: the sampled AUC is defined and in [0, 1].
    expect(metrics.sampled.AUC).toBeGreaterThanOrEqual(0);
    expect(metrics.sampled.AUC).toBeLessThanOrEqual(1);
    expect(metrics.full['HR@10']).toBeGreaterThanOrEqual(metrics.full['HR@5']);
  });
});
