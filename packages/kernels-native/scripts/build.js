#!/usr/bin/env node
// Install step of @farzi/kernels-native: builds the OpenBLAS addon with node-gyp. A missing
// toolchain or OpenBLAS must not fail the install: the wasm backend then runs without it, and the
// reason is kept in build/unavailable.txt for the one log line at backend selection.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const reasonFile = path.join(root, 'build', 'unavailable.txt');

function nodeGyp() {
  // npm passes its bundled node-gyp to lifecycle scripts; outside npm, look next to npm.
  if (process.env.npm_config_node_gyp) return [process.execPath, process.env.npm_config_node_gyp];
  const candidates = [
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    '/usr/share/nodejs/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  return found ? [process.execPath, found] : ['node-gyp'];
}

if (process.env.FARZI_SKIP_NATIVE) {
  fs.mkdirSync(path.dirname(reasonFile), { recursive: true });
  fs.writeFileSync(reasonFile, 'FARZI_SKIP_NATIVE was set at install time\n');
  console.log('@farzi/kernels-native: skipped (FARZI_SKIP_NATIVE)');
  process.exit(0);
}
// Use the headers installed with Node (e.g. Debian's nodejs) instead of downloading them.
function nodeDirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))
    ? [`--nodedir=${prefix}`]
    : [];
}

const [cmd, ...args] = nodeGyp();
const result = spawnSync(cmd, [...args, 'rebuild', ...nodeDirArgs()], {
  cwd: root,
  encoding: 'utf8',
});
if (result.status === 0) {
  fs.rmSync(reasonFile, { force: true });
  console.log('@farzi/kernels-native: built the OpenBLAS matmul addon');
} else {
  const log = `${result.stdout || ''}\n${result.stderr || ''}`;
  const missingBlas =
    /cblas\.h|lopenblas|openblas/i.test(log) && /No such file|cannot find|not found/i.test(log);
  const reason = result.error
    ? `node-gyp could not run (${result.error.message})`
    : missingBlas
      ? 'OpenBLAS was not found at install time (on Debian/Ubuntu: apt-get install libopenblas-dev, then npm rebuild @farzi/kernels-native)'
      : `the addon did not compile (node-gyp exit ${result.status}; needs a C compiler, make and python3)`;
  fs.mkdirSync(path.dirname(reasonFile), { recursive: true });
  fs.writeFileSync(reasonFile, `${reason}\n\n${log.slice(-4000)}`);
  console.log(`@farzi/kernels-native: not built: ${reason}. The wasm backend works without it.`);
}
