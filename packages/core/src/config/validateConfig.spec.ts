import { createContainer, resolveServices } from '../di/createContainer';
import { ContainerModule } from 'inversify';
import { TYPES } from '../di/identifiers';
import { UserError } from '../errors/FarziError';
import type { ModelFactory } from '../model/Model';
import { tempDir } from '../testing/tempFiles';
import { applyOverrides, readConfigFile } from './readConfigFile';
import { validateConfig } from './validateConfig';

const toyModel: ModelFactory = {
  name: 'toy',
  description: 'a model for config tests',
  schema: {
    type: 'object',
    properties: {
      hiddenSize: { type: 'integer', minimum: 1, default: 32 },
      dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.2 },
    },
  },
  create: () => {
    throw new Error('not used');
  },
};

const plugin = new ContainerModule(({ bind }) => {
  bind(TYPES.ModelFactory).toConstantValue(toyModel);
  bind(TYPES.ConfigSection).toConstantValue({
    name: 'distill',
    description: 'a plugin section',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { outerSteps: { type: 'integer', minimum: 1, default: 100 } },
    },
  });
});
const services = resolveServices(createContainer([plugin]));

const minimal = () => ({
  data: { format: 'movielens-100k', path: 'somewhere/ml-100k' },
  model: { name: 'toy' },
});

function problems(raw: Record<string, unknown>): string {
  try {
    validateConfig(raw, services, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('validateConfig', () => {
  it('fills defaults in every section, including nested ones and the model hyper-parameters', () => {
    const config = validateConfig(minimal(), services);
    expect(config.seed).toBe(42);
    expect(config.backend).toBe('auto');
    expect(config.data).toEqual({
      format: 'movielens-100k',
      path: 'somewhere/ml-100k',
      options: {},
      kCore: 0,
      maxLength: 50,
    });
    expect(config.model).toEqual({ name: 'toy', hiddenSize: 32, dropout: 0.2 });
    expect(config.train.optimizer).toMatchObject({
      name: 'adam',
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
    });
    expect(config.train.source).toEqual({ name: 'real' });
    expect(config.eval).toMatchObject({ protocol: 'full', ks: [10, 20], metric: 'NDCG@10' });
  });

  it('accepts plugin sections and fills their defaults when present', () => {
    const config = validateConfig({ ...minimal(), distill: {} }, services);
    expect(config.distill).toEqual({ outerSteps: 100 });
  });

  it('reports a wrong model hyper-parameter by path in plain words', () => {
    const raw = applyOverrides(minimal(), ['model.hiddenSize=64a']);
    expect(problems(raw)).toContain('model.hiddenSize: must be an integer >= 1 (got "64a")');
  });

  it('reports every problem at once', () => {
    const raw = {
      ...minimal(),
      seed: -1,
      backend: 'gpu',
      trian: {},
      model: { name: 'toy', dropout: 1.5, hiden: 3 },
    };
    const message = problems(raw);
    expect(message).toMatch(/^test\.json has 5 problems:/);
    expect(message).toContain('seed: must be an integer >= 0 (got -1)');
    expect(message).toContain(
      'backend: must be one of "auto", "tensorflow-gpu", "tensorflow", "wasm-native", "wasm", "cpu" (got "gpu")',
    );
    expect(message).toContain('trian: is not a known setting');
    expect(message).toContain('model.dropout: must be a number >= 0 and < 1 (got 1.5)');
    expect(message).toContain(
      'model.hiden: is not a known setting (known settings here: hiddenSize, dropout, name)',
    );
  });

  it('lists the registered models for an unknown model name', () => {
    expect(problems({ ...minimal(), model: { name: 'sasrek' } })).toContain(
      'model.name: unknown model "sasrek". Registered models: "toy".',
    );
  });

  it('validates the data format options with the adapter schema', () => {
    const raw = {
      ...minimal(),
      data: { format: 'delimited', path: 'x.csv', options: { delimiter: ';', heder: true } },
    };
    expect(problems(raw)).toContain('data.options.heder: is not a known setting');
    const ok = validateConfig(
      { ...minimal(), data: { format: 'delimited', path: 'x.csv' } },
      services,
    );
    // No columns filled in: the adapter finds them by header name, or takes 0–3 without a header.
    expect(ok.data.options).toEqual({ delimiter: ',', header: false, quote: '"' });
  });

  it('reports missing required sections', () => {
    expect(problems({ model: { name: 'toy' } })).toContain('data: is required but missing');
  });

  it('names an unknown data format and training source', () => {
    const raw = {
      ...minimal(),
      data: { format: 'movielens100k', path: 'x' },
      train: { source: { name: 'rael' } },
    };
    const message = problems(raw);
    expect(message).toContain(
      'data.format: unknown data format "movielens100k". Did you mean "movielens-100k"?',
    );
    expect(message).toContain(
      'train.source.name: unknown training source "rael". Did you mean "real"?',
    );
  });
});

describe('readConfigFile and --set', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('reads JSON and YAML configs', () => {
    const json = tmp.write('a.json', JSON.stringify(minimal()));
    const yaml = tmp.write(
      'a.yaml',
      'data:\n  format: movielens-100k\n  path: somewhere/ml-100k\nmodel:\n  name: toy\n',
    );
    expect(readConfigFile(json)).toEqual(minimal());
    expect(readConfigFile(yaml)).toEqual(minimal());
  });

  it('locates JSON syntax errors by line and column', () => {
    const file = tmp.write('bad.json', '{\n  "seed": 1,\n  "model": {"name": "toy",}\n}\n');
    expect(() => readConfigFile(file)).toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:\\d+: invalid JSON`),
    );
  });

  it('locates YAML syntax errors by line', () => {
    const file = tmp.write('bad.yaml', 'model:\n  name: toy\n   hiddenSize: 3\n');
    expect(() => readConfigFile(file)).toThrow(/bad\.yaml:[23]:\d+: invalid YAML: Nested mappings/);
  });

  it('rejects missing, empty and non-object files', () => {
    expect(() => readConfigFile(`${tmp.dir}/none.json`)).toThrow(
      /cannot read config file .*none\.json: no such file/,
    );
    expect(() => readConfigFile(tmp.write('empty.json', '  \n'))).toThrow(/is empty/);
    expect(() => readConfigFile(tmp.write('list.json', '[1]'))).toThrow(/must hold an object/);
  });

  it('--set of another model, source or format drops the file settings of the old one (not those given with --set)', () => {
    const file = {
      data: { format: 'delimited', path: 'x.csv', options: { delimiter: ';' } },
      model: { name: 'sasrec', hiddenSize: 50, blocks: 2, heads: 1 },
      train: { source: { name: 'random-sample', users: 50, length: 50 } },
    };
    const out = applyOverrides(file, [
      'model.dropout=0.1',
      'model.name=gru4rec',
      'model.layers=2',
      'train.source.name=real',
      'data.format=event-log',
    ]);
    expect(out.model).toEqual({ dropout: 0.1, name: 'gru4rec', layers: 2 });
    expect(out.train).toEqual({ source: { name: 'real' } });
    expect(out.data).toEqual({ format: 'event-log', path: 'x.csv' });
    // The same name again changes nothing.
    expect(applyOverrides(file, ['model.name=sasrec']).model).toEqual(file.model);
  });

  it('parses --set values as JSON when they are JSON and as strings otherwise', () => {
    const out = applyOverrides(minimal(), [
      'train.epochs=3',
      'model.name=toy',
      'eval.ks=[5,10]',
      'data.options.header=true',
    ]);
    expect(out).toMatchObject({
      train: { epochs: 3 },
      model: { name: 'toy' },
      eval: { ks: [5, 10] },
      data: { options: { header: true } },
    });
    expect(() => applyOverrides(minimal(), ['train.epochs'])).toThrow(/expected key\.path=value/);
    expect(() => applyOverrides(minimal(), ['data.path.x=1'])).toThrow(
      /data\.path is "somewhere\/ml-100k", not a section/,
    );
  });
});
