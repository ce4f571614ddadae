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
// A run started by a sweep or a worker ends when that process dies (its IPC channel closes), so that
// a killed worker leaves no orphan training behind (training yields to the event loop to notice).
// Also checked once a second: a parent that died leaves this process re-parented (another ppid).
if (process.env.FARZI_EXIT_WITH_PARENT && process.send) {
  process.on('disconnect', () => process.exit(1));
  process.channel.unref(); // the channel alone does not keep the run alive
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 1000).unref();
}
require(main)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
    // The command is over: a connection still retrying (a Redis that is gone) or a library's
    // timer must not keep the process alive.
    setTimeout(() => process.exit(code), 2000).unref();
  });
