#!/usr/bin/env node
'use strict';
// Entry point of `npx farzi`. The compiled app lives in ../dist (built by `npm ci` through the
// workspace's prepare script, or by `npm run build`).
const path = require('path');
const fs = require('fs');
const main = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write(
    'farzi is not built yet: run `npm run build` at the repository root (npm ci does it too).\n',
  );
  process.exit(1);
}
require(main)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
