import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A fresh temporary folder for one test; removed by `cleanup`. */
export function tempDir(prefix = 'farzi-test-'): {
  dir: string;
  write(name: string, text: string): string;
  cleanup(): void;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const file = path.join(dir, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The shared data folder (`../shared/data` beside the repo, or $FARZI_DATA_DIR), if present. */
export function sharedDataDir(): string | undefined {
  const candidates = [
    process.env.FARZI_DATA_DIR,
    path.resolve(__dirname, '../../../../../shared/data'),
  ];
  return candidates.find((c) => c && fs.existsSync(path.join(c, 'ml-100k', 'u.data')));
}
