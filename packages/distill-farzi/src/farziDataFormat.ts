import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, SafetensorsContent, safeOps, UserError, Vocabulary } from '@farzi/core';

// Farzi Data in memory: no file system (part of the browser bundle); files are in farziData.ts.

/**
 * Farzi Data: a latent summary F [μ, ξ, d] and a token decoder M [d, |V|]; the synthetic sequences
 * are softmax(F·M / τ) over the vocabulary (padding index 0 excluded), one distribution per position.
 */
export interface FarziData {
  readonly latent: tf.Tensor3D;
  readonly decoder: tf.Tensor2D;
  readonly temperature: number;
  /**
   * Sparse support (distill.support): each position keeps only its k largest logits (0 or absent:
   * every item), so its mass sits on k items chosen, and revised, by the outer loop.
   */
  readonly support?: number;
  /** Raw item ids / words by index (index 0 = padding), to map the data back and check it fits. */
  readonly vocabulary: readonly string[];
  /** Fingerprint of the real data it was distilled from. */
  readonly sourceFingerprint: string;
  /** Anything worth keeping: the distillation config, budget, best validation metric, … */
  readonly info: Record<string, unknown>;
}

/** Shape summary: μ sequences × ξ positions, latent size d, vocabulary |V|. */
export function farziShape(data: Pick<FarziData, 'latent' | 'decoder'>): {
  sequences: number;
  length: number;
  latentDim: number;
  vocabSize: number;
} {
  const [sequences, length, latentDim] = data.latent.shape;
  return { sequences, length, latentDim, vocabSize: data.decoder.shape[1] };
}

/** −∞-like bias on the padding column, so synthetic tokens never put mass on padding. */
function paddingBias(vocabSize: number): tf.Tensor1D {
  const b = new Float32Array(vocabSize);
  b[0] = -1e9;
  return tf.tensor1d(b);
}

/** The synthetic tokens' logits `[μ·ξ, |V|]`: F·M/τ with padding excluded. */
export function farziLogits(
  latent: tf.Tensor,
  decoder: tf.Tensor,
  temperature: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [mu, xi, d] = latent.shape as [number, number, number];
    const v = decoder.shape[1] as number;
    const logits = tf.div(tf.matMul(tf.reshape(latent, [mu * xi, d]), decoder), temperature);
    return tf.add(logits, paddingBias(v)) as tf.Tensor2D;
  });
}

/**
 * Decodes latent F and decoder M into synthetic token distributions `[μ, ξ, |V|]` with the
 * second-order-safe softmax (the Farzi meta-gradient differentiates through it). With `support` k
 * (0 < k < |V| − 1) each position's softmax is over its k largest logits only: the others get a
 * −∞-like bias, a constant of the current (F, M) (no gradient reaches them; the selection is made
 * again at every decoding, so an item whose logit grows enters the support).
 */
export function decodeFarzi(
  latent: tf.Tensor,
  decoder: tf.Tensor,
  temperature: number,
  support = 0,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [mu, xi] = latent.shape as [number, number, number];
    const v = decoder.shape[1] as number;
    let logits: tf.Tensor = farziLogits(latent, decoder, temperature);
    if (support > 0 && support < v - 1) logits = tf.add(logits, supportBias(logits, support));
    return tf.reshape(safeOps.softmax(logits), [mu, xi, v]) as tf.Tensor3D;
  });
}

/**
 * 0 on each row's `k` largest logits, −1e9 elsewhere: computed from the logits' values and made a
 * new tensor, so that it is a constant to any gradient taken through the logits.
 */
function supportBias(logits: tf.Tensor, k: number): tf.Tensor {
  const values = tf.tidy(() => {
    const kth = tf.slice(tf.topk(logits, k).values, [0, k - 1], [-1, 1]);
    return tf.where(
      tf.greaterEqual(logits, kth),
      tf.zerosLike(logits),
      tf.fill(logits.shape, -1e9),
    );
  });
  const bias = tf.tensor(values.dataSync() as Float32Array, values.shape);
  values.dispose();
  return bias;
}

const FORMAT = 'farzi-data';

/** Farzi Data in the safetensors layout (tensors `latent`, `decoder`; the rest in the metadata). */
export function farziDataContents(data: FarziData): SafetensorsContent {
  return {
    tensors: {
      latent: {
        dtype: 'float32',
        shape: data.latent.shape,
        values: data.latent.dataSync() as Float32Array,
      },
      decoder: {
        dtype: 'float32',
        shape: data.decoder.shape,
        values: data.decoder.dataSync() as Float32Array,
      },
    },
    metadata: {
      format: FORMAT,
      version: '1',
      temperature: String(data.temperature),
      ...(data.support ? { support: String(data.support) } : {}),
      vocabulary: JSON.stringify(data.vocabulary),
      source_fingerprint: data.sourceFingerprint,
      info: JSON.stringify(data.info),
    },
  };
}

/**
 * Farzi Data from a safetensors file's contents, checked; `file` names the source in errors (a path,
 * or a dropped file's name in a browser).
 */
export function farziDataFromContents(content: SafetensorsContent, file: string): FarziData {
  const m = content.metadata;
  if (m.format !== FORMAT)
    throw new UserError(`${file} is not a Farzi Data file (format "${m.format ?? 'none'}").`);
  const latent = content.tensors.latent;
  const decoder = content.tensors.decoder;
  if (
    !latent ||
    !decoder ||
    latent.shape.length !== 3 ||
    decoder.shape.length !== 2 ||
    latent.shape[2] !== decoder.shape[0]
  ) {
    throw new UserError(
      `${file}: expected tensors latent [μ, ξ, d] and decoder [d, |V|] with matching d.`,
    );
  }
  const vocabulary = parseMetadata(file, 'vocabulary', m.vocabulary) as string[];
  if (!Array.isArray(vocabulary) || vocabulary.some((t) => typeof t !== 'string')) {
    throw new UserError(`${file}: its metadata "vocabulary" is not a list of item ids.`);
  }
  // The metadata is checked as train.source.temperature is: a finite number above 0.
  const temperature = Number(m.temperature);
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new UserError(
      `${file}: its metadata "temperature" is ${JSON.stringify(String(m.temperature ?? '')).slice(0, 40)}; expected a finite number above 0 (the file is damaged or not made by farzi distill).`,
    );
  }
  for (const [name, t] of [
    ['latent', latent],
    ['decoder', decoder],
  ] as const) {
    if (!(t.values as Float32Array).every(Number.isFinite)) {
      throw new UserError(
        `${file}: its ${name} holds NaN or infinite values (the file is damaged).`,
      );
    }
  }
  const support = m.support === undefined ? 0 : Number(m.support);
  if (!(Number.isInteger(support) && support >= 0)) {
    throw new UserError(
      `${file}: its metadata "support" is ${JSON.stringify(String(m.support)).slice(0, 40)}; expected a whole number ≥ 0 (the file is damaged or not made by farzi distill).`,
    );
  }
  if (vocabulary.length !== decoder.shape[1]) {
    throw new UserError(
      `${file}: the decoder has ${decoder.shape[1]} columns but the vocabulary ${vocabulary.length} entries.`,
    );
  }
  return {
    latent: tf.tensor3d(latent.values as Float32Array, latent.shape as [number, number, number]),
    decoder: tf.tensor2d(decoder.values as Float32Array, decoder.shape as [number, number]),
    temperature,
    ...(support ? { support } : {}),
    vocabulary,
    sourceFingerprint: m.source_fingerprint,
    info: parseMetadata(file, 'info', m.info ?? '{}') as FarziData['info'],
  };
}

/** Farzi Data from a file's bytes (e.g. fetched or dropped onto a page). */
export function parseFarziData(bytes: Uint8Array, file: string): FarziData {
  return farziDataFromContents(decodeSafetensors(bytes, file), file);
}

function parseMetadata(file: string, key: string, text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw new UserError(`${file}: its metadata "${key}" is not valid JSON (the file is damaged).`);
  }
}

/** Checks that Farzi Data fits a data split's vocabulary (same items at the same indices). */
export function checkVocabulary(file: string, data: FarziData, vocab: Vocabulary): void {
  if (
    data.vocabulary.length !== vocab.size ||
    data.vocabulary.some((t, i) => t !== vocab.tokens[i])
  ) {
    throw new UserError(
      `${file} was distilled with a different item vocabulary (${data.vocabulary.length - 1} items) than the configured data ` +
        `(${vocab.numTokens} items); use the data (and filters) it was distilled from.`,
    );
  }
}
