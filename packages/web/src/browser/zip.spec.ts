import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { crc32, storedZip } from './zip';

describe('the page’s zip writer', () => {
  it('computes the standard CRC-32 (check value of "123456789")', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('writes archives that an independent reader (Python’s zipfile) opens and verifies', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-zip-'));
    try {
      const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 251);
      const zip = storedZip([
        ['farzi-export/manifest.json', new TextEncoder().encode('{"a": "é"}\n')],
        ['farzi-export/params.safetensors', bytes],
        ['empty', new Uint8Array(0)],
      ]);
      const file = path.join(dir, 'x.zip');
      fs.writeFileSync(file, zip);
      const script = [
        'import sys, zipfile, hashlib',
        'z = zipfile.ZipFile(sys.argv[1])',
        'assert z.testzip() is None',
        'for i in z.infolist(): print(i.filename, i.file_size, hashlib.sha256(z.read(i)).hexdigest())',
      ].join('\n');
      const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const sha = (b: Uint8Array) =>
        require('crypto').createHash('sha256').update(b).digest('hex') as string;
      expect(r.stdout.trim().split('\n')).toEqual([
        `farzi-export/manifest.json 12 ${sha(new TextEncoder().encode('{"a": "é"}\n'))}`,
        `farzi-export/params.safetensors 70000 ${sha(bytes)}`,
        `empty 0 ${sha(new Uint8Array(0))}`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
