import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import {
  createModel,
  DataSplit,
  ExperimentConfig,
  fingerprintSplit,
  loadSplit,
  whyUserAbsent,
  readJsonFile,
  Model,
  nonFiniteParameter,
  Params,
  parameterMismatch,
  RunDirectory,
  SelectedBackend,
  selectBackend,
  UserError,
  validateConfig,
} from '@farzi/core';
import { recommendNext } from '@farzi/metrics';
import { relocateRunData } from './dataLookup';
import { appServices, checkTrustedPlugins, loadPlugins, PluginTrust } from './plugins';

export interface LoadedRun {
  readonly dir: string;
  readonly config: ExperimentConfig;
  readonly split: DataSplit;
  readonly model: Model;
  readonly params: Params;
  readonly fingerprint: string;
  /** The top-k next items after a history of raw item ids (the history excluded), best first. */
  recommend(history: readonly string[], k: number): { item: string; score: number }[];
  /** The raw item ids a user of the data set interacted with, in time order (all of them). */
  userHistory(user: string): Promise<string[]>;
  dispose(): void;
}

const splitCache = new Map<string, DataSplit>();
let backendChosen: SelectedBackend | undefined;

/**
 * Loads a finished training run: its config, data (checked against the stored fingerprint), model and
 * best parameters. Plugins its config.json names load only as `trust` allows (docs/security.md).
 */
export async function loadRun(dir: string, trust: PluginTrust = {}): Promise<LoadedRun> {
  const configFile = path.join(dir, 'config.json');
  if (!fs.existsSync(configFile))
    throw new UserError(`${dir} is not a run directory (no config.json).`);
  const raw = readJsonFile<Record<string, unknown>>(configFile);
  // The plugins the run was trained with (recorded as resolved files): code, loaded only when the
  // user trusts them (--plugin naming the same file, or --trust-plugins).
  if (Array.isArray(raw.plugins)) {
    const named = raw.plugins.map(String);
    checkTrustedPlugins(named, dir, trust, configFile);
    loadPlugins(named, dir);
  }
  relocateRunData(raw);
  const services = appServices();
  const config = validateConfig(raw, services, configFile);
  backendChosen ??= await selectBackend(config.backend);
  const key = JSON.stringify(config.data);
  const split = splitCache.get(key) ?? (await loadSplit(config.data, services.adapters));
  splitCache.set(key, split);
  const fingerprint = fingerprintSplit(split);
  const dataFile = path.join(dir, 'data.json');
  if (fs.existsSync(dataFile)) {
    const stored = readJsonFile<{ fingerprint?: string }>(dataFile);
    if (stored.fingerprint && stored.fingerprint !== fingerprint) {
      throw new UserError(
        `${dir} was trained on different data (fingerprint ${stored.fingerprint}) than ${config.data.path} holds now (${fingerprint}).`,
      );
    }
  }
  const run = new RunDirectory(dir);
  const checkpoint = run.loadBest() ?? run.loadLast();
  if (!checkpoint)
    throw new UserError(
      `${dir} holds no checkpoint (checkpoints/best.safetensors or last.safetensors).`,
    );
  const model = createModel(config, split, services);
  const mismatch = parameterMismatch(model, checkpoint.params);
  const damaged = mismatch ? undefined : nonFiniteParameter(checkpoint.params);
  if (damaged) {
    tf.dispose(Object.values(checkpoint.params));
    throw new UserError(
      `${dir}: its ${fs.existsSync(run.bestCheckpoint) ? 'best' : 'last'} checkpoint is damaged: ${damaged}. Restore it or train the run again.`,
    );
  }
  if (mismatch) {
    tf.dispose(Object.values(checkpoint.params));
    const held = checkpoint.meta.model
      ? `a ${String(checkpoint.meta.model)} checkpoint`
      : 'a checkpoint';
    const names = Object.keys(checkpoint.params);
    throw new UserError(
      `${dir} holds ${held} (parameters ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}) that does not fit ` +
        `the ${model.name} model of its config.json: ${mismatch}. Was a checkpoint copied in from another run?`,
    );
  }
  return {
    dir,
    config,
    split,
    model,
    params: checkpoint.params,
    fingerprint,
    recommend(history, k) {
      const indices = history.map((id) => {
        const index = split.vocab.indexOf(id);
        if (index === undefined || index === 0) {
          throw new UserError(
            `item ${JSON.stringify(id).slice(0, 60)} is not in the vocabulary of ${dir} (${split.vocab.numTokens} items).`,
          );
        }
        return index;
      });
      return recommendNext(model, checkpoint.params, indices, k).map((r) => ({
        item: split.vocab.tokens[r.index],
        score: r.score,
      }));
    },
    async userHistory(user) {
      if (split.kind !== 'leave-one-out') {
        throw new UserError(`${dir} was trained on text; --user needs recommendation data.`);
      }
      const u = split.users.indexOf(user);
      if (u < 0) {
        const why = await whyUserAbsent(config.data, services.adapters, user);
        throw new UserError(
          `user ${JSON.stringify(user).slice(0, 60)} is not in the data of ${dir} (${split.users.length} users)${why ? `: ${why}` : ''}.`,
        );
      }
      return [...split.test.histories[u], split.test.targets[u]].map((i) => split.vocab.tokens[i]);
    },
    dispose: () => tf.dispose(Object.values(checkpoint.params)),
  };
}
