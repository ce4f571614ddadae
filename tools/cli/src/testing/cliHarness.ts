import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Io } from '../Io';
import { main } from '../main';

/** An `Io` that records what the CLI prints. */
export function capture(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    interactive: false,
    columns: 100,
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

/** Runs the CLI in this process as a user would from a shell; returns exit code and output. */
export async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** A temporary folder for one spec file, with a small MovieLens-100K-style data set and configs. */
export function cliWorkspace(prefix = 'farzi-cli-'): {
  dir: string;
  dataDir: string;
  writeConfig(
    name: string,
    model: Record<string, unknown>,
    extra?: Record<string, unknown>,
  ): string;
  cleanup(): void;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // 30 users with 8–14 time-ordered events over 40 items.
  const lines: string[] = [];
  for (let u = 1; u <= 30; u++) {
    const n = 8 + (u % 7);
    for (let t = 0; t < n; t++)
      lines.push(
        `${u}\t${((u * 5 + t * (1 + (u % 3))) % 40) + 1}\t${1 + ((u + t) % 5)}\t${1000 + t * 10 + u}`,
      );
  }
  const file = path.join(dir, 'ml', 'u.data');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const dataDir = path.dirname(file);
  return {
    dir,
    dataDir,
    writeConfig(name, model, extra = {}) {
      const configFile = path.join(dir, name);
      fs.writeFileSync(
        configFile,
        JSON.stringify({
          seed: 3,
          backend: 'wasm',
          data: { format: 'movielens-100k', path: dataDir, maxLength: 10 },
          model,
          train: { epochs: 2, batchSize: 16, learningRate: 0.01 },
          eval: { ks: [5, 10] },
          ...extra,
        }),
      );
      return configFile;
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
