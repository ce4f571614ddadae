/** A JSON Schema object (draft-07 as understood by ajv). Kept loose on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonSchema = Record<string, any>;
