// Shared by the *At.js scripts, which time or compare the code of a built checkout given as their
// first argument (e.g. a `git worktree` of an older commit): checks the argument count against the
// usage line, and resolves packages from that checkout instead of this one.
// atCheckout('outerStepAt.js', 'V MU XI …') → { root, req, args } (args: the numbers after ROOT).
module.exports = function atCheckout(script, params) {
  const names = params.split(' ').filter(Boolean);
  if (process.argv.length !== 3 + names.length) {
    process.stderr.write(`usage: node tools/bench/scripts/${script} ROOT ${names.join(' ')}\n`);
    process.exit(2);
  }
  const root = process.argv[2];
  const req = (m) => require(require.resolve(m, { paths: [root] }));
  return { root, req, args: process.argv.slice(3).map(Number) };
};
