// Public API of @farzi/web: the page's prebuilt site and its server (Node), and the browser-safe
// parts the page runs, for Node callers that want the same results (tests, `farzi export-eval`).
export { siteDirectory, writeSite, serveSite } from './site';
export type { SiteFiles, ServedSite } from './site';
export { studentDefaults, checkSettings, trainOnFarziData, studentModels } from './browser/student';
export type { StudentSettings, TrainedStudent } from './browser/student';
export { EVAL_SAMPLE_FORMAT, evaluateOnSample, parseEvalSample } from './browser/evalSample';
export type { EvalSample, SampleResult } from './browser/evalSample';
export { crc32, storedZip } from './browser/zip';
