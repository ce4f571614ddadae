#!/usr/bin/env node
// Builds tfjs/register.cjs from tfjs/register.mjs: tfjs-core's gradients and chained ops as one
// CommonJS file for Node and Jest (tfjs-core ships them only as ES modules, which `require` cannot
// load). Like the @tensorflow/tfjs umbrella's own bundle, the file carries a copy of the core
// modules those registrations use; tfjs-core keeps its engine and its kernel and gradient
// registries in one global, so the copy registers into and runs on the same engine as
// `require('@tensorflow/tfjs-core')`. Written atomically: a reader never sees half a file.
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const dir = path.resolve(__dirname, '..', 'tfjs');
const outfile = path.join(dir, 'register.cjs');

const result = esbuild.buildSync({
  entryPoints: [path.join(dir, 'register.mjs')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  write: false,
  outfile,
  legalComments: 'none',
  logLevel: 'warning',
});
const tmp = `${outfile}.${process.pid}.tmp`;
fs.writeFileSync(tmp, result.outputFiles[0].contents);
fs.renameSync(tmp, outfile);
