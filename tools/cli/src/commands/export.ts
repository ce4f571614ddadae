import * as path from 'path';
import { checkWritableDirectory, UserError } from '@farzi/core';
import * as fs from 'fs';
import { requireString } from '../args';
import type { Command } from '../Command';
import { writeExport } from '../exported';
import { pluginTrust, trustOptions } from '../plugins';
import { loadRun } from '../runs';

export const exportCommand: Command = {
  name: 'export',
  summary: "write a run's model for serving: parameters, item embeddings, vocabulary, manifest",
  options: {
    run: { type: 'string', value: '<run-dir>', description: 'a training run directory' },
    ...trustOptions,
    out: { type: 'string', short: 'o', value: '<dir>', description: 'the export folder' },
    json: { type: 'boolean', description: 'print the manifest as JSON' },
  },
  examples: ['npx farzi export --run runs/quick --out exports/quick'],
  async run(values, io) {
    const dir = requireString(values, 'run', this);
    const out = requireString(values, 'out', this);
    checkWritableDirectory(out, '--out');
    if (fs.existsSync(path.join(out, 'manifest.json'))) {
      throw new UserError(
        `${out} already holds an export; choose another --out folder or delete it.`,
      );
    }
    const present = fs.existsSync(out) ? fs.readdirSync(out) : [];
    if (present.length > 0) {
      throw new UserError(
        `${out} is not empty (it holds ${present.slice(0, 4).join(', ')}${present.length > 4 ? ', …' : ''}); an export goes into a new or empty folder, so that nothing of yours is overwritten.`,
      );
    }
    const run = await loadRun(dir, pluginTrust(values));
    try {
      const manifest = writeExport(run, out);
      if (values.json) io.out(`${JSON.stringify(manifest, null, 2)}\n`);
      else
        io.out(
          `exported ${manifest.model.name} (${manifest.model.vocabSize - 1} items) from ${dir} to ${out}: ` +
            `${Object.values(manifest.files).join(', ')}, manifest.json\n`,
        );
      return 0;
    } finally {
      run.dispose();
    }
  },
};
