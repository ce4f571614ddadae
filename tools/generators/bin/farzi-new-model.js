#!/usr/bin/env node
'use strict';
// `npx farzi-new-model <name> [--out <dir>] [--description "<text>"]`: a model plugin package for
// your own project (outside this workspace). Inside the workspace use `npx nx g @farzi/generators:model`.
const { parseArgs } = require('util');
const path = require('path');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: '.' }, description: { type: 'string' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: farzi-new-model <name> [--out <dir>] [--description "<text>"]\n');
  process.exit(2);
}
try {
  const { generateStandaloneModel } = require(
    path.join(__dirname, '..', 'dist', 'model', 'standalone.js'),
  );
  const dir = generateStandaloneModel(positionals[0], values.out, values.description);
  process.stdout.write(
    `created ${dir}\nbuild it with \`npx tsc -p ${dir}\`, then add "plugins": ["${dir}"] to a config (or pass --plugin ${dir}).\n`,
  );
} catch (error) {
  process.stderr.write(`farzi-new-model: ${error.message}\n`);
  process.exit(2);
}
