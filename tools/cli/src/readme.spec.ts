import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KNOWN_DATASETS } from '@farzi/core';
import { parseCommandArgs } from './args';
import { commands } from './commands';
import { checkExperiment, loadExperiment } from './experiment';
import { planTrials, readSweepFile } from './sweep/sweepFile';

/**
 * Every `npx farzi …` command in the README must name a real command, use only its flags, and (when
 * it names a config) resolve to a valid config with its --set overrides. The commands themselves run
 * end to end in main.spec.ts (on fixtures) and in .ci/run.
 */
const root = path.resolve(__dirname, '../../..');
// As the README tells a reader of this repository: the data sets are in ../shared/data.
process.env.FARZI_DATA_DIR ??= path.resolve(root, '..', 'shared', 'data');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** Splits a shell line into words, honouring single and double quotes inside words. */
function words(line: string): string[] {
  const out: string[] = [];
  let current: string | null = null;
  let quote: string | null = null;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      current ??= '';
    } else if (/\s/.test(ch)) {
      if (current !== null) out.push(current);
      current = null;
    } else {
      current = (current ?? '') + ch;
    }
  }
  if (current !== null) out.push(current);
  return out;
}

const lines = readme
  .split('\n')
  .map((l) =>
    l
      .replace(/^.*?(npx farzi )/, '$1')
      .replace(/`.*$/, '')
      .trim(),
  )
  .filter((l) => l.startsWith('npx farzi ') && !l.includes('<') && !l.includes('…'))
  // `npx farzi --help` (the overview) is exercised in main.spec.ts.
  .filter((l) => l !== 'npx farzi --help');

let placeholder: string | undefined;
function placeholderDataDir(): string {
  if (placeholder) return placeholder;
  placeholder = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-readme-data-'));
  for (const d of KNOWN_DATASETS) {
    const target = path.join(placeholder, d.folder, d.file ?? '');
    fs.mkdirSync(d.file ? path.dirname(target) : target, { recursive: true });
    if (d.file) fs.writeFileSync(target, '');
  }
  return placeholder;
}
afterAll(() => {
  if (placeholder) fs.rmSync(placeholder, { recursive: true, force: true });
});

describe('README commands', () => {
  it('finds the commands', () => {
    expect(lines.length).toBeGreaterThanOrEqual(8);
  });

  it.each(lines)('%s', (line) => {
    const argv = words(line).slice(2);
    const command = commands
      .filter((c) => c.name.split(' ').every((w, i) => argv[i] === w))
      .sort((a, b) => b.name.length - a.name.length)[0];
    expect(command).toBeDefined();
    const values = parseCommandArgs(command, argv.slice(command.name.split(' ').length));
    if (typeof values.config === 'string') {
      // Without the data sets beside the repository, the configs are still checked, with the
      // named data set's location stubbed (a data directory of empty placeholder files).
      const dataDir = fs.existsSync(process.env.FARZI_DATA_DIR as string)
        ? undefined
        : placeholderDataDir();
      if (command.name === 'sweep') {
        const spec = readSweepFile(path.join(root, values.config));
        const trials = planTrials(spec, (raw, label) => checkExperiment(raw, label, dataDir));
        expect(trials.length).toBeGreaterThan(0);
        return;
      }
      const config = loadExperiment(
        path.join(root, values.config),
        values.set as string[] | undefined,
        [],
        dataDir,
      );
      expect(config.model.name).toBeTruthy();
    }
  });
});
