import * as fs from 'fs';
import * as path from 'path';
import { DataConfig, readJsonFile, UserError } from '@farzi/core';
import { loadFarziData } from '@farzi/distill-farzi';
import { parseEvalSample, serveSite, SiteFiles, writeSite } from '@farzi/web';
import type { Command } from '../Command';
import { itemTitles } from '../titles';

/**
 * Checks the files before anything is served, with the errors Node gives (a page would only show
 * them after loading): the Farzi Data parses, the sample parses and comes from the same data.
 * Titles come from the data set the Farzi Data was distilled from, when the file sits in its
 * distillation run (config.json beside it) and the data set has titles.
 */
function siteFiles(values: Record<string, unknown>): { files: SiteFiles; summary: string } {
  const data = values.data === undefined ? undefined : String(values.data);
  const evalFile = values.eval === undefined ? undefined : String(values.eval);
  let summary = 'no data (drop a Farzi Data file onto the page)';
  let fingerprint: string | undefined;
  const titles = new Map<string, string>();
  if (data !== undefined) {
    const farzi = loadFarziData(data);
    const [mu, xi] = farzi.latent.shape;
    fingerprint = farzi.sourceFingerprint;
    summary = `${data} ([${mu}×${xi}] over ${farzi.vocabulary.length - 1} items)`;
    farzi.latent.dispose();
    farzi.decoder.dispose();
    const config = path.join(path.dirname(data), 'config.json');
    if (fs.existsSync(config)) {
      const dataConfig = readJsonFile<{ data?: DataConfig }>(config).data;
      if (dataConfig?.path && dataConfig.format) {
        try {
          for (const [id, title] of itemTitles(dataConfig)) titles.set(id, title);
        } catch {
          // Titles are a nicety: a data set moved since the distillation just has none.
        }
      }
    }
  }
  if (evalFile !== undefined) {
    if (!fs.existsSync(evalFile)) throw new UserError(`--eval ${evalFile}: no such file.`);
    const sample = parseEvalSample(fs.readFileSync(evalFile, 'utf8'), evalFile);
    if (fingerprint !== undefined && sample.source.fingerprint !== fingerprint)
      throw new UserError(
        `--eval ${evalFile} comes from other data than --data ${data} (fingerprints differ); export the sample with the config the data was distilled with.`,
      );
    summary += `, ${sample.sequences.length} held-out sequences from ${evalFile}`;
  }
  return {
    files: { data, eval: evalFile, ...(titles.size ? { titles } : {}) },
    summary: titles.size ? `${summary}, ${titles.size} item titles` : summary,
  };
}

export const webCommand: Command = {
  name: 'web',
  summary:
    'a page that trains a recommender in the browser from Farzi Data (serve it, or build it)',
  options: {
    data: {
      type: 'string',
      value: '<farzi-data.safetensors>',
      description: 'the Farzi Data the page loads (without it, a file is dropped onto the page)',
    },
    eval: {
      type: 'string',
      value: '<eval.json>',
      description: 'held-out real sequences for the page to score (`farzi export-eval`)',
    },
    port: {
      type: 'string',
      value: '<n>',
      description: 'port to serve on (default 8080; 0: any free one)',
    },
    host: {
      type: 'string',
      value: '<address>',
      description: 'address to listen on (default 127.0.0.1, this machine only)',
    },
    build: {
      type: 'string',
      value: '<dir>',
      description:
        'write the page and the files into a new or empty folder for any static host, instead of serving',
    },
  },
  examples: [
    'npx farzi web --data runs/farzi-ml100k/farzi-data.safetensors',
    'npx farzi export-eval --config configs/farzi-sasrec-ml100k.json --out eval.json && npx farzi web --data runs/farzi-ml100k/farzi-data.safetensors --eval eval.json --port 0',
    'npx farzi web --data runs/farzi-ml100k/farzi-data.safetensors --build site/',
  ],
  async run(values, io) {
    const port = values.port === undefined ? 8080 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UserError(`--port: expected a port number 0–65535 (got "${values.port}").`);
    const { files, summary } = siteFiles(values);
    if (values.build !== undefined) {
      const dir = String(values.build);
      const written = writeSite(dir, files);
      io.out(
        `wrote the page to ${dir} (${written.length} files: ${summary}); serve the folder with any static web server.\n`,
      );
      return 0;
    }
    const site = await serveSite(files, {
      port,
      host: values.host === undefined ? undefined : String(values.host),
    });
    io.out(`serving ${summary} at ${site.url} (Ctrl-C stops)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await site.close();
    io.out('stopped.\n');
    return 0;
  },
};
