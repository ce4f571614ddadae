import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { leftPadded, readSafetensors } from '@farzi/core';
import { loadRun } from './runs';
import { cliWorkspace, run } from './testing/cliHarness';

// Recommend and export, as a user serves a trained model: the CLI, the library call, and the
// export loaded in another Node.js process give the same items.
const workspace = cliWorkspace('farzi-serving-');
const { dir, dataDir, writeConfig } = workspace;
afterAll(() => workspace.cleanup());
fs.writeFileSync(
  path.join(dataDir, 'u.item'),
  Array.from({ length: 40 }, (_, i) => `${i + 1}|Film ${i + 1} (199${i % 10})|01-Jan-1995||`).join(
    '\n',
  ),
  'latin1',
);
const out = path.join(dir, 'run');

beforeAll(async () => {
  const file = writeConfig('serve.json', { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1 });
  const r = await run('train', '--config', file, '--set', 'train.epochs=3', '--out', out);
  expect(r.code).toBe(0);
});

describe('recommend', () => {
  it("gives a user's top-k with titles, never an item of their history, in the model's order", async () => {
    const r = await run('recommend', '--run', out, '--user', '5', '--k', '4', '--json');
    expect(r.code).toBe(0);
    const { history, items } = JSON.parse(r.out) as {
      history: string[];
      items: { rank: number; item: string; score: number; title: string }[];
    };
    expect(items.map((i) => i.rank)).toEqual([1, 2, 3, 4]);
    for (const i of items) {
      expect(history).not.toContain(i.item);
      expect(i.title).toBe(`Film ${i.item} (199${(Number(i.item) - 1) % 10})`);
    }
    // Independent reference: the last row of the dense logits, history and padding removed.
    const loaded = await loadRun(out);
    const idx = history.map((h) => loaded.split.vocab.indexOf(h) as number);
    const logits = tf.tidy(() =>
      tf
        .slice(
          loaded.model.apply(loaded.params, tf.tensor2d(leftPadded(idx, 10), [1, 10], 'int32'), {
            training: false,
          }),
          [0, 9, 0],
          [1, 1, loaded.model.vocabSize],
        )
        .dataSync(),
    );
    const expected = Array.from(logits.keys())
      .filter((i) => i > 0 && !idx.includes(i))
      .sort((a, b) => logits[b] - logits[a])
      .slice(0, 4)
      .map((i) => loaded.split.vocab.tokens[i]);
    expect(items.map((i) => i.item)).toEqual(expected);
    // The library call gives the same.
    expect(loaded.recommend(history, 4).map((x) => x.item)).toEqual(expected);
    loaded.dispose();
    const text = await run('recommend', '--run', out, '--history', '3 7, 12');
    expect(text.code).toBe(0);
    // The scores are labelled: the model's logits.
    expect(text.out).toMatch(
      /^history \(3 items\): 3 7 12\n\s+#\s+item\s+score\s+\(logit\)\n\s+1\. \d+\s+-?\d+\.\d{3}\s+Film \d+/,
    );
    expect(text.out.trim().split('\n')).toHaveLength(12);
  });

  it('names an unknown user or item, and needs exactly one of --user and --history', async () => {
    const cases: [string[], string][] = [
      [['--user', 'nobody'], 'user "nobody" is not in the data'],
      [['--history', '998 999'], 'none of the --history items is in the vocabulary'],
      [[], 'give exactly one of --user'],
      [['--user', '5', '--history', '3'], 'give exactly one of --user'],
      [['--user', '5', '--k', '0'], '--k: expected a positive integer'],
    ];
    for (const [argv, message] of cases) {
      const r = await run('recommend', '--run', out, ...argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
    }
    // One unknown item among known ones is left out with a note, not fatal.
    const mixed = await run('recommend', '--run', out, '--history', '3 999 7', '--json');
    expect(mixed.code).toBe(0);
    expect(mixed.err).toContain('left out 1 item(s) not in the vocabulary');
    const result = JSON.parse(mixed.out);
    expect(result.history).toEqual(['3', '7']);
    expect(result.ignored).toEqual(['999']);
    const same = await run('recommend', '--run', out, '--history', '3 7', '--json');
    expect(JSON.parse(same.out).items).toEqual(result.items);
  });
});

describe('users who are not in the data', () => {
  it('train prints and records the funnel; recommend --user says why a user is absent', async () => {
    // Ratings 1–5 in turn: keeping 5 only leaves most users too few events for leave-one-out.
    const file = writeConfig(
      'rated.json',
      { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1 },
      { data: { format: 'movielens-100k', path: dataDir, maxLength: 10, minRating: 5 } },
    );
    const rated = path.join(dir, 'run-rated');
    const r = await run('train', '--config', file, '--set', 'train.epochs=1', '--out', rated);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/\[data\] read: \d+ events, 30 users, 40 items\n/);
    expect(r.err).toMatch(/\[data\] data\.minRating 5: \d+ events \(−\d+\), 30 users, \d+ items/);
    expect(r.err).toMatch(/\[data\] leave-one-out \(users with ≥ 3 events\): .*users \(−\d+\)/);
    const funnel = JSON.parse(fs.readFileSync(path.join(rated, 'data.json'), 'utf8')).funnel;
    expect(funnel.map((s: { stage: string }) => s.stage)).toEqual([
      'read',
      'data.minRating 5',
      'leave-one-out (users with ≥ 3 events)',
    ]);
    const kept = JSON.parse(fs.readFileSync(path.join(rated, 'data.json'), 'utf8')).users;
    expect(kept).toBeLessThan(30);
    // A user the split dropped, and one that never was in the file.
    const lines = fs.readFileSync(path.join(dataDir, 'u.data'), 'utf8').trim().split('\n');
    const fives = new Map<string, number>();
    for (const l of lines) {
      const [u, , rating] = l.split('\t');
      if (rating === '5') fives.set(u, (fives.get(u) ?? 0) + 1);
    }
    const dropped = [...fives.entries()].find(([, n]) => n < 3)?.[0] as string;
    const why = await run('recommend', '--run', rated, '--user', dropped);
    expect(why.code).toBe(2);
    expect(why.err).toContain(
      `user "${dropped}" has ${fives.get(dropped)} event(s) after the filters; leave-one-out needs 3`,
    );
    const unknown = await run('recommend', '--run', rated, '--user', '999');
    expect(unknown.err).toContain('user "999" has no events in');
  });
});

describe('export', () => {
  it('writes parameters, item embeddings, vocabulary and a manifest that another process loads to the same recommendations', async () => {
    const target = path.join(dir, 'export');
    const r = await run('export', '--run', out, '--out', target);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(target).sort()).toEqual([
      'embeddings.safetensors',
      'manifest.json',
      'params.safetensors',
      'vocab.json',
    ]);
    const vocab = JSON.parse(fs.readFileSync(path.join(target, 'vocab.json'), 'utf8'));
    expect(vocab).toEqual(JSON.parse(fs.readFileSync(path.join(out, 'vocab.json'), 'utf8')));
    const embeddings = readSafetensors(path.join(target, 'embeddings.safetensors'));
    expect(embeddings.tensors.items.shape).toEqual([41, 8]);
    // Row 0 is padding, and the files say so; the manifest holds no path of this machine.
    expect(embeddings.metadata.rows).toContain('row 0 is padding');
    const manifestText = fs.readFileSync(path.join(target, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText);
    expect(manifest.model.paddingIndex).toBe(0);
    expect(manifest.source).toMatchObject({ run: 'run', data: 'ml' });
    expect(manifestText).not.toContain(dir);
    const params = readSafetensors(path.join(target, 'params.safetensors'));
    expect(Array.from(embeddings.tensors.items.values)).toEqual(
      Array.from(params.tensors.itemEmbedding.values),
    );

    const cli = await run('recommend', '--run', out, '--history', '3 7 12', '--k', '5', '--json');
    const expected = (JSON.parse(cli.out).items as { item: string }[]).map((i) => i.item);
    // A separate Node.js process with only the export folder and the built library.
    const script = `
      const { loadExport } = require(${JSON.stringify(path.resolve(__dirname, '../dist/main.js'))});
      const m = loadExport(${JSON.stringify(target)});
      process.stdout.write(JSON.stringify(m.recommend(['3', '7', '12'], 5).map((r) => r.item)));
    `;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual(expected);

    const again = await run('export', '--run', out, '--out', target);
    expect(again.code).toBe(2);
    expect(again.err).toContain('already holds an export');

    // recommend --export names what is wrong with what it was given.
    const bogus = path.join(dir, 'bogus.zip');
    fs.writeFileSync(bogus, 'not a zip');
    const cases: [string, string][] = [
      [path.join(dir, 'missing.zip'), 'no such export folder or zip file'],
      [bogus, 'is neither an export folder nor a zip of one'],
      [dataDir, 'is not a farzi export (no manifest.json)'],
    ];
    for (const [where, message] of cases) {
      const r = await run('recommend', '--export', where, '--history', '3 7');
      expect([where, r.code]).toEqual([where, 2]);
      expect(r.err).toContain(message);
    }
    const fromZip = await run('recommend', '--export', target, '--user', '5');
    expect(fromZip.err).toContain('--user needs the data set of a run');
  });
});
