#!/usr/bin/env node
'use strict';
// `npx farzi-new-model <name> [--out <dir>] [--description "<text>"]`: a model plugin package for
// your own project (outside this workspace). Inside the workspace use `npx nx g @farzi/generators:model`.
const { parseArgs } = require('util');
const path = require('path');
const usage = [
  'usage: farzi-new-model <name> [--out <dir>] [--description "<text>"]',
  '',
  'Creates <out>/models-<name>: a model plugin package (model, module, config schema and the',
  'model-contract tests of @farzi/core/testing), with @farzi/core and @tensorflow/tfjs as peer',
  'dependencies and its own build and test tools as devDependencies. Run it in a project that has',
  '@farzi/cli installed; then in the package: npm install, npm run build, npm test; then name it',
  'in a config\'s "plugins" (or pass --plugin <dir>).',
  '',
  'Options:',
  '  --out <dir>             where the package folder goes (default: the current folder)',
  '  --description "<text>"  one line describing the model',
  '  -h, --help              show this help',
  '',
].join('\n');
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string', default: '.' },
      description: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (error) {
  process.stderr.write(`farzi-new-model: ${error.message.split('\n')[0]}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
if (positionals.length !== 1) {
  process.stderr.write(usage);
  process.exit(2);
}
try {
  const { generateStandaloneModel } = require(
    path.join(__dirname, '..', 'dist', 'model', 'standalone.js'),
  );
  const dir = generateStandaloneModel(positionals[0], values.out, values.description);
  process.stdout.write(
    `created ${dir}\nin it: \`npm install\` (its build and test tools; @farzi/core and tfjs come from this project), ` +
      `\`npm run build\`, \`npm test\`; then add "plugins": ["${dir}"] to a config (or pass --plugin ${dir}).\n`,
  );
} catch (error) {
  process.stderr.write(`farzi-new-model: ${error.message}\n`);
  process.exit(2);
}
