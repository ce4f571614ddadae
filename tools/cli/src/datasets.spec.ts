import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { cliWorkspace, run } from './testing/cliHarness';

// Data sets by name (data.dataset), found in --data-dir, $FARZI_DATA_DIR or the cache, and paths
// relative to the config file rather than the shell.
const workspace = cliWorkspace('farzi-datasets-');
const { dir, dataDir } = workspace;
afterAll(() => workspace.cleanup());
const dataRoot = path.join(dir, 'data-root');
fs.mkdirSync(dataRoot);
fs.symlinkSync(dataDir, path.join(dataRoot, 'ml-100k'));

function config(file: string, data: Record<string, unknown>): string {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(
    full,
    JSON.stringify({
      seed: 3,
      backend: 'wasm',
      data: { maxLength: 10, ...data },
      model: { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1 },
      train: { epochs: 1, batchSize: 16 },
      eval: { ks: [5, 10] },
    }),
  );
  return full;
}

describe('data sets by name', () => {
  it('trains on data.dataset found through --data-dir, and the run is evaluated later by its recorded path', async () => {
    const file = config('named.json', { dataset: 'movielens-100k' });
    const out = path.join(dir, 'named-run');
    const r = await run('train', '--config', file, '--data-dir', dataRoot, '--out', out);
    expect(r.code).toBe(0);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(saved.data).toMatchObject({
      dataset: 'movielens-100k',
      format: 'movielens-100k',
      path: path.join(dataRoot, 'ml-100k', 'u.data'),
    });
    expect((await run('evaluate', '--run', out)).code).toBe(0);
  });

  it('finds it through $FARZI_DATA_DIR too, and says where it looked and how to get it when missing', async () => {
    const file = config('named-env.json', { dataset: 'movielens-100k' });
    const saved = process.env.FARZI_DATA_DIR;
    try {
      process.env.FARZI_DATA_DIR = dataRoot;
      expect((await run('config', 'show', '--config', file)).code).toBe(0);
      process.env.FARZI_DATA_DIR = path.join(dir, 'nowhere');
      const missing = await run('train', '--config', file, '--out', path.join(dir, 'no-run'));
      expect(missing.code).toBe(2);
      expect(missing.err).toContain(
        `data set movielens-100k was not found: looked for ml-100k/u.data in ${path.join(dir, 'nowhere')}`,
      );
      expect(missing.err).toContain('npx farzi datasets fetch movielens-100k');
      const beauty = config('beauty.json', { dataset: 'amazon-beauty' });
      const noBeauty = await run('config', 'show', '--config', beauty);
      expect(noBeauty.err).toContain('github.com/salesforce/ICLRec');
      const unknown = await run(
        'config',
        'show',
        '--config',
        config('x.json', { dataset: 'movielens-1b' }),
      );
      expect(unknown.code).toBe(2);
      expect(unknown.err).toContain('data.dataset');
    } finally {
      if (saved === undefined) delete process.env.FARZI_DATA_DIR;
      else process.env.FARZI_DATA_DIR = saved;
    }
  });

  it("reads a relative data.path from the config file's folder, whatever the working directory", async () => {
    const file = config('configs/deep/relative.json', {
      format: 'movielens-100k',
      path: path.relative(path.join(dir, 'configs', 'deep'), dataDir),
    });
    const shown = await run('config', 'show', '--config', file);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out).data.path).toBe(dataDir);
    // A path given on the command line is from the working directory.
    const relative = path.relative(process.cwd(), dataDir);
    const set = await run('config', 'show', '--config', file, '--set', `data.path=${relative}`);
    expect(JSON.parse(set.out).data.path).toBe(dataDir);
  });

  it('datasets stats takes a known name', async () => {
    const r = await run('datasets', 'stats', '--dataset', 'movielens-100k', '--data-dir', dataRoot);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/users\s+30\n/);
  });
});

describe('large event logs through DuckDB (format event-log)', () => {
  const gz = path.join(dir, 'events.tsv.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(path.join(dataDir, 'u.data'))));

  it('gives the same statistics as the built-in parser for the same filters, from a gzipped file', async () => {
    const stats = async (format: string, file: string) => {
      const r = await run(
        'datasets',
        'stats',
        '--format',
        format,
        '--path',
        file,
        '--option',
        'delimiter=\\t',
        '--min-rating',
        '2',
        '--k-core',
        '3',
        '--json',
      );
      expect(r.code).toBe(0);
      const { source, ...rest } = JSON.parse(r.out);
      expect(source).toBe(file);
      return rest;
    };
    expect(await stats('event-log', gz)).toEqual(
      await stats('delimited', path.join(dataDir, 'u.data')),
    );
    const list = await run('datasets', 'list');
    expect(list.out).toContain('event-log');
  });

  it('trains one epoch on it with a SQL filter, and a wrong filter is a clear error before any run', async () => {
    const file = config('event-log.json', {
      format: 'event-log',
      path: gz,
      options: { delimiter: '\\t', where: 'column2 >= 2' },
      kCore: 2,
    });
    const out = path.join(dir, 'event-log-run');
    const r = await run('train', '--config', file, '--out', out);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'))).toHaveProperty(
      'test',
    );
    const bad = await run(
      'train',
      '--config',
      file,
      '--set',
      'data.options.where="stars > 2"',
      '--out',
      path.join(dir, 'no-run-2'),
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('data.options.where ("stars > 2"): no column "stars" in the file');
    expect(fs.existsSync(path.join(dir, 'no-run-2'))).toBe(false);
  });
});
