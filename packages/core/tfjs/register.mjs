// What @tensorflow/tfjs-core's CommonJS build leaves out and the @tensorflow/tfjs umbrella adds:
// the gradients of its ops and the chained ops (x.add(y), …). Bundlers (the browser page, users'
// bundlers through package.json "browser") take this ES module as it is; Node loads
// register.cjs, which scripts/bundleTfjsRegister.js builds from it at install (npm ci / prepare).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
