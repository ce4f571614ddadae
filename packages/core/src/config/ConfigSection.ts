import type { Named } from '../contracts/Named';
import type { JsonSchema } from './JsonSchema';

/** A top-level config section contributed by a plugin, e.g. `distill`. */
export interface ConfigSection extends Named {
  readonly description: string;
  readonly schema: JsonSchema;
}
