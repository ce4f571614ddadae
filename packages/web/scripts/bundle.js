#!/usr/bin/env node
// Builds the page into dist/site: app.js (esbuild, platform "browser", from the TypeScript sources
// of the workspace packages through their browser entries), index.html, style.css and the
// tfjs-backend-wasm binaries under wasm/. esbuild fails on any Node built-in it meets, so Node-only
// code cannot reach the bundle. Writes dist/site/bundle.json (sizes) for the README and BENCHMARKS.
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const here = path.resolve(__dirname, '..');
const root = path.resolve(here, '..', '..');
const out = path.join(here, 'dist', 'site');

/** `@farzi/<name>` → the package's src/browser.ts when it has one, else src/index.ts. */
const workspaceBrowserEntries = {
  name: 'farzi-browser-entries',
  setup(build) {
    const dirs = new Map();
    for (const group of ['packages', 'tools'])
      for (const name of fs.readdirSync(path.join(root, group))) {
        const manifest = path.join(root, group, name, 'package.json');
        if (fs.existsSync(manifest)) dirs.set(require(manifest).name, path.join(root, group, name));
      }
    build.onResolve({ filter: /^@farzi\// }, (args) => {
      const dir = dirs.get(args.path);
      if (!dir) return undefined;
      const browser = path.join(dir, 'src', 'browser.ts');
      return { path: fs.existsSync(browser) ? browser : path.join(dir, 'src', 'index.ts') };
    });
  },
};

/** Writes a file by renaming a complete temporary one over it: a server reading the site while
 * the page is rebuilt (a test rebuilds it) never sees half a file. */
function put(file, bytes) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

async function main() {
  fs.mkdirSync(path.join(out, 'wasm'), { recursive: true });
  const result = await esbuild.build({
    entryPoints: [path.join(here, 'src', 'browser', 'page.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    outfile: path.join(out, 'app.js'),
    write: false,
    plugins: [workspaceBrowserEntries],
    tsconfig: path.join(root, 'tsconfig.base.json'),
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'warning',
  });
  for (const file of result.outputFiles) put(file.path, file.contents);
  for (const file of ['index.html', 'style.css'])
    put(path.join(out, file), fs.readFileSync(path.join(here, 'site', file)));
  const wasmDir = path.join(
    path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    'dist',
  );
  for (const file of fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')))
    put(path.join(out, 'wasm', file), fs.readFileSync(path.join(wasmDir, file)));
  const inputs = Object.keys(result.metafile.inputs);
  const sizes = {
    'app.js': fs.statSync(path.join(out, 'app.js')).size,
    wasm: Object.fromEntries(
      fs
        .readdirSync(path.join(out, 'wasm'))
        .map((f) => [f, fs.statSync(path.join(out, 'wasm', f)).size]),
    ),
    inputs: inputs.length,
    workspaceFiles: inputs
      .filter((f) => !f.includes('node_modules'))
      .map((f) => path.relative(root, path.resolve(f))),
  };
  put(path.join(out, 'bundle.json'), `${JSON.stringify(sizes, null, 2)}\n`);
  console.log(
    `@farzi/web: site in ${path.relative(root, out)} (app.js ${(sizes['app.js'] / 1e6).toFixed(2)} MB)`,
  );
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
