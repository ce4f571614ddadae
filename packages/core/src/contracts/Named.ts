/** Anything registered by name (a model, a data format, an evaluator, a distiller, …). */
export interface Named {
  readonly name: string;
}
