// The project depends on @tensorflow/tfjs-core and the backends it uses, not on the
// @tensorflow/tfjs umbrella (whose layers, converter, data and WebGL packages it never loads).
// What the umbrella added and the code needs: the CPU backend, and tfjs-core's gradients and
// chained ops (x.add(y)), which tfjs-core's CommonJS build leaves out — tfjs/register.cjs, built
// from tfjs/register.mjs at install (scripts/bundleTfjsRegister.js); bundlers take the .mjs through
// package.json "browser". Imported first by the package's entries (browser.ts, so index.ts too;
// testing/index.ts).
import '@tensorflow/tfjs-backend-cpu';
import '../../tfjs/register.cjs';
