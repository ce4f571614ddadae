import type { Command } from '../Command';
import { configShowCommand } from './configShow';
import { datasetsListCommand } from './datasetsList';
import { datasetsStatsCommand } from './datasetsStats';

/** Every command of the app, in the order `farzi --help` lists them. */
export const commands: Command[] = [datasetsStatsCommand, datasetsListCommand, configShowCommand];
