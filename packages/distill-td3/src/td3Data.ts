import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, TrainingSourceFactory, UserError, writeSafetensors } from '@farzi/core';
import { softSequenceSource } from '@farzi/distill-kit';
import { decodeTucker, FACTOR_NAMES, TuckerFactors } from './tucker';

const FORMAT = 'td3-data';

/** A TD3 data file: the Tucker factors, the temperature, the item vocabulary it was distilled on. */
export interface Td3Data {
  readonly factors: TuckerFactors;
  readonly temperature: number;
  readonly vocabulary: readonly string[];
  readonly sourceFingerprint: string;
}

/** Writes the factors (standard safetensors; metadata: format, temperature, vocabulary, fingerprint). */
export function saveTd3Data(file: string, data: Td3Data): void {
  const tensors = Object.fromEntries(
    FACTOR_NAMES.map((n) => {
      const t = data.factors[n];
      return [
        n,
        { dtype: 'float32' as const, shape: t.shape, values: t.dataSync() as Float32Array },
      ];
    }),
  );
  writeSafetensors(file, {
    tensors,
    metadata: {
      format: FORMAT,
      temperature: String(data.temperature),
      vocabulary: JSON.stringify(data.vocabulary),
      source_fingerprint: data.sourceFingerprint,
    },
  });
}

/** Reads a TD3 data file, checked (format, factor shapes, finite values, temperature, vocabulary). */
export function loadTd3Data(file: string): Td3Data {
  const content = readSafetensors(file);
  const m = content.metadata;
  if (m.format !== FORMAT) {
    throw new UserError(`${file} is not a TD3 data file (format "${m.format ?? 'none'}").`);
  }
  const t = content.tensors;
  const shapes = FACTOR_NAMES.map((n) => t[n]?.shape);
  const [users, positions, items, core] = shapes;
  const fits =
    users?.length === 2 &&
    positions?.length === 2 &&
    items?.length === 2 &&
    core?.length === 3 &&
    core[0] === users[1] &&
    core[1] === positions[1] &&
    core[2] === items[1];
  if (!fits) {
    throw new UserError(
      `${file}: expected factors users [μ, r1], positions [ξ, r2], items [|V|, r3] and core [r1, r2, r3].`,
    );
  }
  for (const n of FACTOR_NAMES) {
    if (!(t[n].values as Float32Array).every(Number.isFinite)) {
      throw new UserError(
        `${file}: its ${n} factor holds NaN or infinite values (the file is damaged).`,
      );
    }
  }
  const temperature = Number(m.temperature);
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new UserError(`${file}: its metadata "temperature" is not a finite number above 0.`);
  }
  let vocabulary: unknown;
  try {
    vocabulary = JSON.parse(m.vocabulary ?? '');
  } catch {
    vocabulary = undefined;
  }
  if (!Array.isArray(vocabulary) || vocabulary.length !== (items as number[])[0]) {
    throw new UserError(
      `${file}: its metadata "vocabulary" does not list the item factor's ${(items as number[])[0]} items.`,
    );
  }
  const tensor = (n: (typeof FACTOR_NAMES)[number]) =>
    tf.tensor(t[n].values, t[n].shape, 'float32');
  return {
    factors: {
      users: tensor('users') as tf.Tensor2D,
      positions: tensor('positions') as tf.Tensor2D,
      items: tensor('items') as tf.Tensor2D,
      core: tensor('core') as tf.Tensor3D,
    },
    temperature,
    vocabulary: vocabulary as string[],
    sourceFingerprint: m.source_fingerprint ?? '',
  };
}

export function disposeTd3Data(data: Td3Data): void {
  tf.dispose(Object.values(data.factors));
}

/**
 * The decoded factors as a training source (the last `maxLength + 1` positions of every synthetic
 * sequence when they are longer than the model's context).
 */
export function td3Source(data: Td3Data, maxLength: number, label = 'TD3 data') {
  const [mu] = data.factors.users.shape;
  const [xi] = data.factors.positions.shape;
  const used = Math.min(xi, maxLength + 1);
  return softSequenceSource(
    decodeTucker(data.factors, data.temperature, xi - used, used - 1),
    decodeTucker(data.factors, data.temperature, xi - used + 1, used - 1),
    `${label} [${mu}×${xi}] (${mu * xi} events)`,
  );
}

/** `train.source: {name: "td3", path: "<file>.safetensors"}`: train any model on TD3 data. */
export const td3SourceFactory: TrainingSourceFactory = {
  name: 'td3',
  description:
    'TD3 data from a td3-data.safetensors file (a Tucker factorisation of soft sequences)',
  schema: {
    type: 'object',
    required: ['path'],
    properties: { path: { type: 'string', minLength: 1, description: 'the TD3 data file' } },
  },
  create(options, { split, config }) {
    const file = options.path as string;
    const data = loadTd3Data(file);
    const vocab = split.vocab;
    if (
      data.vocabulary.length !== vocab.size ||
      data.vocabulary.some((v, i) => v !== vocab.tokens[i])
    ) {
      disposeTd3Data(data);
      throw new UserError(
        `${file} was distilled on a different item vocabulary (${data.vocabulary.length} entries) than ${config.data.path} has (${vocab.size}).`,
      );
    }
    try {
      return td3Source(data, config.data.maxLength, `TD3 data ${file}`);
    } finally {
      disposeTd3Data(data);
    }
  },
};
