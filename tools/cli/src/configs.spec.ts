import * as fs from 'fs';
import * as path from 'path';
import { readConfigFile, validateConfig } from '@farzi/core';
import { appServices } from './plugins';

// Every configuration the repository ships validates against the schemas of the registered plugins
// (the README's commands start from these files).
const CONFIGS = path.resolve(__dirname, '..', '..', '..', 'configs');

describe('shipped configs', () => {
  const files = fs.readdirSync(CONFIGS).filter((f) => /\.(json|ya?ml)$/.test(f));

  it('are there', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'farzi-sasrec-ml100k.json',
        'gru4rec-ml100k.json',
        'sasrec-ml100k.json',
        'transformer-ptb.json',
      ]),
    );
  });

  it.each(files)('%s validates', (file) => {
    const full = path.join(CONFIGS, file);
    expect(() => validateConfig(readConfigFile(full), appServices(), full)).not.toThrow();
  });
});
