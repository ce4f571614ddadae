import Ajv from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { fullConfigSchema, readConfigFile, validateConfig } from '@farzi/core';
import { appServices } from './plugins';
import { planTrials, readSweepFile } from './sweep/sweepFile';
import { run } from './testing/cliHarness';

// Every configuration the repository ships validates against the schemas of the registered plugins
// (the README's commands start from these files), and against the JSON Schema file that editors
// read through each config's `$schema`.
const CONFIGS = path.resolve(__dirname, '..', '..', '..', 'configs');
const SCHEMA_FILE = path.join(CONFIGS, 'farzi.schema.json');

describe('shipped configs', () => {
  const files = fs
    .readdirSync(CONFIGS)
    .filter(
      (f) => /\.(json|ya?ml)$/.test(f) && f !== 'farzi.schema.json' && !f.startsWith('sweep-'),
    );

  it('are there', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'farzi-sasrec-ml100k.json',
        'gru4rec-ml100k.json',
        'sasrec-ml100k.json',
        'transformer-ptb.json',
        'sasrec-beauty.json',
        'gru4rec-beauty.json',
        'sasrec-sports.json',
        'gru4rec-sports.json',
        'sasrec-toys.json',
        'farzi-sasrec-toys.json',
        'gru4rec-toys.json',
        'td3-sasrec-beauty.json',
        'td3-sasrec-sports.json',
        'td3-sasrec-toys.json',
      ]),
    );
  });

  it.each(files)('%s validates, and points editors at the schema file', (file) => {
    const full = path.join(CONFIGS, file);
    const raw = readConfigFile(full);
    expect(() => validateConfig(raw, appServices(), full)).not.toThrow();
    expect(raw.$schema).toBe('./farzi.schema.json');
  });
});

describe('config schema', () => {
  it('prints the schema that configs/farzi.schema.json holds (regenerate it with the command)', async () => {
    const r = await run('config', 'schema');
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(JSON.parse(r.out));
  });

  it('lets a standard validator accept the shipped configs and reject what farzi rejects', () => {
    const validate = new Ajv({ strict: false }).compile(fullConfigSchema(appServices()));
    for (const file of ['sasrec-beauty.json', 'gru4rec-ml100k.json', 'transformer-ptb.json']) {
      expect(validate(readConfigFile(path.join(CONFIGS, file)))).toBe(true);
    }
    const base = readConfigFile(path.join(CONFIGS, 'sasrec-ml100k.json'));
    const wrongHyper = { ...base, model: { name: 'sasrec', embeddingSize: 8 } }; // a GRU4Rec key
    const wrongModel = { ...base, model: { name: 'sasrek' } };
    const wrongOption = { ...base, data: { ...(base.data as object), options: { header: true } } };
    const wrongSource = { ...base, train: { source: { name: 'random-sample', user: 3 } } };
    for (const config of [wrongHyper, wrongModel, wrongOption, wrongSource]) {
      expect(validate(config)).toBe(false);
      expect(() => validateConfig(structuredClone(config), appServices(), 'x')).toThrow();
    }
  });
});

describe('shipped sweep', () => {
  it('plans 36 trials (2 models × 3 learning rates × 3 seeds × Farzi Data / random sample), each a valid experiment', () => {
    const spec = readSweepFile(path.join(CONFIGS, 'sweep-models-on-farzi.yaml'));
    // Data sets by name are located where the sweep runs; here a stub path stands in for them.
    const trials = planTrials(spec, (raw, label) =>
      validateConfig(
        { ...raw, data: { ...(raw.data as object), path: '/stub' } },
        appServices(),
        label,
      ),
    );
    expect(trials).toHaveLength(36);
    const sources = new Set(
      trials.map((t) => (t.settings['train.source'] as { name: string }).name),
    );
    expect([...sources].sort()).toEqual(['farzi', 'random-sample']);
    expect(trials[0].config.train).toMatchObject({
      source: {
        name: 'farzi',
        path: path.resolve(CONFIGS, '..', 'runs', 'farzi-ml100k', 'farzi-data.safetensors'),
      },
      epochs: 100,
    });
  });
});
