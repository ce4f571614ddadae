import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { rememberStudent, reuseStudent, studentKey } from './studentCache';

describe('students shared by identical data', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-student-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const setsFor = (source: object, seed: number) => [
    `train.source=${JSON.stringify(source)}`,
    'train.batchSize=4',
    `seed=${seed}`,
  ];
  const key = (config: string, source: object, seed = 1) =>
    studentKey(config, source, setsFor(source, seed));

  it('keys a student by its data bytes, config bytes and settings, not by the data file’s path', () => {
    const config = write('config.json', '{"seed":1}');
    const a = { name: 'farzi', path: write('a/data.safetensors', 'bytes') };
    const copy = { name: 'farzi', path: write('b/data.safetensors', 'bytes') };
    const other = { name: 'farzi', path: write('c/data.safetensors', 'other bytes') };
    expect(key(config, a)).toMatch(/^[0-9a-f]{64}$/);
    expect(key(config, copy)).toBe(key(config, a));
    expect(key(config, other)).not.toBe(key(config, a));
    expect(key(config, a, 2)).not.toBe(key(config, a));
    expect(key(config, { ...a, temperature: 2 })).not.toBe(key(config, a));
    const edited = write('edited.json', '{"seed":2}');
    // Safetensors data: the `info` metadata (the distillation's settings, for the reader) is not
    // what a student reads; the tensors and the other metadata are.
    const safetensors = (name: string, metadata: object, tensor: number[]) => {
      const payload = Buffer.from(new Float32Array(tensor).buffer);
      const header = Buffer.from(
        JSON.stringify({
          __metadata__: metadata,
          latent: { dtype: 'F32', shape: [tensor.length], data_offsets: [0, payload.length] },
        }),
      );
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(header.length));
      const file = path.join(dir, name);
      fs.writeFileSync(file, Buffer.concat([length, header, payload]));
      return { name: 'farzi', path: file };
    };
    const base = safetensors('s0.safetensors', { temperature: '1', info: '{"lr":0.01}' }, [1, 2]);
    const relabelled = safetensors(
      's1.safetensors',
      { temperature: '1', info: '{"lr":0.003}' },
      [1, 2],
    );
    const hotter = safetensors('s2.safetensors', { temperature: '2', info: '{"lr":0.01}' }, [1, 2]);
    const moved = safetensors('s3.safetensors', { temperature: '1', info: '{"lr":0.01}' }, [1, 3]);
    expect(key(config, relabelled)).toBe(key(config, base));
    expect(key(config, hotter)).not.toBe(key(config, base));
    expect(key(config, moved)).not.toBe(key(config, base));
    expect(key(edited, a)).not.toBe(key(config, a));
    // A source that reads no file (a sample drawn from the real data) has no key.
    expect(key(config, { name: 'random-sample', users: 4 })).toBeUndefined();
    expect(key(config, { name: 'farzi', path: path.join(dir, 'missing') })).toBeUndefined();
  });

  it('copies a finished student’s metrics into a new run directory and names the original', () => {
    const cache = path.join(dir, '.students');
    const first = path.join(dir, 'runs', 'recipe-s1');
    const metrics = { trainSeconds: 3, bestEpoch: 20, source: { events: 36, sequences: 4 } };
    write('runs/recipe-s1/config.json', '{}');
    write('runs/recipe-s1/metrics.json', JSON.stringify(metrics));
    expect(reuseStudent(cache, 'k', path.join(dir, 'runs', 'lever-s1'))).toBeUndefined();
    rememberStudent(cache, 'k', first);
    rememberStudent(cache, 'k', path.join(dir, 'runs', 'elsewhere')); // the first one stays

    const second = path.join(dir, 'runs', 'lever-s1');
    expect(reuseStudent(cache, 'k', second)).toEqual({ metrics, copiedNow: true });
    // Asked again: the copy is this student (not copied again); for another key it is removed.
    expect(reuseStudent(cache, 'k', second)).toEqual({ metrics, copiedNow: false });
    expect(reuseStudent(cache, 'other', second)).toBeUndefined();
    expect(fs.existsSync(second)).toBe(false);
    expect(reuseStudent(cache, 'k', second)).toEqual({ metrics, copiedNow: true });
    expect(reuseStudent(cache, undefined, second)).toBeUndefined(); // its data is gone
    expect(fs.existsSync(second)).toBe(false);
    expect(reuseStudent(cache, 'k', second)).toEqual({ metrics, copiedNow: true });
    expect(JSON.parse(fs.readFileSync(path.join(second, 'metrics.json'), 'utf8'))).toEqual(metrics);
    expect(JSON.parse(fs.readFileSync(path.join(second, 'reused.json'), 'utf8')).from).toBe(first);
    // Not into itself, not over a run of its own, not from a run that did not finish.
    expect(reuseStudent(cache, 'k', first)).toBeUndefined();
    write('runs/own-s1/config.json', '{}');
    expect(reuseStudent(cache, 'k', path.join(dir, 'runs', 'own-s1'))).toBeUndefined();
    fs.rmSync(path.join(first, 'metrics.json'));
    expect(reuseStudent(cache, 'k', path.join(dir, 'runs', 'third-s1'))).toBeUndefined();
    // An unreadable index entry is no entry (and is replaced when a student is remembered).
    write('.students/bad.json', '{"run": ');
    expect(reuseStudent(cache, 'bad', path.join(dir, 'runs', 'fifth-s1'))).toBeUndefined();
    // A student trained again in its place is remembered instead of the lost one.
    write('runs/again-s1/metrics.json', JSON.stringify(metrics));
    rememberStudent(cache, 'k', path.join(dir, 'runs', 'again-s1'));
    expect(reuseStudent(cache, 'k', path.join(dir, 'runs', 'fourth-s1'))?.metrics).toEqual(metrics);
  });
});
