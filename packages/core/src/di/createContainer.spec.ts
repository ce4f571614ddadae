import { ContainerModule } from 'inversify';
import type { ModelFactory } from '../model/Model';
import { createContainer, resolveServices } from './createContainer';
import { TYPES } from './identifiers';

const fakeFactory = (name: string): ModelFactory => ({
  name,
  description: `${name} for the test`,
  schema: { type: 'object', properties: {} },
  create: () => {
    throw new Error('not used');
  },
});

describe('createContainer', () => {
  it('collects models from plugin modules into the model registry', () => {
    const pluginA = new ContainerModule(({ bind }) => {
      bind(TYPES.ModelFactory).toConstantValue(fakeFactory('sasrec'));
    });
    const pluginB = new ContainerModule(({ bind }) => {
      bind(TYPES.ModelFactory).toConstantValue(fakeFactory('gru4rec'));
      bind(TYPES.ConfigSection).toConstantValue({
        name: 'distill',
        description: 'd',
        schema: { type: 'object' },
      });
    });
    const services = resolveServices(createContainer([pluginA, pluginB]));
    expect(services.models.names()).toEqual(['gru4rec', 'sasrec']);
    expect(services.sections.map((s) => s.name)).toEqual(['distill']);
    expect(() => services.models.get('sasrek')).toThrow(/Registered models: "gru4rec", "sasrec"/);
  });

  it('has the built-in data formats and training sources without any plugin', () => {
    const services = resolveServices(createContainer([]));
    expect(services.adapters.names()).toEqual([
      'delimited',
      'movielens-100k',
      'movielens-csv',
      'movielens-dat',
      'presequenced',
      'recbole-atomic',
      'text',
      'user-sequences',
    ]);
    expect(services.sources.names()).toEqual(['head-sample', 'random-sample', 'real']);
    expect(services.models.names()).toEqual([]);
    expect(() => services.models.get('sasrec')).toThrow(/Registered models: \(none\)/);
  });
});
