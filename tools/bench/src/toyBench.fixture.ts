import * as fs from 'fs';
import * as path from 'path';

/*
 * The benchmarks' toy fixtures for their tests: a small text corpus and the full-data and
 * distillation configs of a one-layer Transformer LM on it (the benchmarks at toy size).
 */

export function toyCorpus(dir: string): string {
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'dog', 'ran', 'to', 'it'];
  const line = (i: number) =>
    Array.from({ length: 6 }, (_, t) => words[(i * 3 + t * (1 + (i % 3))) % words.length]).join(
      ' ',
    );
  const data = path.join(dir, 'toy');
  if (fs.existsSync(data)) return data;
  fs.mkdirSync(data);
  const part = (name: string, n: number, offset: number) =>
    fs.writeFileSync(
      path.join(data, `toy.${name}.txt`),
      Array.from({ length: n }, (_, i) => line(i + offset)).join('\n') + '\n',
    );
  part('train', 60, 0);
  part('valid', 10, 60);
  part('test', 10, 70);
  return data;
}

export function toyConfigs(dir: string, data: string): { train: string; distill: string } {
  const base = {
    seed: 3,
    backend: 'wasm',
    data: { format: 'text', path: data, maxLength: 8, options: { eos: true } },
    model: { name: 'transformer', hiddenSize: 8, layers: 1, heads: 2, ffMultiplier: 2, dropout: 0 },
    train: { epochs: 1, batchSize: 16, logEvery: 1000 },
    eval: { evaluator: 'language-model', metric: 'perplexity', batchSize: 16 },
  };
  const train = path.join(dir, 'train.json');
  const distill = path.join(dir, 'distill.json');
  fs.writeFileSync(train, JSON.stringify(base));
  fs.writeFileSync(
    distill,
    JSON.stringify({
      ...base,
      distill: {
        method: 'farzi',
        size: [4, 9],
        latentDim: 4,
        init: 'teacher',
        innerSteps: 2,
        innerInit: 'student',
        studentTrajectory: { every: 1, refreshEvery: 10 },
        outerSteps: 1,
        realBatchSize: 8,
        evalEvery: 1,
        student: { epochs: 2 },
      },
    }),
  );
  return { train, distill };
}
