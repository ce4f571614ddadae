// Public API of @farzi/core. Import only from here.

// Errors
export { FarziError, UserError, RunError, isFarziError } from './errors/FarziError';

// Randomness
export { Rng } from './random/Rng';
export type { RngState } from './random/Rng';

// Dependency injection
export { TYPES } from './di/identifiers';
export { closestName, Registry } from './di/Registry';
export type { Named } from './contracts/Named';
export { coreModule } from './di/coreModule';
export { createContainer, resolveServices } from './di/createContainer';
export { definePlugin } from './di/definePlugin';
export type { PluginContents, FarziPlugin } from './di/definePlugin';
export type { Services } from './di/Services';

// Configuration
export type { JsonSchema } from './config/JsonSchema';
export type { ConfigSection } from './config/ConfigSection';
export type {
  ExperimentConfig,
  DataConfig,
  ModelConfig,
  TrainConfig,
  EvalConfig,
  OptimizerConfig,
  DistillSection,
} from './config/ExperimentConfig';
export { coreSections, optimizerSchema } from './config/coreSchema';
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
export { registerCpuKernels, registerWasmKernels } from './backend/registerKernels';
export { registerGradients } from './backend/gradients/registerGradients';
export { availableEmbeddedBackends, nativeKernelsAvailable } from './backend/wasmNative';

// Data
export type { InteractionLog } from './data/InteractionLog';
export { InteractionLogBuilder } from './data/InteractionLog';
export type {
  DataAdapter,
  InteractionAdapter,
  FilteringInteractionAdapter,
  EventFilters,
  CorpusAdapter,
  TextCorpus,
} from './data/DataAdapter';
export { Vocabulary, PAD, PAD_TOKEN } from './data/Vocabulary';
export { describeFunnel, funnelDropped, funnelLines, logStage, sequenceStage } from './data/funnel';
export type { FunnelStage } from './data/funnel';
export { printable, quoteField, quoteLine } from './data/lines';
export { KNOWN_DATASETS, knownDataset, locateDataset } from './data/knownDatasets';
export type { KnownDataset } from './data/knownDatasets';
export type {
  SequenceDataset,
  LeaveOneOutSplit,
  TokenSplit,
  DataSplit,
  EvalSet,
} from './data/Dataset';
export { builtInAdapters } from './data/adapters/builtInAdapters';
export { EOS } from './data/adapters/textCorpus';
export { filterMinRating, filterKCore } from './data/filters';
export { buildSequences } from './data/buildSequences';
export { leaveOneOut, tokenSplit } from './data/split';
export { loadData, loadSplit, fingerprintSplit, whyUserAbsent } from './data/loadData';
export {
  sequenceBatches,
  tokenBatches,
  leftPadded,
  writeLeftPadded,
  countSequenceExamples,
} from './data/batching';
export type { IdBatch, SequenceBatchOptions, TokenBatchOptions } from './data/batching';
export { sequenceStatistics, tokenStatistics } from './data/statistics';
export type { SequenceStatistics, TokenStatistics } from './data/statistics';

// Models, evaluation, distillation contracts
export type {
  Model,
  ModelFactory,
  ModelContext,
  Params,
  ApplyOptions,
  ModelDescription,
} from './model/Model';
export {
  describeModel,
  nonFiniteParameter,
  parameterMismatch,
  parameterShapes,
} from './model/Model';
export type { Evaluator, EvaluationRequest, EvaluationResult } from './eval/Evaluator';
export type {
  Distiller,
  DistillRequest,
  DistillResult,
  DistillSummary,
  DistillSummaryFile,
  SourceSpec,
} from './distill/Distiller';
export type { DistillTools } from './distill/DistillTools';
export { distillTools } from './distill/fromServices';

// Training
export type {
  Batch,
  TrainingSource,
  TrainingSourceFactory,
  TrainingSourceContext,
} from './train/TrainingSource';
export type { ProgressEvent, ProgressListener } from './train/progress';
export { sequenceSource, toTensorBatches } from './train/sources/realSource';
export {
  crossEntropy,
  fusedCrossEntropyAvailable,
  softCrossEntropy,
  sparseSoftmaxCrossEntropy,
} from './ops/losses';
export * as safeOps from './ops/safeOps';
export { embedTokens, paddingMask, tiedLogits } from './ops/embed';
export type { Optimizer, OptimizerState } from './optim/Optimizer';
export { clipByGlobalNorm, disposeState } from './optim/Optimizer';
export { adam, adamUpdate } from './optim/adam';
export type { AdamHyper } from './optim/adam';
export { sgd } from './optim/sgd';
export { createOptimizer, optimizerConfig } from './optim/createOptimizer';
export { Trainer, batchLoss } from './train/Trainer';
export type {
  TrainerOptions,
  TrainResult,
  EpochRecord,
  Validation,
  CheckpointStore,
} from './train/Trainer';
export { runUnits, validationDue } from './train/unitLoop';
export type { LoopBest, UnitLoop } from './train/unitLoop';
export { saveCheckpoint, loadCheckpoint } from './train/checkpoint';
export type { Checkpoint, CheckpointMeta } from './train/checkpoint';
export { readJsonFile, RunDirectory } from './train/RunDirectory';
export { NegativeProposal, nextItemLoss } from './train/outputLoss';
export { scoreAllItems, scoreItems, scoreOwnItems } from './ops/outputLayer';
export type { OutputLayer } from './ops/outputLayer';
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
export { eventLoopYielder } from './train/eventLoop';
export { smallDataRecipe } from './train/smallDataRecipe';
export { crc32c, encodeEventFile } from './io/tensorboard';
export type { ScalarEvent } from './io/tensorboard';
export {
  encodeSafetensors,
  decodeSafetensors,
  readSafetensors,
  writeSafetensors,
} from './io/safetensors';
export type { StoredTensor, SafetensorsContent } from './io/safetensors';
export { exportFiles } from './io/exportFormat';
export type { ExportFiles, ExportManifest } from './io/exportFormat';

// Contract checks for model tests
export {
  softVersusIdDifference,
  causalityViolation,
  countParameters,
  hessianVectorProductError,
  outputLayerPathDifference,
  leftPaddingDifference,
} from './model/contractChecks';
export {
  dense,
  glorotUniform,
  causalAttention,
  initAttention,
  initLayerNorm,
  seedSequence,
} from './nn/layers';
export type { AttentionOptions } from './nn/layers';
