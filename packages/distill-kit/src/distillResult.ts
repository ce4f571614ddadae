import * as fs from 'fs';
import * as path from 'path';
import type { DistillResult, DistillSummary, RunDirectory } from '@farzi/core';
import { writeDistillMetrics } from './distillMetrics';

/**
 * How a distillation ends, whatever the method: its result names the training source that reads
 * `dataFile` (and the step-0 data, when `step0File` was kept in the run directory), and the run's
 * `summary.json` holds the same with the per-step `history` (what the report and benchmarks read),
 * also written as `metrics.csv` and TensorBoard scalars, as a training run's.
 */
export function finishDistillation<Details extends object>(
  run: RunDirectory,
  summary: DistillSummary<Details>,
  dataFile: string,
  sourceName: string,
  step0File: string,
  history: readonly unknown[],
): DistillResult<Details> {
  const source = { name: sourceName, path: path.resolve(dataFile) };
  const step0 = path.resolve(run.file(step0File));
  const initialSource = fs.existsSync(step0) ? { ...source, path: step0 } : undefined;
  const sources = { source, ...(initialSource ? { initialSource } : {}) };
  run.writeJson('summary.json', { ...summary, ...sources, history });
  writeDistillMetrics(run, history);
  return { dataFile: source.path, ...sources, summary };
}
