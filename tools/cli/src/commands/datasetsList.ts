import { KNOWN_DATASETS } from '@farzi/core';
import type { Command } from '../Command';
import { appServices } from '../plugins';

export const datasetsListCommand: Command = {
  name: 'datasets list',
  summary: 'list the data formats and the known data sets',
  options: { json: { type: 'boolean', description: 'machine-readable output' } },
  examples: ['npx farzi datasets list'],
  async run(values, io) {
    const formats = appServices()
      .adapters.values()
      .map((a) => ({ name: a.name, kind: a.kind, description: a.description }));
    if (values.json) {
      io.out(`${JSON.stringify({ formats, datasets: KNOWN_DATASETS }, null, 2)}\n`);
      return 0;
    }
    io.out('Data formats (data.format):\n');
    for (const f of formats) io.out(`  ${f.name.padEnd(16)} ${f.description}\n`);
    io.out(
      '\nKnown data sets (data.dataset; looked for in --data-dir, $FARZI_DATA_DIR, ~/.cache/farzi):\n',
    );
    for (const d of KNOWN_DATASETS)
      io.out(
        `  ${d.name.padEnd(14)} format ${d.format.padEnd(15)} files: ${d.folder}/${d.files}${d.fetchable ? ' (datasets fetch)' : ''}\n                 from ${d.source}\n`,
      );
    return 0;
  },
};
