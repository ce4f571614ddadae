import { createHmac, timingSafeEqual } from 'crypto';
import * as fs from 'fs';
import { printable, UserError } from '@farzi/core';
import { canonicalJson, Trial } from './sweepFile';
import type { TrialResult } from './trialRunner';

/**
 * Jobs and results on the queue are signed with a secret every coordinator and worker of a fleet
 * shares (HMAC-SHA256 over the queue, the job id and the canonical JSON of what is carried): a
 * worker runs only jobs a coordinator holding the secret put there, and a coordinator records
 * only results a worker holding it sent (docs/security.md).
 */
export const SECRET_ENV = 'FARZI_QUEUE_SECRET';
export const SECRET_FILE_ENV = 'FARZI_QUEUE_SECRET_FILE';

/** The shared secret: --queue-secret-file, then $FARZI_QUEUE_SECRET_FILE, then $FARZI_QUEUE_SECRET. */
export function readQueueSecret(file: string | undefined): Buffer {
  const from = file ?? process.env[SECRET_FILE_ENV];
  let secret: string | undefined;
  let where: string;
  if (from !== undefined && from !== '') {
    where = `--queue-secret-file ${from}`;
    try {
      if (fs.statSync(from).size > 4096)
        throw new UserError(`${where}: larger than 4 KB; expected a secret of one line.`);
      secret = fs.readFileSync(from, 'utf8').trim();
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`${where}: cannot read it (${(error as Error).message.split('\n')[0]}).`);
    }
  } else {
    where = `$${SECRET_ENV}`;
    secret = process.env[SECRET_ENV]?.trim();
  }
  if (!secret) {
    throw new UserError(
      'a queue needs the fleet’s shared secret, so that workers run only trials a coordinator of yours queued: ' +
        `--queue-secret-file <file> (or $${SECRET_FILE_ENV} / $${SECRET_ENV}), the same on every machine; ` +
        'make one with `openssl rand -hex 32 > queue.secret` and keep it readable by you only.',
    );
  }
  if (secret.length < 16) {
    throw new UserError(
      `${where}: the secret has ${secret.length} characters; use at least 16 (e.g. openssl rand -hex 32).`,
    );
  }
  return Buffer.from(secret, 'utf8');
}

function mac(secret: Buffer, kind: string, queue: string, jobId: string, payload: unknown): string {
  return createHmac('sha256', secret)
    .update(`farzi-${kind}\n${queue}\n${jobId}\n${canonicalJson(payload)}`)
    .digest('hex');
}

function sameMac(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}

/** What a job carries: the trial, the coordinator's sweep folder (a label) and the signature. */
export interface SignedJob {
  trial: Trial;
  sweep: string;
  mac: string;
}

export function signJob(
  secret: Buffer,
  queue: string,
  jobId: string,
  trial: Trial,
  sweep: string,
): SignedJob {
  return { trial, sweep, mac: mac(secret, 'job', queue, jobId, { trial, sweep }) };
}

/** A job's trial, if it was signed with the secret for this queue and job id; otherwise an error. */
export function verifyJob(
  secret: Buffer,
  queue: string,
  jobId: string | undefined,
  data: unknown,
): Trial {
  const job = data as Partial<SignedJob> | null;
  if (!job || typeof job !== 'object' || typeof job.mac !== 'string') {
    throw new UserError(
      'refused an unsigned job (not queued by a coordinator holding this fleet’s secret)',
    );
  }
  const expected = mac(secret, 'job', queue, String(jobId), { trial: job.trial, sweep: job.sweep });
  if (!sameMac(expected, job.mac)) {
    throw new UserError(
      'refused a job whose signature does not match (forged, altered, or signed with another secret)',
    );
  }
  return job.trial as Trial;
}

/** What a completed job returns: the result and the worker's signature. */
export interface SignedResult {
  result: TrialResult;
  mac: string;
}

export function signResult(
  secret: Buffer,
  queue: string,
  jobId: string,
  result: TrialResult,
): SignedResult {
  return { result, mac: mac(secret, 'result', queue, jobId, result) };
}

/**
 * A worker's result for `trial`, if it is signed and well-formed: the trial's own id and settings,
 * a known status, finite metrics and short printable text. Anything else is an error naming why.
 */
export function verifyResult(
  secret: Buffer,
  queue: string,
  jobId: string,
  trial: Trial,
  value: unknown,
): TrialResult {
  const signed = value as Partial<SignedResult> | null;
  if (!signed || typeof signed !== 'object' || !signed.result || typeof signed.mac !== 'string') {
    throw new Error('the job returned no signed result');
  }
  if (!sameMac(mac(secret, 'result', queue, jobId, signed.result), signed.mac)) {
    throw new Error(
      'the result’s signature does not match (forged, altered, or signed with another secret)',
    );
  }
  const r = signed.result as unknown as Record<string, unknown>;
  if (r.id !== trial.id)
    throw new Error(`the result is for trial ${printable(String(r.id), 40)}, not ${trial.id}`);
  if (r.status !== 'done' && r.status !== 'failed')
    throw new Error('the result has no valid status');
  const metrics = (part: string): Record<string, number> | undefined => {
    const m = r[part];
    if (m === undefined || m === null) return undefined;
    if (typeof m !== 'object' || Array.isArray(m))
      throw new Error(`the result's ${part} metrics are not a table`);
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (!/^[A-Za-z][\w@.\-/]{0,40}$/.test(k) || typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(
          `the result's ${part} metric ${printable(JSON.stringify(k), 50)} is not a finite number`,
        );
      }
      out[k] = v;
    }
    return out;
  };
  const finite = (key: string, min = 0): number | undefined => {
    const v = r[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
      throw new Error(`the result's ${key} is not a finite number`);
    return v;
  };
  const text = (key: string, limit: number): string => printable(String(r[key] ?? ''), limit);
  return {
    id: trial.id,
    settings: trial.settings,
    status: r.status,
    ...(r.valid !== undefined ? { valid: metrics('valid') } : {}),
    ...(r.test !== undefined ? { test: metrics('test') } : {}),
    bestEpoch: r.bestEpoch === null ? null : finite('bestEpoch'),
    trainSeconds: finite('trainSeconds'),
    seconds: finite('seconds') ?? 0,
    attempts: Math.round(finite('attempts', 0) ?? 0),
    runDir: text('runDir', 500),
    host: text('host', 200),
    ...(r.error !== undefined ? { error: text('error', 1000) } : {}),
  };
}
