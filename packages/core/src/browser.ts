// @farzi/core in a browser: everything of the public API (index.ts) that needs no file system,
// native module or process. Bundlers take this file for `@farzi/core` (package.json "browser");
// the `farzi/browser-safe` lint rule checks that nothing it reaches imports a Node built-in.

import './backend/tfjs';

export { FarziError, UserError, RunError, isFarziError } from './errors/FarziError';
export { Rng } from './random/Rng';
export type { RngState } from './random/Rng';
export { TYPES } from './di/identifiers';
export { closestName, Registry } from './di/Registry';
export type { Named } from './contracts/Named';
export { definePlugin } from './di/definePlugin';
export type { PluginContents, FarziPlugin } from './di/definePlugin';
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
export { optimizerSchema } from './config/optimizerSchema';

// Compute backends: the upstream ones with the project's kernels and gradients
export { registerCpuKernels, registerWasmKernels } from './backend/registerKernels';
export { registerGradients } from './backend/gradients/registerGradients';

// Data in memory
export type { InteractionLog } from './data/InteractionLog';
export type {
  DataAdapter,
  InteractionAdapter,
  CorpusAdapter,
  TextCorpus,
} from './data/DataAdapter';
export { Vocabulary, PAD, PAD_TOKEN } from './data/Vocabulary';
export { describeFunnel, funnelDropped, funnelLines, logStage, sequenceStage } from './data/funnel';
export type { FunnelStage } from './data/funnel';
export type {
  SequenceDataset,
  LeaveOneOutSplit,
  TokenSplit,
  DataSplit,
  EvalSet,
} from './data/Dataset';
export {
  sequenceBatches,
  tokenBatches,
  leftPadded,
  writeLeftPadded,
  countSequenceExamples,
} from './data/batching';
export type { IdBatch, SequenceBatchOptions, TokenBatchOptions } from './data/batching';

// Models and evaluation contracts
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
export type { Distiller } from './distill/Distiller';

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
export { fusedSoftCrossEntropyAvailable, softCrossEntropyRows } from './ops/softCrossEntropy';
export { fusedMaskedSoftmaxAvailable, maskedSoftmax } from './ops/maskedSoftmax';
export * as safeOps from './ops/safeOps';
export { embedTokens, paddingMask, tiedLogits } from './ops/embed';
export type { Optimizer, OptimizerState } from './optim/Optimizer';
export { clipByGlobalNorm, disposeState } from './optim/Optimizer';
export { adam, adamUpdate } from './optim/adam';
export { adamAdjoint, adamRestore } from './optim/adamReverse';
export type { AdamAdjoint, AdamRestore } from './optim/adamReverse';
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
export type { Checkpoint, CheckpointMeta } from './train/checkpointMeta';
export { NegativeProposal, nextItemLoss } from './train/outputLoss';
export { scoreAllItems, scoreItems, scoreOwnItems } from './ops/outputLayer';
export type { OutputLayer } from './ops/outputLayer';
export { eventLoopYielder } from './train/eventLoop';

// Files' layouts in memory
export { encodeSafetensors, decodeSafetensors } from './io/safetensorsFormat';
export type { StoredTensor, SafetensorsContent } from './io/safetensorsFormat';
export { exportFiles } from './io/exportFormat';
export type { ExportFiles, ExportManifest } from './io/exportFormat';

// Layers
export {
  dense,
  glorotUniform,
  causalAttention,
  initAttention,
  initLayerNorm,
  seedSequence,
} from './nn/layers';
export type { AttentionOptions } from './nn/layers';
