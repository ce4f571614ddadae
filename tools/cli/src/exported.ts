import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import {
  decodeSafetensors,
  ExportManifest,
  exportFiles,
  makeDirectory,
  Model,
  Params,
  UserError,
  Vocabulary,
  writeFileAtomic,
} from '@farzi/core';
import { recommendNext } from '@farzi/metrics';
import { appServices, loadPlugins, pluginOfModel } from './plugins';
import type { LoadedRun } from './runs';
import { readZip } from './zip';

export type { ExportManifest } from '@farzi/core';

/**
 * Writes a run's model for serving (core's `exportFiles`: parameters, item embeddings, vocabulary)
 * into `outDir`, each file atomically and `manifest.json` last: a folder without it is not an export.
 */
export function writeExport(run: LoadedRun, outDir: string): ExportManifest {
  const { model, params, split } = run;
  makeDirectory(outDir, '--out');
  // No absolute paths: an export is shipped to other machines.
  const { manifest, files } = exportFiles(
    model,
    params,
    split.vocab.tokens,
    {
      run: path.basename(path.resolve(run.dir)),
      fingerprint: run.fingerprint,
      data: run.config.data.dataset ?? path.basename(run.config.data.path ?? ''),
    },
    pluginOfModel(model.name)?.name,
  );
  for (const [name, bytes] of files) writeFileAtomic(path.join(outDir, name), bytes);
  return manifest;
}

/** An exported model, ready to recommend. */
export interface ExportedModel {
  readonly manifest: ExportManifest;
  readonly model: Model;
  readonly params: Params;
  readonly vocab: Vocabulary;
  /** Top-k next items (raw ids) after a history of raw item ids, the history excluded. */
  recommend(history: readonly string[], k: number): { item: string; score: number }[];
  dispose(): void;
}

/**
 * Builds an exported model from the export's contents (no file system: works in a browser bundle
 * that fetched the three files). The model plugin named in the manifest must be registered.
 */
export function exportedModelFromContents(
  manifest: ExportManifest,
  paramsBytes: Uint8Array,
  vocabTokens: string[],
): ExportedModel {
  if (manifest.format !== 'farzi-export' || manifest.version !== 1) {
    throw new UserError(
      `not a farzi export (format ${JSON.stringify(manifest.format)}, version ${manifest.version}).`,
    );
  }
  const { name, hyperParameters, vocabSize, maxLength } = manifest.model;
  const { name: _drop, ...hyper } = { name, ...hyperParameters };
  const models = appServices().models;
  if (!models.names().includes(name) && manifest.model.plugin)
    throw new UserError(
      `the export's model "${name}" comes from the plugin ${JSON.stringify(manifest.model.plugin)}, which is not loaded: ` +
        `pass it (its package name or folder) — loadExport(dir, { plugins: ["…"] }) or npx farzi recommend --export … --plugin <package-or-path>.`,
    );
  const model = models.get(name).create(hyper, { vocabSize, maxLength });
  const content = decodeSafetensors(paramsBytes, manifest.files.params);
  const params: Params = {};
  for (const [n, t] of Object.entries(content.tensors))
    params[n] = tf.tensor(t.values, t.shape, t.dtype);
  const vocab = new Vocabulary(vocabTokens);
  return {
    manifest,
    model,
    params,
    vocab,
    recommend(history, k) {
      const indices = history.map((id) => {
        const i = vocab.indexOf(id);
        if (i === undefined || i === 0)
          throw new UserError(
            `item ${JSON.stringify(id).slice(0, 60)} is not in the exported vocabulary.`,
          );
        return i;
      });
      return recommendNext(model, params, indices, k).map((r) => ({
        item: vocab.tokens[r.index],
        score: r.score,
      }));
    },
    dispose: () => tf.dispose(Object.values(params)),
  };
}

/**
 * Loads an export: a folder written by `npx farzi export`, or a `.zip` of its files (what the
 * browser page downloads), Node.js. A model from a plugin needs that plugin in `options.plugins`
 * (package names or paths, as `--plugin` takes them; the manifest names it).
 */
export function loadExport(where: string, options: { plugins?: string[] } = {}): ExportedModel {
  if (!fs.existsSync(where)) throw new UserError(`${where}: no such export folder or zip file.`);
  // Plugins run code: only the ones the caller names are loaded, never what a manifest says.
  if (options.plugins?.length) loadPlugins(options.plugins, process.cwd());
  const files = fs.statSync(where).isDirectory() ? folderFiles(where) : zipFiles(where);
  const manifestBytes = files('manifest.json');
  if (!manifestBytes) throw new UserError(`${where} is not a farzi export (no manifest.json).`);
  const manifest = parseJson<ExportManifest>(manifestBytes, `${where}: manifest.json`);
  const paramsBytes = files(String(manifest.files?.params));
  const vocabBytes = files(String(manifest.files?.vocab));
  if (!paramsBytes || !vocabBytes)
    throw new UserError(`${where}: the manifest names files the export does not hold.`);
  return exportedModelFromContents(
    manifest,
    paramsBytes,
    parseJson<string[]>(vocabBytes, `${where}: ${manifest.files.vocab}`),
  );
}

function folderFiles(dir: string): (name: string) => Uint8Array | undefined {
  return (name) => {
    const file = path.join(dir, path.basename(name));
    return fs.existsSync(file) ? new Uint8Array(fs.readFileSync(file)) : undefined;
  };
}

function zipFiles(file: string): (name: string) => Uint8Array | undefined {
  let entries: Map<string, Buffer>;
  try {
    entries = readZip(fs.readFileSync(file));
  } catch (error) {
    throw new UserError(
      `${file} is neither an export folder nor a zip of one (${(error as Error).message}).`,
    );
  }
  // A zip may hold the files at its top or in one folder (as archivers make it).
  return (name) => {
    for (const [entry, bytes] of entries)
      if (entry === name || entry.endsWith(`/${name}`)) return new Uint8Array(bytes);
    return undefined;
  };
}

function parseJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    throw new UserError(`${what} is not valid JSON (the export is damaged).`);
  }
}
