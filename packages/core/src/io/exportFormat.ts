import * as tf from '@tensorflow/tfjs-core';
import type { Model, Params } from '../model/Model';
import { encodeSafetensors, StoredTensor } from './safetensorsFormat';

// An exported model's files in memory (no file system: a browser builds the same export that
// `npx farzi export` writes, and `loadExport` / `npx farzi recommend --export` read both).

/** `manifest.json` of an exported model. */
export interface ExportManifest {
  readonly format: 'farzi-export';
  readonly version: 1;
  readonly model: {
    name: string;
    hyperParameters: Record<string, unknown>;
    vocabSize: number;
    maxLength: number;
    /** Row / index of the padding token in vocab.json, the parameters and the embeddings (never an item). */
    paddingIndex: 0;
    /** The plugin package that provides the model, when it is not a shipped one (load it to read the export). */
    plugin?: string;
  };
  readonly files: { params: string; embeddings: string; vocab: string };
  /**
   * Where the model came from, without the machine's paths: the run directory's name (or, e.g.,
   * "browser: <file>"), the data's fingerprint and the data set's name (or its file's name).
   */
  readonly source: { run: string; fingerprint: string; data: string };
  readonly created: string;
}

/** The export's files by name; `manifest.json` is meant to be written last. */
export interface ExportFiles {
  readonly manifest: ExportManifest;
  readonly files: ReadonlyArray<readonly [name: string, bytes: Uint8Array]>;
}

const store = (t: tf.Tensor): StoredTensor => ({
  dtype: 'float32',
  shape: t.shape,
  values: t.dataSync() as Float32Array,
});

/**
 * A model's export: `params.safetensors` (every parameter), `embeddings.safetensors` (`items`
 * [V, d]: the output layer's item vectors, so that a score is state · item, plus `bias` when the
 * model has one — for nearest-neighbour search; row 0 is padding, as in vocab.json, which the
 * embeddings' metadata says), `vocab.json` (index → item id) and
 * `manifest.json` (last).
 */
export function exportFiles(
  model: Model,
  params: Params,
  vocabTokens: readonly string[],
  source: ExportManifest['source'],
  plugin?: string,
): ExportFiles {
  const tensors: Record<string, StoredTensor> = {};
  for (const [name, t] of Object.entries(params)) tensors[name] = store(t);
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
  const manifest: ExportManifest = {
    format: 'farzi-export',
    version: 1,
    model: {
      name: model.name,
      hyperParameters: { ...model.hyperParameters },
      vocabSize: model.vocabSize,
      maxLength: model.maxLength,
      paddingIndex: 0,
      ...(plugin ? { plugin } : {}),
    },
    files: {
      params: 'params.safetensors',
      embeddings: 'embeddings.safetensors',
      vocab: 'vocab.json',
    },
    source,
    created: new Date().toISOString(),
  };
  const text = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
  return {
    manifest,
    files: [
      [
        manifest.files.params,
        encodeSafetensors({ tensors, metadata: { format: 'farzi-export-params' } }),
      ],
      [
        manifest.files.embeddings,
        encodeSafetensors({
          tensors: embeddings,
          metadata: {
            format: 'farzi-export-embeddings',
            model: model.name,
            rows: 'row i is the item vocab.json[i]; row 0 is padding (not an item, never recommended)',
          },
        }),
      ],
      [manifest.files.vocab, text(vocabTokens)],
      ['manifest.json', text(manifest)],
    ],
  };
}
