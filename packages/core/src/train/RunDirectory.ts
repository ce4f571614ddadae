import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors/FarziError';
import { writeJsonAtomic } from '../io/atomicWrite';
import { Checkpoint, loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { CheckpointStore } from './Trainer';

/**
 * A run directory: `config.json` (resolved config), `data.json` (fingerprint and statistics),
 * `model.json`, `log.jsonl` (progress events), `checkpoints/{last,best}.safetensors` and, at the end,
 * `metrics.json`. Every file but the append-only log is written atomically.
 */
export class RunDirectory implements CheckpointStore {
  constructor(readonly dir: string) {}

  get description(): string {
    return path.join(this.dir, 'checkpoints');
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  get lastCheckpoint(): string {
    return this.file('checkpoints/last.safetensors');
  }

  get bestCheckpoint(): string {
    return this.file('checkpoints/best.safetensors');
  }

  /**
   * Creates the directory for a new run, or checks that a resumed run matches. A directory that
   * already holds a run is never overwritten without `--resume`.
   */
  prepare(
    config: unknown,
    resume: boolean,
    ignoreOnResume: (c: Record<string, unknown>) => void = () => undefined,
    checkpoint: string = this.lastCheckpoint,
    /** Brings the saved config up to date (e.g. fills settings added since with their defaults). */
    normalizeSaved: (c: Record<string, unknown>) => unknown = (c) => c,
  ): void {
    const configFile = this.file('config.json');
    if (resume) {
      if (!fs.existsSync(configFile) || !fs.existsSync(checkpoint)) {
        throw new UserError(
          `cannot resume: ${this.dir} holds no checkpoint of an earlier run (run without --resume to start one).`,
        );
      }
      const saved = normalizeSaved(
        JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>,
      ) as Record<string, unknown>;
      const now = structuredClone(config) as Record<string, unknown>;
      ignoreOnResume(saved);
      ignoreOnResume(now);
      // The compute backend may change between sessions; it does not define the experiment.
      delete saved.backend;
      delete now.backend;
      const differences = configDifferences(saved, now);
      if (differences.length) {
        throw new UserError(
          `cannot resume: the config differs from the one ${this.dir} was started with (${configFile}): ` +
            `${differences.slice(0, 5).join('; ')}${differences.length > 5 ? `; and ${differences.length - 5} more` : ''}. ` +
            'Resume with the same config (the number of epochs or outer steps and the backend may change).',
        );
      }
    } else if (fs.existsSync(configFile) || fs.existsSync(checkpoint)) {
      throw new UserError(
        `${this.dir} already holds a run; pass --resume to continue it, or choose another --out directory.`,
      );
    }
    fs.mkdirSync(path.join(this.dir, 'checkpoints'), { recursive: true });
    writeJsonAtomic(configFile, config);
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(this.file(name), value);
  }

  readJson<T>(name: string): T {
    return JSON.parse(fs.readFileSync(this.file(name), 'utf8')) as T;
  }

  appendLog(entry: Record<string, unknown>): void {
    fs.appendFileSync(
      this.file('log.jsonl'),
      `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`,
    );
  }

  saveLast(checkpoint: Checkpoint): void {
    saveCheckpoint(this.lastCheckpoint, checkpoint);
  }

  saveBest(checkpoint: Checkpoint): void {
    saveCheckpoint(this.bestCheckpoint, checkpoint);
  }

  loadLast(): Checkpoint | undefined {
    return fs.existsSync(this.lastCheckpoint) ? loadCheckpoint(this.lastCheckpoint) : undefined;
  }

  loadBest(): Checkpoint | undefined {
    return fs.existsSync(this.bestCheckpoint) ? loadCheckpoint(this.bestCheckpoint) : undefined;
  }
}

/** Dotted paths where two configs differ, as "path: was X, now Y". */
export function configDifferences(saved: unknown, now: unknown, prefix = ''): string[] {
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObject(saved) && isObject(now)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
    return keys.flatMap((k) => configDifferences(saved[k], now[k], prefix ? `${prefix}.${k}` : k));
  }
  if (JSON.stringify(saved) === JSON.stringify(now)) return [];
  const show = (x: unknown) => (x === undefined ? 'unset' : JSON.stringify(x));
  return [`${prefix || '(config)'}: was ${show(saved)}, now ${show(now)}`];
}
