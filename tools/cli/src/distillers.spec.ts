import * as fs from 'fs';
import * as path from 'path';
import { loadCheckpoint } from '@farzi/core';
import { loadTd3Data } from '@farzi/distill-td3';
import { cliWorkspace, run } from './testing/cliHarness';

// The distillation contract for many methods (issue 35): a third method — a coverage coreset in
// one file (testing/coresetDistiller.ts, the example of docs/adding-a-distiller.md) — is added by
// loading it as a plugin, and `distill`, `train` on what it wrote, `report` and the config schema
// work for it as for Farzi, with no change anywhere else.
const workspace = cliWorkspace('farzi-distillers-');
const { dir, writeConfig } = workspace;
afterAll(() => workspace.cleanup());
const plugin = path.join(__dirname, 'testing', 'coresetDistiller.ts');
const repoConfigs = path.resolve(__dirname, '../../../configs');

describe('a third distiller, added as a plugin', () => {
  const sasrec = { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1 };
  const config = writeConfig('coreset.json', sasrec, {
    distill: { method: 'coreset', users: 6, length: 5 },
  });

  it('distils through the CLI; its result names the source that trains on it', async () => {
    const out = path.join(dir, 'coreset');
    const r = await run('distill', '--config', config, '--plugin', plugin, '--out', out, '--json');
    expect(r.err).not.toContain('internal error');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result).toMatchObject({
      method: 'coreset',
      dataFile: path.join(out, 'coreset.json'),
      source: { name: 'coreset-file', path: path.join(out, 'coreset.json') },
      budget: { sequences: 6, length: 5 },
      steps: 0,
    });
    expect(result.details.itemsCovered).toBeGreaterThan(5);
    // What the distiller printed is all a student needs.
    const student = await run(
      'train',
      '--config',
      config,
      '--plugin',
      plugin,
      '--set',
      `train.source=${JSON.stringify(result.source)}`,
      '--set',
      'train.epochs=1',
      '--out',
      path.join(dir, 'student'),
      '--json',
    );
    expect(student.err).not.toContain('internal error');
    expect(student.code).toBe(0);
    // The text output prints the same source, ready to paste.
    const text = await run(
      'distill',
      '--config',
      config,
      '--plugin',
      plugin,
      '--out',
      path.join(dir, 'again'),
    );
    expect(text.out).toContain(
      `--set train.source='${JSON.stringify({ name: 'coreset-file', path: path.join(dir, 'again', 'coreset.json') })}'`,
    );
    // The report shows the method and its own figures without knowing either.
    const html = path.join(dir, 'report.html');
    const report = await run('report', '--run', out, '--out', html);
    expect(report.code).toBe(0);
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain('Distillation (coreset)');
    expect(page).toMatch(/items covered \d+/);
    // Two distillations of one data set on one page: one table, a row each.
    const both = path.join(dir, 'both.html');
    const two = await run(
      'report',
      '--run',
      out,
      '--run',
      path.join(dir, 'again'),
      '--label',
      'first',
      '--label',
      'second',
      '--out',
      both,
    );
    expect(two.code).toBe(0);
    const side = fs.readFileSync(both, 'utf8');
    const table = side.slice(side.indexOf('<h2>Distillations side by side</h2>'));
    expect(table).toMatch(/<td>first<\/td><td>coreset<\/td><td>\[6×5\] = \d+ events<\/td>/);
    expect(table).toMatch(/<td>second<\/td><td>coreset<\/td>/);
    expect(table).toMatch(/items covered \d+/);
  }, 120_000);

  it('validates each method’s own settings, and every config names its method', async () => {
    const typo = await run(
      'config',
      'show',
      '--config',
      config,
      '--plugin',
      plugin,
      '--set',
      'distill.user=4',
    );
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/distill\.user.*users/);
    // With two distillers registered, the shipped Farzi config means what it meant.
    const data = path.join(dir, 'data');
    fs.mkdirSync(data, { recursive: true });
    if (!fs.existsSync(path.join(data, 'ml-100k')))
      fs.symlinkSync(workspace.dataDir, path.join(data, 'ml-100k'));
    const farzi = await run(
      'config',
      'show',
      '--config',
      path.join(repoConfigs, 'farzi-sasrec-ml100k.json'),
      '--plugin',
      plugin,
      '--data-dir',
      data,
    );
    expect(farzi.err).toBe('');
    expect(farzi.code).toBe(0);
    expect(JSON.parse(farzi.out).distill.method).toBe('farzi');
    const unnamed = writeConfig('unnamed.json', sasrec, { distill: { users: 6 } });
    const r = await run('config', 'show', '--config', unnamed, '--plugin', plugin);
    expect(r.code).toBe(2);
    expect(r.err).toContain('distill.method: not set; name the distiller, one of');
    expect(r.err).toContain('coreset');
    // The editor schema carries the method's settings, chosen by distill.method.
    const schema = await run('config', 'schema', '--plugin', plugin);
    expect(schema.code).toBe(0);
    const distill = JSON.parse(schema.out).properties.distill;
    expect(distill.required).toEqual(['method']);
    expect(JSON.stringify(distill.allOf)).toContain('"const":"coreset"');
  });

  it('TD3 is a registered method: distils through the CLI with a teacher trained there, and its data trains a student', async () => {
    const td3 = writeConfig('td3.json', sasrec, {
      distill: {
        method: 'td3',
        size: [3, 6],
        ranks: { users: 2, positions: 3 },
        init: 'teacher',
        // No fit: the step-0 item factor is then exactly the teacher's item vectors (the fit that
        // moves all four factors is tested in distill-td3).
        teacher: { fitSteps: 0 },
        innerSteps: 2,
        horizon: 3,
        crop: 5,
        outerSteps: 2,
        realBatchSize: 8,
        evalEvery: 1,
        outerTeacher: { featureWeight: 1 },
        student: { epochs: 2 },
      },
    });
    const out = path.join(dir, 'td3');
    const r = await run('distill', '--config', td3, '--out', out, '--json');
    expect(r.err).not.toContain('internal error');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result).toMatchObject({
      method: 'td3',
      source: { name: 'td3', path: path.join(out, 'td3-data.safetensors') },
      steps: 2,
    });
    // The item factor started from the teacher's item vectors (r3 = the hidden size, 8).
    const step0 = loadTd3Data(path.join(out, 'td3-data-step0.safetensors'));
    const teacher = loadCheckpoint(path.join(out, 'teacher', 'checkpoints', 'best.safetensors'));
    expect(step0.factors.items.shape).toEqual(teacher.params.itemEmbedding.shape);
    expect(Array.from(step0.factors.items.dataSync())).toEqual(
      Array.from(teacher.params.itemEmbedding.dataSync()),
    );
    const student = await run(
      'train',
      '--config',
      td3,
      '--set',
      `train.source=${JSON.stringify(result.source)}`,
      '--set',
      'train.epochs=1',
      '--out',
      path.join(dir, 'td3-student'),
    );
    expect(student.code).toBe(0);
  }, 180_000);
});
