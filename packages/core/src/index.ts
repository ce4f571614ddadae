// Public API of @farzi/core. Import only from here. Everything a browser can use is in browser.ts
// (the package's browser entry); this file adds what needs Node (files, native kernels, processes).
export * from './browser';

// Dependency injection

export { coreModule } from './di/coreModule';
export { createContainer, resolveServices } from './di/createContainer';

export type { Services } from './di/Services';

// Configuration

export { coreSections } from './config/coreSchema';
export { readConfigFile, applyOverrides, forbiddenKeyPath } from './config/readConfigFile';
export {
  validateConfig,
  validateDataConfig,
  topLevelSchema,
  fullConfigSchema,
} from './config/validateConfig';
export type { ConfigContext } from './config/validateConfig';
export { formatAjvErrors, describeSchema, toDottedPath } from './config/formatErrors';

// Compute backends
export { selectBackend, BACKEND_NAMES } from './backend/selectBackend';
export type { BackendName, SelectedBackend } from './backend/selectBackend';

export {
  availableEmbeddedBackends,
  nativeEnvironment,
  nativeKernelsAvailable,
} from './backend/wasmNative';

// Data

export { InteractionLogBuilder } from './data/InteractionLog';
export type { FilteringInteractionAdapter, EventFilters } from './data/DataAdapter';

export { printable, quoteField, quoteLine } from './data/lines';
export { KNOWN_DATASETS, knownDataset, locateDataset } from './data/knownDatasets';
export type { KnownDataset } from './data/knownDatasets';

export { builtInAdapters } from './data/adapters/builtInAdapters';
export { EOS } from './data/adapters/textCorpus';
export { filterMinRating, filterKCore } from './data/filters';
export { buildSequences } from './data/buildSequences';
export { leaveOneOut, tokenSplit } from './data/split';
export { loadData, loadSplit, fingerprintSplit, whyUserAbsent } from './data/loadData';

export { sequenceStatistics, tokenStatistics } from './data/statistics';
export type { SequenceStatistics, TokenStatistics } from './data/statistics';

// Models, evaluation, distillation contracts

export type {
  DistillRequest,
  DistillResult,
  DistillSummary,
  DistillSummaryFile,
  SourceSpec,
} from './distill/Distiller';
export type { DistillTools } from './distill/DistillTools';
export { distillTools } from './distill/fromServices';

// Training

export { runUnits, validationDue } from './train/unitLoop';
export type { LoopBest, UnitLoop } from './train/unitLoop';
export { saveCheckpoint, loadCheckpoint } from './train/checkpoint';

export { readJsonFile, RunDirectory } from './train/RunDirectory';

export { runTraining, createModel, createSource, findEvaluator } from './train/runTraining';
export type { RunTrainingOptions, TrainingReport } from './train/runTraining';

// Files
export {
  processAlive,
  removeStaleTemporaryFiles,
  writeFileAtomic,
  writeFully,
  writeJsonAtomic,
} from './io/atomicWrite';
export { checkWritableDirectory, checkWritableFile, makeDirectory } from './io/directories';
export { errorCode, ioFailure } from './io/ioErrors';
export { RunLock } from './io/runLock';

export { smallDataRecipe } from './train/smallDataRecipe';
export { crc32c, encodeEventFile } from './io/tensorboard';
export type { ScalarEvent } from './io/tensorboard';
export { readSafetensors, writeSafetensors } from './io/safetensors';

// Contract checks for model tests
export {
  softVersusIdDifference,
  causalityViolation,
  countParameters,
  hessianVectorProductError,
  outputLayerPathDifference,
  leftPaddingDifference,
} from './model/contractChecks';
