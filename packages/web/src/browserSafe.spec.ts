import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The lint rule that keeps Node-only code out of the browser bundle (packages/web/lint/browserSafe.cjs).
const { findNodeOnlyImport, importsOf } = require('../lint/browserSafe.cjs') as {
  findNodeOnlyImport(entry: string, root: string): { spec: string; chain: string[] } | undefined;
  importsOf(text: string): string[];
};
const root = path.resolve(__dirname, '..', '..', '..');

describe('farzi/browser-safe', () => {
  it('finds a Node built-in however deep, through relative files and workspace packages', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-lint-'));
    try {
      const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(ws, file)), { recursive: true });
        fs.writeFileSync(path.join(ws, file), text);
      };
      write('package.json', '{"workspaces": ["packages/*"]}');
      write('packages/a/package.json', '{"name": "@x/a"}');
      write(
        'packages/a/src/browser.ts',
        "export { f } from './f';\nimport type { T } from './types';",
      );
      write('packages/a/src/f.ts', "import { g } from '@x/b';\nexport const f = g;");
      write('packages/a/src/types.ts', "import * as fs from 'fs';\nexport type T = typeof fs;");
      write('packages/b/package.json', '{"name": "@x/b"}');
      write('packages/b/src/index.ts', "export { g } from './g';");
      write(
        'packages/b/src/g.ts',
        "// import 'fs' in a comment does not count\nexport const g = () => require('node:os');",
      );
      const found = findNodeOnlyImport(path.join(ws, 'packages/a/src/browser.ts'), ws);
      expect(found?.spec).toBe('node:os');
      expect(found?.chain.map((f) => path.relative(ws, f))).toEqual([
        'packages/a/src/browser.ts',
        'packages/a/src/f.ts',
        'packages/b/src/index.ts',
        'packages/b/src/g.ts',
      ]);
      // A package with a browser entry is followed through it, not its index.
      write('packages/b/src/browser.ts', 'export const g = 1;');
      expect(findNodeOnlyImport(path.join(ws, 'packages/a/src/browser.ts'), ws)).toBeUndefined();
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('reads value imports only (type-only imports are erased)', () => {
    expect(
      importsOf(
        "import type { A } from 'fs';\nimport { b } from './b';\nexport * as c from './c';\nimport './d';\nexport type { E } from 'path';",
      ),
    ).toEqual(['./b', './c', './d']);
  });

  it('passes every browser entry of this workspace, and catches core’s Node index', () => {
    for (const entry of [
      'packages/core/src/browser.ts',
      'packages/distill-kit/src/browser.ts',
      'packages/distill-farzi/src/browser.ts',
      'packages/metrics/src/browser.ts',
      'packages/web/src/browser/page.ts',
    ])
      expect([entry, findNodeOnlyImport(path.join(root, entry), root)]).toEqual([entry, undefined]);
    expect(findNodeOnlyImport(path.join(root, 'packages/core/src/index.ts'), root)).toBeDefined();
  });
});
