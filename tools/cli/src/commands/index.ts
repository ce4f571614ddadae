import type { Command } from '../Command';
import { configShowCommand } from './configShow';
import { configSchemaCommand } from './configSchema';
import { datasetsListCommand } from './datasetsList';
import { datasetsStatsCommand } from './datasetsStats';
import { trainCommand } from './train';
import { distillCommand } from './distill';
import { evaluateCommand } from './evaluate';
import { analyzeCommand } from './analyze';
import { reportCommand } from './report';
import { demoCommand } from './demo';
import { datasetsFetchCommand } from './datasetsFetch';
import { recommendCommand } from './recommend';
import { exportCommand } from './export';
import { sweepCommand } from './sweep';
import { workerCommand } from './worker';
import { webCommand } from './web';
import { exportEvalCommand } from './exportEval';

/** Every command of the app, in the order `farzi --help` lists them. */
export const commands: Command[] = [
  demoCommand,
  trainCommand,
  distillCommand,
  evaluateCommand,
  recommendCommand,
  exportCommand,
  webCommand,
  exportEvalCommand,
  sweepCommand,
  workerCommand,
  analyzeCommand,
  reportCommand,
  datasetsStatsCommand,
  datasetsListCommand,
  datasetsFetchCommand,
  configShowCommand,
  configSchemaCommand,
];
