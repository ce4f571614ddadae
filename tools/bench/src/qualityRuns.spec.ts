import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isFarziError, RunError, UserError } from '@farzi/core';
import type { DatasetQualityOptions } from './datasetQuality';
import { train } from './qualityRuns';

// A run the benchmark starts that fails reaches the user as one paragraph (the log's last lines),
// not a stack: a refused input (the CLI's exit 2, e.g. a run directory in use) as a UserError,
// anything else as a RunError. A stand-in CLI plays the failing run.
describe('quality runs that fail', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quality-runs-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function failingCli(code: number, line: string): DatasetQualityOptions {
    const cli = path.join(dir, 'cli.js');
    fs.writeFileSync(cli, `console.log(${JSON.stringify(line)}); process.exit(${code});\n`);
    return { cli, log: () => undefined } as unknown as DatasetQualityOptions;
  }

  function failure(options: DatasetQualityOptions): unknown {
    try {
      train(options, path.join(dir, 'runs', 'full-d3'), path.join(dir, 'config.json'), [], true);
    } catch (error) {
      return error;
    }
    throw new Error('the run did not fail');
  }

  it('reports a refused run (exit 2) as the user’s mistake, naming the log and its last line', () => {
    fs.mkdirSync(path.join(dir, 'runs'));
    const error = failure(failingCli(2, 'farzi train: runs/full-d3 is in use by process 42'));
    expect(error).toBeInstanceOf(UserError);
    expect(isFarziError(error) && error.exitCode).toBe(2);
    const message = (error as Error).message;
    expect(message).toContain(
      `farzi train for ${path.join(dir, 'runs', 'full-d3')} failed (exit 2)`,
    );
    expect(message).toContain(`${path.join(dir, 'runs', 'full-d3')}.log`);
    expect(message).toContain('is in use by process 42');
  });

  it('reports any other failure as a failed run (exit 1)', () => {
    fs.mkdirSync(path.join(dir, 'runs'));
    const error = failure(failingCli(1, 'the loss is NaN at step 3'));
    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toContain('the loss is NaN at step 3');
  });
});
