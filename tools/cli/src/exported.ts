import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import {
  decodeSafetensors,
  encodeSafetensors,
  makeDirectory,
  Model,
  Params,
  readJsonFile,
  StoredTensor,
  UserError,
  Vocabulary,
  writeFileAtomic,
  writeJsonAtomic,
} from '@farzi/core';
import { recommendNext } from '@farzi/metrics';
import { appServices } from './plugins';
import type { LoadedRun } from './runs';

/** `manifest.json` of an exported model (`npx farzi export`). */
export interface ExportManifest {
  readonly format: 'farzi-export';
  readonly version: 1;
  readonly model: {
    name: string;
    hyperParameters: Record<string, unknown>;
    vocabSize: number;
    maxLength: number;
  };
  readonly files: { params: string; embeddings: string; vocab: string };
  readonly source: { run: string; fingerprint: string; data: string };
  readonly created: string;
}

const store = (t: tf.Tensor): StoredTensor => ({
  dtype: 'float32',
  shape: t.shape,
  values: t.dataSync() as Float32Array,
});

/**
 * Writes a run's model for serving: `params.safetensors` (every parameter), `embeddings.safetensors`
 * (`items` [V, d]: the output layer's item vectors, so that a score is state · item, plus `bias`
 * when the model has one — for nearest-neighbour search), `vocab.json` (index → item id) and
 * `manifest.json` (written last: a folder without it is not an export).
 */
export function writeExport(run: LoadedRun, outDir: string): ExportManifest {
  const { model, params, split } = run;
  makeDirectory(outDir, '--out');
  const tensors: Record<string, StoredTensor> = {};
  for (const [name, t] of Object.entries(params)) tensors[name] = store(t);
  writeFileAtomic(
    path.join(outDir, 'params.safetensors'),
    encodeSafetensors({ tensors, metadata: { format: 'farzi-export-params' } }),
  );
  const embeddings: Record<string, StoredTensor> = {};
  if (model.outputLayer) {
    const layer = model.outputLayer(params);
    const items = tf.tidy(() =>
      layer.itemAxis === 0 ? tf.clone(layer.weights) : tf.transpose(layer.weights),
    );
    embeddings.items = store(items);
    items.dispose();
    if (layer.bias) embeddings.bias = store(layer.bias);
  }
  writeFileAtomic(
    path.join(outDir, 'embeddings.safetensors'),
    encodeSafetensors({
      tensors: embeddings,
      metadata: { format: 'farzi-export-embeddings', model: model.name },
    }),
  );
  writeJsonAtomic(path.join(outDir, 'vocab.json'), split.vocab.tokens);
  const manifest: ExportManifest = {
    format: 'farzi-export',
    version: 1,
    model: {
      name: model.name,
      hyperParameters: { ...model.hyperParameters },
      vocabSize: model.vocabSize,
      maxLength: model.maxLength,
    },
    files: {
      params: 'params.safetensors',
      embeddings: 'embeddings.safetensors',
      vocab: 'vocab.json',
    },
    source: { run: run.dir, fingerprint: run.fingerprint, data: run.config.data.path },
    created: new Date().toISOString(),
  };
  writeJsonAtomic(path.join(outDir, 'manifest.json'), manifest);
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
  const model = appServices().models.get(name).create(hyper, { vocabSize, maxLength });
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

/** Loads an export folder written by `npx farzi export` (Node.js). */
export function loadExport(dir: string): ExportedModel {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile))
    throw new UserError(`${dir} is not a farzi export (no manifest.json).`);
  const manifest = readJsonFile<ExportManifest>(manifestFile);
  const bytes = fs.readFileSync(path.join(dir, manifest.files.params));
  const vocab = readJsonFile<string[]>(path.join(dir, manifest.files.vocab));
  return exportedModelFromContents(
    manifest,
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    vocab,
  );
}
