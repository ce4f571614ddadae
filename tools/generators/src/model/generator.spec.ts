import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { availableEmbeddedBackends } from '@farzi/core';

const root = path.resolve(__dirname, '../../../..');
const name = `gentest${process.pid}`;
const dir = path.join(root, 'packages', `models-${name}`);

function run(cmd: string, args: string[]): string {
  const out = execFileSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: 'pipe',
    env: {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    },
  });
  return out.replace(/\x1b\[[0-9;]*m/g, '');
}

describe('nx g @farzi/generators:model', () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a model package whose standard tests pass and whose code type-checks', () => {
    run('npx', ['tsc', '-b', 'tools/generators/tsconfig.lib.json']);
    const output = run('npx', [
      'nx',
      'g',
      '@farzi/generators:model',
      name,
      '--description=a generated test model',
      '--no-interactive',
    ]);
    expect(output).toContain(`CREATE packages/models-${name}/src/${name}Module.ts`);
    for (const f of [
      'package.json',
      'tsconfig.lib.json',
      'jest.config.js',
      `src/${name}.ts`,
      `src/${name}.spec.ts`,
      'src/schema.json',
      'src/index.ts',
    ]) {
      expect(fs.existsSync(path.join(dir, f))).toBe(true);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.nx.tags).toEqual(['type:plugin', 'scope:model']);
    run('npx', ['tsc', '-p', path.join(dir, 'tsconfig.lib.json'), '--noEmit']);
    const tests = run('npx', [
      'jest',
      '-c',
      path.join(dir, 'jest.config.js'),
      '--rootDir',
      dir,
      '--json',
      '--outputFile',
      path.join(dir, 'result.json'),
    ]);
    void tests;
    const result = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8'));
    expect(result.numFailedTests).toBe(0);
    // Core's model-contract suite (seven tests) on each embedded backend that runs here.
    expect(result.numPassedTests).toBe(7 * availableEmbeddedBackends().length);
    expect(() =>
      run('npx', ['nx', 'g', '@farzi/generators:model', name, '--no-interactive']),
    ).toThrow(/already exists/);
  });
});
