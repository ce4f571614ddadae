import * as tf from '@tensorflow/tfjs-core';
import {
  createOptimizer,
  JsonSchema,
  Model,
  ModelFactory,
  optimizerConfig,
  OptimizerConfig,
  Params,
  ProgressEvent,
  Registry,
  Trainer,
  UserError,
} from '@farzi/core';
import { FarziData, farziShape, farziSource } from '@farzi/distill-farzi';
import { gru4recFactory } from '@farzi/models-gru4rec';
import { sasrecFactory } from '@farzi/models-sasrec';

// Training a student on Farzi Data with the framework's own trainer, model zoo and Farzi source:
// what the page runs in a browser and what Node runs for the same result (no file system here).

/** The architectures the page offers. */
export const studentModels = new Registry<ModelFactory>(
  'model',
  [sasrecFactory, gru4recFactory],
  'model',
);

/** How a student is trained: the distillation's own student recipe unless the person changes it. */
export interface StudentSettings {
  readonly model: string;
  /** Hyper-parameters of the model (`model.*` besides `name`). */
  readonly hyperParameters: Record<string, unknown>;
  readonly maxLength: number;
  readonly epochs: number;
  readonly learningRate: number;
  /** Synthetic sequences per batch. */
  readonly batchSize: number;
  readonly seed: number;
  readonly optimizer: OptimizerConfig;
}

type Info = {
  model?: { name?: string } & Record<string, unknown>;
  distill?: { student?: { epochs?: number; learningRate?: number; batchSize?: number } };
  data?: { maxLength?: number };
  train?: { optimizer?: Partial<OptimizerConfig> };
  seed?: number;
};

/** Every property's `default` of an object schema (the defaults a config would get). */
function schemaDefaults(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [key, property] of Object.entries(properties))
    if (property.default !== undefined) out[key] = property.default;
  return out;
}

/**
 * The student the data was distilled for, trained as the distillation's students are (its
 * `distill.student` epochs, learning rate and batch size); `model` picks another architecture with
 * its default hyper-parameters.
 */
export function studentDefaults(data: FarziData, model?: string): StudentSettings {
  const info = data.info as Info;
  const distilledFor = info.model?.name ?? 'sasrec';
  const name = model ?? distilledFor;
  const factory = studentModels.get(name);
  const { name: _drop, ...distilledHyper } = info.model ?? {};
  const hyperParameters =
    name === distilledFor
      ? { ...schemaDefaults(factory.schema), ...distilledHyper }
      : schemaDefaults(factory.schema);
  const student = info.distill?.student ?? {};
  return {
    model: name,
    hyperParameters,
    maxLength: info.data?.maxLength ?? 50,
    epochs: student.epochs ?? 100,
    learningRate: student.learningRate ?? 0.003,
    batchSize: student.batchSize || farziShape(data).sequences,
    seed: 42,
    optimizer: optimizerConfig({ name: 'adam', ...(info.train?.optimizer ?? {}) }),
  };
}

/** Checks settings typed into the page (or given by a caller) before any training starts. */
export function checkSettings(settings: StudentSettings): void {
  const whole = (key: keyof StudentSettings, min: number) => {
    const v = settings[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new UserError(`${key}: expected a whole number ≥ ${min} (got ${String(v)}).`);
  };
  whole('epochs', 1);
  whole('batchSize', 1);
  whole('maxLength', 1);
  whole('seed', 0);
  if (!(Number.isFinite(settings.learningRate) && settings.learningRate > 0))
    throw new UserError(`learningRate: expected a number above 0 (got ${settings.learningRate}).`);
  studentModels.get(settings.model);
}

export interface TrainedStudent {
  readonly model: Model;
  readonly params: Params;
  /** Training loss after each epoch. */
  readonly losses: number[];
  readonly seconds: number;
}

/**
 * Trains a fresh student on the data with core's trainer. `onProgress` sees the trainer's events
 * (steps and epochs, for a live loss chart); the trainer yields to the event loop, so a page stays
 * responsive. The caller disposes `params`.
 */
export async function trainOnFarziData(
  data: FarziData,
  settings: StudentSettings,
  onProgress?: (event: ProgressEvent) => void,
): Promise<TrainedStudent> {
  checkSettings(settings);
  const vocabSize = data.vocabulary.length;
  const model = studentModels
    .get(settings.model)
    .create(settings.hyperParameters, { vocabSize, maxLength: settings.maxLength });
  const source = farziSource(data, settings.maxLength);
  const losses: number[] = [];
  const started = Date.now();
  try {
    const result = await new Trainer({
      model,
      source,
      seed: settings.seed,
      optimizer: createOptimizer(settings.optimizer, settings.learningRate),
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      label: `${settings.model} on Farzi Data`,
      logEvery: 1,
      onProgress: (event) => {
        if (event.type === 'epoch') losses.push(event.loss);
        onProgress?.(event);
      },
    }).run();
    if (result.bestParams !== result.params) tf.dispose(Object.values(result.bestParams));
    return { model, params: result.params, losses, seconds: (Date.now() - started) / 1000 };
  } finally {
    source.dispose?.();
  }
}
