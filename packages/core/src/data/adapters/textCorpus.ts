import * as fs from 'fs';
import * as nodePath from 'path';
import { UserError } from '../../errors/FarziError';
import type { CorpusAdapter } from '../DataAdapter';
import { forEachLine } from '../lines';

export const EOS = '<eos>';

/**
 * Plain-text corpora: one sentence per line, space-separated tokens, an `<eos>` token appended to
 * every line. The path is a folder holding `*.train.txt`, `*.valid.txt` and `*.test.txt` (as PTB),
 * or the files are named in the options.
 */
export const textCorpusAdapter: CorpusAdapter = {
  name: 'text',
  kind: 'corpus',
  description:
    'plain-text corpus, one sentence per line (folder with *.train.txt/*.valid.txt/*.test.txt)',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      train: { type: 'string', description: 'file name inside the folder for the training part' },
      valid: { type: 'string' },
      test: { type: 'string' },
      eos: { type: 'boolean', default: true, description: 'append <eos> to every line' },
    },
  },
  load(path, options) {
    const files = locateParts(path, options);
    const read = (file: string): string[] => {
      const tokens: string[] = [];
      forEachLine(file, 'one sentence per line', (line) => {
        const words = line
          .trim()
          .split(/\s+/)
          .filter((w) => w.length > 0);
        if (words.length === 0) return;
        for (const w of words) tokens.push(w);
        if (options.eos !== false) tokens.push(EOS);
      });
      if (tokens.length === 0) throw new UserError(`${file} holds no tokens.`);
      return tokens;
    };
    return {
      source: path,
      train: read(files.train),
      valid: read(files.valid),
      test: read(files.test),
    };
  },
};

function locateParts(
  path: string,
  options: Record<string, unknown>,
): { train: string; valid: string; test: string } {
  let names: string[];
  try {
    if (!fs.statSync(path).isDirectory()) {
      throw new UserError(
        `${path} is not a folder; the text format expects a folder with train/valid/test files.`,
      );
    }
    names = fs.readdirSync(path);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(
      `cannot read ${path}: no such folder; expected a folder with *.train.txt, *.valid.txt, *.test.txt.`,
    );
  }
  const find = (part: 'train' | 'valid' | 'test'): string => {
    const given = options[part];
    if (typeof given === 'string') return nodePath.join(path, given);
    const matches = names.filter((n) => n.endsWith(`.${part}.txt`) || n === `${part}.txt`);
    if (matches.length !== 1) {
      throw new UserError(
        `${path}: expected exactly one *.${part}.txt file, found ${matches.length ? matches.join(', ') : 'none'}; ` +
          `name it with data.options.${part}.`,
      );
    }
    return nodePath.join(path, matches[0]);
  };
  return { train: find('train'), valid: find('valid'), test: find('test') };
}
