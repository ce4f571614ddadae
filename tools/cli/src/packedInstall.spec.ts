import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Issue 37: the framework used from a project of one's own, as a user would. Every package is
// packed (`npm pack`) from this checkout's build, installed from those tarballs into a fresh
// project (our packages come from the local files only; third-party ones from the npm cache, or
// the registry on a miss), and then: `npx farzi` runs there, `farzi-new-model` writes a plugin that
// installs, builds and passes its tests with its own tools, a config naming the plugin trains it,
// its export names the plugin and reads back with `loadExport` once the plugin is passed.
const root = path.resolve(__dirname, '..', '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-packed-'));
const packs = path.join(dir, 'packs');
const app = path.join(dir, 'app');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The environment of a command run by a user in their project (none of this workspace's npm_*). */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'INIT_CWD'),
);

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} in ${cwd} failed (${r.status}):\n${r.stdout}\n${r.stderr}`.slice(
        -4000,
      ),
    );
  return r;
}

const PACKAGES = [
  'packages/core',
  'packages/kernels-native',
  'packages/metrics',
  'packages/models-sasrec',
  'packages/models-gru4rec',
  'packages/models-transformer',
  'packages/distill-kit',
  'packages/distill-farzi',
  'packages/distill-td3',
  'packages/data-duckdb',
  'packages/web',
  'tools/cli',
  'tools/generators',
];

beforeAll(() => {
  fs.mkdirSync(packs, { recursive: true });
  fs.mkdirSync(path.join(app, 'data'), { recursive: true });
  const dependencies: Record<string, string> = {};
  for (const p of PACKAGES) {
    const r = sh('npm', ['pack', '--pack-destination', packs, '--json'], path.join(root, p));
    const [{ name, filename }] = JSON.parse(r.stdout) as { name: string; filename: string }[];
    dependencies[name] = `file:${path.join(packs, filename)}`;
  }
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({
      name: 'my-recommender',
      version: '1.0.0',
      private: true,
      dependencies,
      // The optional native kernels build at install (skipped cleanly without OpenBLAS).
      allowScripts: { [dependencies['@farzi/kernels-native']]: true },
    }),
  );
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
  // 40 users × 12 events over 60 items, MovieLens-100K's layout.
  const lines: string[] = [];
  for (let u = 1; u <= 40; u++)
    for (let t = 0; t < 12; t++)
      lines.push(`${u}\t${((u * 7 + t * 5) % 60) + 1}\t${1 + (t % 5)}\t${t}`);
  fs.writeFileSync(path.join(app, 'data', 'u.data'), `${lines.join('\n')}\n`);
}, 900_000);

const config = (model: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  seed: 1,
  backend: 'wasm',
  data: { format: 'movielens-100k', path: 'data/u.data', maxLength: 10 },
  model,
  train: { epochs: 2, batchSize: 16, learningRate: 0.01 },
  eval: { ks: [10] },
  ...extra,
});

describe('the packages installed into a project of their own', () => {
  it('runs npx farzi from the project: help, stats, training', () => {
    expect(sh('npx', ['farzi', '--help'], app).stdout).toContain('Usage: farzi <command>');
    expect(
      sh(
        'npx',
        ['farzi', 'datasets', 'stats', '--format', 'movielens-100k', '--path', 'data/u.data'],
        app,
      ).stdout,
    ).toMatch(/users\s+40/);
    fs.writeFileSync(
      path.join(app, 'sasrec.json'),
      JSON.stringify(config({ name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1 })),
    );
    const r = sh('npx', ['farzi', 'train', '--config', 'sasrec.json', '--out', 'runs/sasrec'], app);
    expect(r.stdout).toMatch(/test\s+HR@10/);
    // The installed packages carry their built code, not the workspace's sources and tests.
    const core = path.join(app, 'node_modules', '@farzi', 'core');
    expect(fs.existsSync(path.join(core, 'dist', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(core, 'dist', 'testing', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(core, 'src'))).toBe(false);
    // tfjs-core and the backends, not the @tensorflow/tfjs umbrella and its layers, converter and
    // data packages…
    for (const umbrella of ['tfjs', 'tfjs-layers', 'tfjs-converter', 'tfjs-data'])
      expect(fs.existsSync(path.join(app, 'node_modules', '@tensorflow', umbrella))).toBe(false);
    // …with tfjs-core's gradients and chained ops all the same, as a user's own script sees them.
    const script =
      "require('@farzi/core'); const tf = require('@tensorflow/tfjs-core');" +
      'const g = tf.grad((x) => x.square().sum())(tf.tensor([1, 2, 3]));' +
      'console.log(JSON.stringify(Array.from(g.dataSync())));';
    expect(sh('node', ['-e', script], app).stdout.trim()).toBe('[2,4,6]');
  });

  it('generates a model plugin that installs, builds and tests with its own tools, trains, and exports', () => {
    sh('npx', ['farzi-new-model', 'narm', '--out', 'plugins'], app);
    const plugin = path.join(app, 'plugins', 'models-narm');
    const pkg = JSON.parse(fs.readFileSync(path.join(plugin, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['@farzi/core', '@tensorflow/tfjs-core']);
    expect(Object.keys(pkg.devDependencies)).toEqual(
      expect.arrayContaining(['typescript', 'jest', 'ts-jest', '@types/jest']),
    );
    expect(pkg.dependencies).toBeUndefined();
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], plugin);
    sh('npm', ['run', 'build'], plugin);
    const tested = sh('npm', ['test'], plugin);
    // (Jest colours its summary when the environment asks for colour, as CI's does.)
    const summary = `${tested.stdout}${tested.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    expect(summary).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    expect(summary).not.toMatch(/failed/);

    fs.writeFileSync(
      path.join(app, 'narm.json'),
      JSON.stringify(
        config({ name: 'narm', hiddenSize: 8 }, { plugins: ['./plugins/models-narm'] }),
      ),
    );
    sh('npx', ['farzi', 'train', '--config', 'narm.json', '--out', 'runs/narm'], app);
    sh(
      'npx',
      [
        'farzi',
        'export',
        '--run',
        'runs/narm',
        '--plugin',
        './plugins/models-narm',
        '--out',
        'exports/narm',
      ],
      app,
    );
    const manifest = JSON.parse(
      fs.readFileSync(path.join(app, 'exports', 'narm', 'manifest.json'), 'utf8'),
    );
    expect(manifest.model).toMatchObject({ name: 'narm', plugin: '@farzi/models-narm' });
    // loadExport from the project's own code: the plugin is named (never loaded from the manifest).
    const script = [
      "const { loadExport } = require('@farzi/cli');",
      "try { loadExport('exports/narm'); } catch (e) { console.log('without:', e.message); }",
      "const m = loadExport('exports/narm', { plugins: ['./plugins/models-narm'] });",
      "console.log('with:', JSON.stringify(m.recommend(['1', '8'], 3).map((r) => r.item)));",
    ].join('\n');
    const out = sh(process.execPath, ['-e', script], app).stdout;
    expect(out).toContain(
      'without: the export\'s model "narm" comes from the plugin "@farzi/models-narm"',
    );
    expect(JSON.parse(/with: (.*)/.exec(out)?.[1] ?? '[]')).toHaveLength(3);
  });
});
