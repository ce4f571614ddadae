import * as fs from 'fs';
import {
  DistillRequest,
  DistillSummary,
  fingerprintSplit,
  ProgressListener,
  RunDirectory,
} from '@farzi/core';

// How every distillation starts in its run directory, whatever the method: the run prepared (or
// resumed) with the outer-step count free to change, its events logged, and data.json (the source
// data, its funnel and the budget) written.

/**
 * Prepares the run directory: a fresh run, or a resume of one made with the same config (the
 * number of outer steps may change). Before the first outer step is saved, the config alone makes
 * a run resumable when it has work to continue (`derived`: files of a killed run's preparation —
 * trajectories, a teacher, a student pool); a run that failed before any starts over.
 */
export function prepareDistillRun(
  request: DistillRequest,
  run: RunDirectory,
  stateFile: string,
  derived: readonly string[],
): void {
  const started = fs.existsSync(stateFile) || derived.some((f) => fs.existsSync(run.file(f)));
  run.prepare(
    request.config,
    request.resume,
    (c) => {
      delete (c.distill as Record<string, unknown>).outerSteps;
    },
    started ? (fs.existsSync(stateFile) ? stateFile : run.file('config.json')) : stateFile,
    (saved) => request.tools.validateConfig(saved, run.file('config.json')),
  );
}

/** Logs every event but the per-step ones to the run's log.jsonl, and passes all to the caller. */
export function distillLogger(request: DistillRequest, run: RunDirectory): ProgressListener {
  return (event) => {
    if (event.type !== 'step') run.appendLog(event);
    request.onProgress?.(event);
  };
}

/** A [μ×ξ] budget against the real training events it summarises. */
export function distillBudget(
  size: readonly [number, number],
  sequences: readonly Int32Array[],
): DistillSummary['budget'] {
  const [mu, xi] = size;
  const realEvents = sequences.reduce((n, s) => n + s.length, 0);
  return {
    sequences: mu,
    length: xi,
    events: mu * xi,
    percentOfTraining: (100 * mu * xi) / realEvents,
    realTrainingEvents: realEvents,
  };
}

/** data.json of a distillation: the source data, its fingerprint and funnel, and the budget. */
export function writeDistillData(
  run: RunDirectory,
  request: DistillRequest,
  budget: DistillSummary['budget'],
): void {
  const { config, split } = request;
  run.writeJson('data.json', {
    format: config.data.format,
    path: config.data.path,
    fingerprint: fingerprintSplit(split),
    ...(split.kind === 'leave-one-out' && split.funnel ? { funnel: split.funnel } : {}),
    budget,
  });
}
