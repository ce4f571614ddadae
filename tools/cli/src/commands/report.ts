import { checkWritableFile, UserError, writeFileAtomic } from '@farzi/core';
import { buildSweepReport } from '../sweep/sweepReport';
import type { Command } from '../Command';
import { pluginTrust, trustOptions } from '../plugins';
import { buildReport } from '../report';

export const reportCommand: Command = {
  name: 'report',
  summary:
    'write one self-contained HTML report (tables and charts) for training and distillation runs',
  options: {
    run: {
      type: 'string',
      multiple: true,
      value: '<run-dir>',
      description: 'a training or distillation run (repeat for several)',
    },
    label: {
      type: 'string',
      multiple: true,
      value: '<name>',
      description: 'a label per --run, in order',
    },
    sweep: {
      type: 'string',
      value: '<sweep-dir>',
      description: 'a sweep folder (farzi sweep --out): its trials and the metric by setting',
    },
    title: { type: 'string', value: '<text>', description: 'report title' },
    out: { type: 'string', value: '<file.html>', description: 'output file (default report.html)' },
    ...trustOptions,
  },
  examples: [
    'npx farzi report --run runs/demo/full --run runs/demo/farzi-student --run runs/demo/farzi --out report.html',
    'npx farzi report --sweep runs/sweep --out sweep.html',
  ],
  async run(values, io) {
    const out = (values.out as string | undefined) ?? 'report.html';
    checkWritableFile(out, '--out');
    if (values.sweep !== undefined) {
      if (values.run !== undefined) throw new UserError('give either --run or --sweep, not both.');
      const html = await buildSweepReport(
        values.sweep as string,
        values.title as string | undefined,
      );
      writeFileAtomic(out, html);
      io.out(`Wrote ${out}\n`);
      return 0;
    }
    const html = await buildReport(
      (values.run as string[] | undefined) ?? [],
      (values.label as string[] | undefined) ?? [],
      (values.title as string | undefined) ?? 'farzi report',
      pluginTrust(values),
    );
    writeFileAtomic(out, html);
    io.out(`Wrote ${out}\n`);
    return 0;
  },
};
