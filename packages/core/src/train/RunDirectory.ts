import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors/FarziError';
import { removeStaleTemporaryFiles, writeFileAtomic, writeJsonAtomic } from '../io/atomicWrite';
import { makeDirectory } from '../io/directories';
import { ioFailure } from '../io/ioErrors';
import { RunLock } from '../io/runLock';
import { Checkpoint, loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { CheckpointStore } from './Trainer';

/**
 * A run directory: `config.json` (resolved config), `data.json` (fingerprint and statistics),
 * `model.json`, `log.jsonl` (progress events), `checkpoints/{last,best}.safetensors` and, at the end,
 * `metrics.json`. Every file but the append-only log is written atomically.
 */
export class RunDirectory implements CheckpointStore {
  private lock: RunLock | undefined;

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
   * Creates the directory for a new run, or checks that a resumed run matches, and locks it for
   * this process (a second process gets an error naming the owner; `close()` or the process's exit
   * releases it). A directory that already holds a run is never overwritten without `--resume`;
   * `--resume` of a directory without a checkpoint (a run killed before its first one) starts
   * from scratch. Temporary files left by a killed writer are removed. Returns whether there is a
   * checkpoint to resume from.
   */
  prepare(
    config: unknown,
    resume: boolean,
    ignoreOnResume: (c: Record<string, unknown>) => void = () => undefined,
    checkpoint: string = this.lastCheckpoint,
    /** Brings the saved config up to date (e.g. fills settings added since with their defaults). */
    normalizeSaved: (c: Record<string, unknown>) => unknown = (c) => c,
  ): boolean {
    makeDirectory(this.dir, '--out');
    this.lock = RunLock.acquire(this.dir);
    try {
      removeStaleTemporaryFiles(this.dir);
      removeStaleTemporaryFiles(path.join(this.dir, 'checkpoints'));
      const resuming = this.checkExisting(
        config,
        resume,
        ignoreOnResume,
        checkpoint,
        normalizeSaved,
      );
      fs.mkdirSync(path.join(this.dir, 'checkpoints'), { recursive: true });
      this.writeJson('config.json', config);
      return resuming;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Releases the run directory's lock. */
  close(): void {
    this.lock?.release();
    this.lock = undefined;
  }

  private checkExisting(
    config: unknown,
    resume: boolean,
    ignoreOnResume: (c: Record<string, unknown>) => void,
    checkpoint: string,
    normalizeSaved: (c: Record<string, unknown>) => unknown,
  ): boolean {
    const configFile = this.file('config.json');
    const hasCheckpoint = fs.existsSync(checkpoint);
    // A run that failed before its first checkpoint (a diverging loss, a model too large, a bad
    // teacher) left nothing to keep or resume: it starts over, with or without --resume, whatever
    // the config now.
    const nothingKept =
      !hasCheckpoint &&
      !fs.existsSync(this.bestCheckpoint) &&
      !fs.existsSync(this.file('metrics.json'));
    if (!resume) {
      if ((fs.existsSync(configFile) || hasCheckpoint) && !nothingKept) {
        throw new UserError(
          `${this.dir} already holds a run; pass --resume to continue it, or choose another --out directory.`,
        );
      }
      return false;
    }
    if (!fs.existsSync(configFile) || nothingKept) return false; // nothing to resume: start from scratch
    const saved = normalizeSaved(this.readJson<Record<string, unknown>>('config.json')) as Record<
      string,
      unknown
    >;
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
    return hasCheckpoint;
  }

  writeFile(name: string, text: string): void {
    writeFileAtomic(this.file(name), text);
  }

  writeBytes(name: string, bytes: Uint8Array): void {
    writeFileAtomic(this.file(name), bytes);
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(this.file(name), value);
  }

  /** A JSON file of the run; a missing or damaged file is an input error naming it. */
  readJson<T>(name: string): T {
    return readJsonFile<T>(this.file(name));
  }

  appendLog(entry: Record<string, unknown>): void {
    try {
      fs.appendFileSync(
        this.file('log.jsonl'),
        `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`,
      );
    } catch (error) {
      throw ioFailure(error, `cannot append to ${this.file('log.jsonl')}`);
    }
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

/** Reads a JSON file; a missing file or invalid JSON is a `UserError` naming the file. */
export function readJsonFile<T>(file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw ioFailure(error, `cannot read ${file}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new UserError(
      `${file} is not valid JSON (${(error as Error).message}); it may have been edited or damaged. ` +
        'Restore it, or start a new run in another directory.',
    );
  }
}
