import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readSafetensors, writeFileAtomic } from '@farzi/core';
import { Metrics, readJson } from './qualityRuns';

/*
 * Students shared by identical data. A lever that changes only the outer loop (back-off, the outer
 * loss's weights) starts from the same step-0 tensors, so its step-0 students would repeat the
 * first lever's exactly. A student is keyed by what it reads of its data file, the bytes of its config
 * file and its `--set`s with the data's path taken out (the seed among them); a finished student
 * with the same key is reused — its metrics.json copied into the new run directory beside a
 * `reused.json` that names the original — instead of training again.
 */

/** Where a finished student's key points: its run directory. */
interface CacheEntry {
  readonly run: string;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Content hashes by file, size and modification time: a row's seeds read one file once. */
const hashes = new Map<string, string>();

/**
 * What a student reads from a data file, hashed: for a safetensors file (Farzi and TD3 data) its
 * tensors and metadata without `info` — the distillation's settings and budget, written for the
 * reader, never read by training (an outer-loop setting changes it and nothing else at step 0) —
 * and for any other file its bytes.
 */
function contentHash(file: string): string {
  const { size, mtimeMs } = fs.statSync(file);
  const id = `${file}\0${size}\0${mtimeMs}`;
  const known = hashes.get(id);
  if (known) return known;
  let hash: string;
  try {
    const { tensors, metadata } = readSafetensors(file);
    const { info: _info, ...read } = metadata;
    const h = createHash('sha256').update(JSON.stringify(read));
    for (const name of Object.keys(tensors).sort()) {
      const { dtype, shape, values } = tensors[name];
      h.update(JSON.stringify({ name, dtype, shape }));
      h.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
    hash = h.digest('hex');
  } catch {
    hash = sha256(fs.readFileSync(file)); // not safetensors: its bytes
  }
  hashes.set(id, hash);
  return hash;
}

/** The data file a training source reads, if it reads one (`{ path }`), else undefined. */
function dataFile(source: object): string | undefined {
  const file = (source as { path?: unknown }).path;
  if (typeof file !== 'string') return undefined;
  const resolved = path.resolve(file);
  return fs.existsSync(resolved) && fs.statSync(resolved).isFile() ? resolved : undefined;
}

/**
 * The key of a student trained by `config` with `setArgs` (`--set k=v …`) on `source`, or
 * undefined when the source reads no data file (a baseline sample is drawn, not read).
 */
export function studentKey(
  config: string,
  source: object,
  setArgs: readonly string[],
): string | undefined {
  const file = dataFile(source);
  if (!file) return undefined;
  const sourceSet = `train.source=${JSON.stringify(source)}`;
  const others = setArgs.map((s) => (s === sourceSet ? 'train.source=<data>' : s));
  const { path: _path, ...rest } = source as { path: string };
  return sha256(
    JSON.stringify({
      data: contentHash(file),
      source: rest,
      config: sha256(fs.readFileSync(config)),
      sets: others,
    }),
  );
}

/** A JSON file of the index or a copy, or undefined when it is missing or unreadable (not ours). */
function readIndexFile<T>(file: string): T | undefined {
  try {
    return readJson<T>(file);
  } catch {
    return undefined;
  }
}

interface ReusedFile {
  readonly from: string;
  readonly key: string;
}

/**
 * The student in `dir` as a finished student with this key: a copy made earlier for the same key,
 * or a new copy (metrics.json beside reused.json, which names the original) — else undefined, and
 * `dir` is left to be trained (a run of its own there is left alone; a copy made for another key,
 * or for data no longer there, is removed: it is not this student).
 */
export function reuseStudent(
  cache: string,
  key: string | undefined,
  dir: string,
): { metrics: Metrics; copiedNow: boolean } | undefined {
  const copied = readIndexFile<ReusedFile>(path.join(dir, 'reused.json'));
  if (copied) {
    const metrics = readJson<Metrics>(path.join(dir, 'metrics.json'));
    if (key && copied.key === key && metrics) return { metrics, copiedNow: false };
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!key || fs.existsSync(path.join(dir, 'config.json'))) return undefined;
  const entry = readIndexFile<CacheEntry>(path.join(cache, `${key}.json`));
  if (!entry || path.resolve(entry.run) === path.resolve(dir)) return undefined;
  const original = path.join(entry.run, 'metrics.json');
  const metrics = readJson<Metrics>(original);
  if (!metrics) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  const reused: ReusedFile = { from: path.resolve(entry.run), key };
  writeFileAtomic(path.join(dir, 'reused.json'), `${JSON.stringify(reused, null, 2)}\n`);
  writeFileAtomic(path.join(dir, 'metrics.json'), fs.readFileSync(original));
  return { metrics, copiedNow: true };
}

/** Records a finished student under its key (the first one stays while its metrics do). */
export function rememberStudent(cache: string, key: string, dir: string): void {
  const file = path.join(cache, `${key}.json`);
  const entry = readIndexFile<CacheEntry>(file);
  if (entry && fs.existsSync(path.join(entry.run, 'metrics.json'))) return;
  fs.mkdirSync(cache, { recursive: true });
  writeFileAtomic(file, `${JSON.stringify({ run: path.resolve(dir) } satisfies CacheEntry)}\n`);
}
