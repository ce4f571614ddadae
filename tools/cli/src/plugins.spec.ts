import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { availableEmbeddedBackends } from '@farzi/core';
import { cliWorkspace, run } from './testing/cliHarness';

// A model package generated outside this repository (as in a user's own project, which has the
// framework installed: here a node_modules link) registers through a config's `plugins` or
// --plugin, trains, and is found again by commands that read the run directory.
const root = path.resolve(__dirname, '../../..');
const workspace = cliWorkspace('farzi-plugins-');
const { dataDir } = workspace;
const project = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-user-project-'));
afterAll(() => {
  workspace.cleanup();
  fs.rmSync(project, { recursive: true, force: true });
});

function config(name: string, extra: Record<string, unknown>): string {
  const file = path.join(project, name);
  fs.writeFileSync(
    file,
    JSON.stringify({
      seed: 3,
      backend: 'wasm',
      data: { format: 'movielens-100k', path: dataDir, maxLength: 10 },
      model: { name: 'toyrec', hiddenSize: 8 },
      train: { epochs: 1, batchSize: 16 },
      eval: { ks: [5, 10] },
      ...extra,
    }),
  );
  return file;
}

beforeAll(() => {
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(project, 'node_modules'));
  const bin = path.join(root, 'tools', 'generators', 'bin', 'farzi-new-model.js');
  execFileSync(process.execPath, [bin, 'toyrec', '--out', project], { stdio: 'pipe' });
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      path.join(project, 'models-toyrec'),
    ],
    { stdio: 'pipe' },
  );
}, 120_000);

describe('plugins from outside the repository', () => {
  it("the generated package's own tests run core's model-contract suite from @farzi/core/testing", () => {
    const pkg = path.join(project, 'models-toyrec');
    const result = path.join(project, 'toyrec-tests.json');
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--json', '--outputFile', result],
      { cwd: pkg, stdio: 'pipe' },
    );
    const report = JSON.parse(fs.readFileSync(result, 'utf8'));
    expect(report.numFailedTests).toBe(0);
    // Seven contract tests on each embedded backend that runs here.
    expect(report.numPassedTests).toBe(7 * availableEmbeddedBackends().length);
    expect(report.testResults[0].assertionResults[0].fullName).toMatch(/^Toyrec contract on /);
  }, 120_000);

  it("a generated model trains through a config's plugins, and evaluate loads it again when told to", async () => {
    const file = config('toyrec.json', { plugins: ['./models-toyrec'] });
    const out = path.join(project, 'run');
    const r = await run('train', '--config', file, '--out', out, '--json');
    expect(r.err).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).model.name).toBe('toyrec');
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(saved.plugins).toEqual([path.join(project, 'models-toyrec', 'dist', 'index.js')]);
    // The run names a plugin: code, loaded only when the user says so (docs/security.md).
    const untrusted = await run('evaluate', '--run', out, '--json');
    expect(untrusted.code).toBe(2);
    expect(untrusted.err).toContain(`--plugin ${saved.plugins[0]} (or --trust-plugins)`);
    const evaluated = await run(
      'evaluate',
      '--run',
      out,
      '--json',
      '--plugin',
      path.join(project, 'models-toyrec'),
    );
    expect(evaluated.err).toBe('');
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.out).metrics['NDCG@10']).toBeGreaterThanOrEqual(0);
  });

  it('--plugin loads a package by path too; a missing or empty plugin is named', async () => {
    const file = config('toyrec-flag.json', {});
    const shown = await run(
      'config',
      'show',
      '--config',
      file,
      '--plugin',
      path.join(project, 'models-toyrec'),
    );
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out).model).toMatchObject({
      name: 'toyrec',
      hiddenSize: 8,
      dropout: 0.1,
    });
    const missing = await run(
      'train',
      '--config',
      config('missing.json', { plugins: ['./nowhere'] }),
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('plugins: cannot load "./nowhere"');
    fs.writeFileSync(path.join(project, 'empty.js'), 'module.exports = { answer: 42 };\n');
    const empty = await run('train', '--config', config('empty.json', { plugins: ['./empty.js'] }));
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('exports no plugin module');
    // The fix the message gives is the one the README and the generator use.
    expect(empty.err).toContain('export const myModelModule = definePlugin({ models: [myModel] })');
  });

  it('the app exports loadPlugins, and config schema takes --plugin (editors see plugin models)', async () => {
    const cli = await import('./main');
    expect(typeof cli.loadPlugins).toBe('function');
    const schema = await run('config', 'schema', '--plugin', path.join(project, 'models-toyrec'));
    expect(schema.code).toBe(0);
    expect(JSON.stringify(JSON.parse(schema.out).properties.model)).toContain('"const":"toyrec"');
  });

  it('farzi-new-model --help prints its usage; an unknown flag is a usage error, not a crash', () => {
    const bin = path.join(root, 'tools', 'generators', 'bin', 'farzi-new-model.js');
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: farzi-new-model <name>');
    const bad = spawnSync(process.execPath, [bin, 'narm', '--outt', 'x'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("farzi-new-model: Unknown option '--outt'");
    expect(bad.stderr).not.toContain('    at ');
  });
});
