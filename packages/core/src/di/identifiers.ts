/**
 * Service identifiers for everything plugins contribute. Plugins bind their implementations under
 * these symbols in their `ContainerModule`; several bindings under one identifier are collected into
 * a named registry.
 */
export const TYPES = {
  /** A `ModelFactory`: one per registered model architecture. */
  ModelFactory: Symbol.for('farzi.ModelFactory'),
  /** A `DataAdapter`: one per data format. */
  DataAdapter: Symbol.for('farzi.DataAdapter'),
  /** A `TrainingSourceFactory`: real sequences, Farzi Data, sampled subsets, … */
  TrainingSourceFactory: Symbol.for('farzi.TrainingSourceFactory'),
  /** An `Evaluator`: computes validation/test metrics for the trainer and reports. */
  Evaluator: Symbol.for('farzi.Evaluator'),
  /** A `Distiller`: a data-distillation method. */
  Distiller: Symbol.for('farzi.Distiller'),
  /** A `ConfigSection`: the JSON Schema of a top-level config section a plugin owns. */
  ConfigSection: Symbol.for('farzi.ConfigSection'),
  /** The registries core builds from the bindings above. */
  ModelRegistry: Symbol.for('farzi.ModelRegistry'),
  DataAdapterRegistry: Symbol.for('farzi.DataAdapterRegistry'),
  TrainingSourceRegistry: Symbol.for('farzi.TrainingSourceRegistry'),
  EvaluatorRegistry: Symbol.for('farzi.EvaluatorRegistry'),
  DistillerRegistry: Symbol.for('farzi.DistillerRegistry'),
} as const;
