import { TYPES } from '@farzi/core';
import type { DataAdapter } from '@farzi/core';
import { ContainerModule } from 'inversify';
import { eventLogAdapter } from './eventLogAdapter';

/** Registers the `event-log` data format (DuckDB) with core. */
export const dataDuckdbModule = new ContainerModule(({ bind }) => {
  bind<DataAdapter>(TYPES.DataAdapter).toConstantValue(eventLogAdapter);
});
