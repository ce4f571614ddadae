// Public API of @farzi/data-duckdb.
export { dataDuckdbModule } from './dataDuckdbModule';
export { eventLogAdapter } from './eventLogAdapter';
export { readEventLog } from './readEventLog';
export type { EventLogOptions } from './source';
