import { definePlugin } from '@farzi/core';
import { eventLogAdapter } from './eventLogAdapter';

/** Registers the `event-log` data format (DuckDB) with core. */
export const dataDuckdbModule = definePlugin({ adapters: [eventLogAdapter] });
