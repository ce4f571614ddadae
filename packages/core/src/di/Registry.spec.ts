import { UserError } from '../errors/FarziError';
import { Registry } from './Registry';

describe('Registry', () => {
  const registry = new Registry(
    'model',
    [{ name: 'sasrec' }, { name: 'gru4rec' }, { name: 'transformer' }],
    'model.name',
  );

  it('returns registered entries by name and lists names sorted', () => {
    expect(registry.get('gru4rec').name).toBe('gru4rec');
    expect(registry.names()).toEqual(['gru4rec', 'sasrec', 'transformer']);
  });

  it('names the key, the registered entries and the closest name for an unknown name', () => {
    expect(() => registry.get('sasrek')).toThrow(UserError);
    expect(() => registry.get('sasrek')).toThrow(
      'model.name: unknown model "sasrek". Did you mean "sasrec"? Registered models: "gru4rec", "sasrec", "transformer".',
    );
  });

  it('does not suggest an unrelated name', () => {
    expect(() => registry.get('bert4rec-xl')).toThrow(/unknown model "bert4rec-xl"\. Registered/);
  });

  it('rejects two entries with one name', () => {
    expect(() => new Registry('model', [{ name: 'a' }, { name: 'a' }])).toThrow(/two models/);
  });
});
