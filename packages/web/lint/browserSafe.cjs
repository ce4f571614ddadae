// ESLint rule `farzi/browser-safe`: a browser entry (a package's `src/browser.ts`, or any file under
// a `src/browser/` folder) and every module it reaches (relative imports, and `@farzi/*` packages
// through their own browser entry when they have one) may not import a Node built-in or a Node-only
// package. Type-only imports are erased by the compiler and do not count. The browser bundle's
// build (esbuild, platform "browser") is the second check: it fails on any Node built-in it meets.
'use strict';
const fs = require('fs');
const path = require('path');
const { builtinModules } = require('module');

const NODE_ONLY_PACKAGES = [
  '@duckdb/',
  'bullmq',
  'ioredis',
  '@farzi/kernels-native',
  '@farzi/data-duckdb',
  '@farzi/cli',
  '@farzi/bench',
  '@tensorflow/tfjs-node',
  'puppeteer-core',
  'esbuild',
];

function isNodeOnly(spec) {
  if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) return true;
  return NODE_ONLY_PACKAGES.some(
    (p) => spec === p || spec.startsWith(p.endsWith('/') ? p : `${p}/`),
  );
}

/** Value imports of a TypeScript file: `import … from`, `export … from`, `import '…'`, `require('…')`. */
function importsOf(text) {
  const specs = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const statement =
    /(?:^|;|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
  for (let m; (m = statement.exec(code));) if (!m[2]) specs.push(m[4]);
  const bare = /(?:^|;|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (let m; (m = bare.exec(code));) specs.push(m[1]);
  const required = /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m; (m = required.exec(code));) specs.push(m[1]);
  return specs;
}

/** The workspace's packages by name → their folder, found from the root package.json's workspaces. */
function workspacePackages(root) {
  const out = new Map();
  for (const group of ['packages', 'tools']) {
    const dir = path.join(root, group);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const manifest = path.join(dir, name, 'package.json');
      if (fs.existsSync(manifest))
        out.set(JSON.parse(fs.readFileSync(manifest, 'utf8')).name, path.join(dir, name));
    }
  }
  return out;
}

function resolveRelative(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * Walks the modules `entry` reaches and returns the first Node-only import as
 * `{ spec, chain }` (chain: the files from the entry to the importing one), or undefined.
 */
function findNodeOnlyImport(entry, root) {
  const packages = workspacePackages(root);
  const seen = new Set([entry]);
  const queue = [[entry, [entry]]];
  while (queue.length) {
    const [file, chain] = queue.shift();
    for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
      if (isNodeOnly(spec)) return { spec, chain };
      let next;
      if (spec.startsWith('.')) next = resolveRelative(file, spec);
      else {
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : spec.split('/')[0];
        const dir = packages.get(name);
        if (dir) {
          const browser = path.join(dir, 'src', 'browser.ts');
          next = fs.existsSync(browser) ? browser : path.join(dir, 'src', 'index.ts');
        }
      }
      if (next && !seen.has(next)) {
        seen.add(next);
        queue.push([next, [...chain, next]]);
      }
    }
  }
  return undefined;
}

function workspaceRoot(file) {
  let dir = path.dirname(file);
  while (dir !== path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).workspaces)
      return dir;
    dir = path.dirname(dir);
  }
  return path.dirname(file);
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'browser entries reach no Node built-in or Node-only package' },
    schema: [],
    messages: {
      nodeOnly:
        'browser code reaches the Node-only import "{{spec}}" through {{chain}}; keep file-system, native and server code out of what a browser entry imports',
    },
  },
  create(context) {
    const file = context.filename ?? context.getFilename();
    return {
      Program(node) {
        const root = workspaceRoot(file);
        const found = findNodeOnlyImport(file, root);
        if (found) {
          context.report({
            node,
            messageId: 'nodeOnly',
            data: {
              spec: found.spec,
              chain: found.chain.map((f) => path.relative(root, f)).join(' → '),
            },
          });
        }
      },
    };
  },
};

module.exports = { rule, findNodeOnlyImport, importsOf, isNodeOnly };
