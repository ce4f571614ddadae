import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { nativeEnvironment } from '@farzi/core';
import type { DistillRow } from './outerStep';
import type { TrainingRow } from './throughput';

// The PyTorch twins of ../shared/peers (a SASRec training step; a plain Farzi outer step with
// unrolled differentiable Adam), timed in the same run as our rows so that every speed claim is a
// ratio measured on one machine at one time. Without torch in /usr/bin/python3 the run says so.

export interface PeerRow {
  /** `sasrec-step` or `farzi-outer-step`. */
  readonly what: string;
  /** The case, as our rows name it (`ml100k`, `ml100k-10x50`, …). */
  readonly setting: string;
  /** Median seconds per step (SASRec) or mean seconds per outer step over 20 steps (Farzi). */
  readonly seconds: number;
  /**
   * The same with our OpenBLAS settings (`OPENBLAS_DEFAULTS`: PyTorch's OpenBLAS spins too), when
   * the user's environment did not already have them; `seconds` is PyTorch as installed.
   */
  readonly secondsOurSettings?: number;
  readonly command: string;
}

export interface PeerRun {
  readonly rows: PeerRow[];
  /** What ran, or why nothing did (e.g. "no torch in /usr/bin/python3"). */
  readonly note: string;
}

const PYTHON = '/usr/bin/python3';

/** torch's version in /usr/bin/python3, or why there is none. */
export function torchVersion(python = PYTHON): { version?: string; why?: string } {
  if (!fs.existsSync(python)) return { why: `no ${python}` };
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
  });
  return r.status === 0
    ? { version: r.stdout.trim() }
    : { why: `no torch in ${python} (apt-get install python3-torch)` };
}

/** The median seconds of `sasrec_step.py`'s line "… SASRec step median 0.6470 s (…". */
export function parseSasrecStep(stdout: string): number | undefined {
  const m = /SASRec step median ([\d.]+) s/.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

/** `farzi_ref.py`'s first `{"outer_step": 20, …, "s_per_step": …}` line. */
export function parseFarziStep(line: string): number | undefined {
  try {
    const v = JSON.parse(line) as { outer_step?: number; s_per_step?: number };
    return v.outer_step !== undefined && typeof v.s_per_step === 'number'
      ? v.s_per_step
      : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `farzi_ref.py` until it prints its seconds per outer step, then stops it. */
function farziStep(args: string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-u', ...args], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let buffer = '';
    let found: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n').slice(0, -1)) {
        found ??= parseFarziStep(line);
        if (found !== undefined) child.kill('SIGKILL');
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.on('close', () => resolve(found));
  });
}

/**
 * The twins for our SASRec step (ml-100k) and for the given Farzi outer-step cases
 * (`ml100k-<μ>x<ξ>`, T 10, real batch 256), two threads like ours.
 */
export async function runPeers(
  shared: string,
  farziCases: string[],
  smoke: boolean,
): Promise<PeerRun> {
  const torch = torchVersion();
  if (!torch.version) return { rows: [], note: `PyTorch twins not run: ${torch.why}` };
  const peers = path.join(shared, 'peers');
  // PyTorch as a user runs it (without the OpenBLAS defaults our process added), and, when those
  // differ from the user's environment, once more with them: like for like.
  const native = nativeEnvironment();
  const asInstalled: NodeJS.ProcessEnv = { ...native.userEnvironment, OMP_NUM_THREADS: '2' };
  const ours: NodeJS.ProcessEnv = { ...asInstalled, ...native.defaults };
  const differs = Object.keys(native.defaults).some((k) => asInstalled[k] !== ours[k]);
  const rows: PeerRow[] = [];
  const stepArgs = [
    path.join(peers, 'sasrec_step.py'),
    '--threads',
    '2',
    '--steps',
    smoke ? '3' : '15',
  ];
  const sasrecStep = (env: NodeJS.ProcessEnv) =>
    parseSasrecStep(spawnSync(PYTHON, stepArgs, { env, encoding: 'utf8' }).stdout ?? '');
  const seconds = sasrecStep(asInstalled);
  if (seconds !== undefined)
    rows.push({
      what: 'sasrec-step',
      setting: 'ml100k',
      seconds,
      secondsOurSettings: differs ? sasrecStep(ours) : undefined,
      command: `${PYTHON} ${stepArgs.join(' ')}`,
    });
  for (const c of farziCases) {
    const m = /^ml100k-(\d+)x(\d+)$/.exec(c);
    if (!m) continue;
    const args = [
      path.join(peers, 'farzi_ref.py'),
      '--data',
      path.join(shared, 'data', 'ml-100k', 'u.data'),
      '--mode',
      'farzi',
      '--mu',
      m[1],
      '--xi',
      m[2],
      '--inner',
      '10',
      '--outer',
      '20',
      '--traj',
      '1',
      '--traj_epochs',
      smoke ? '1' : '2',
    ];
    const s = await farziStep(args, asInstalled);
    if (s !== undefined)
      rows.push({
        what: 'farzi-outer-step',
        setting: c,
        seconds: s,
        secondsOurSettings: differs ? await farziStep(args, ours) : undefined,
        command: `${PYTHON} -u ${args.join(' ')}`,
      });
  }
  const settings = Object.entries(native.defaults)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return {
    rows,
    note:
      `PyTorch ${torch.version} (Debian's, OpenBLAS), 2 threads, in the same run: as installed` +
      (differs ? `, and with our OpenBLAS setting (${settings}; its OpenBLAS spins too)` : ''),
  };
}

/** The machine's vector extensions (a timing means little without them). */
export function cpuFlags(): string {
  try {
    const flags = /^flags\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    return flags
      .split(' ')
      .filter((f) => /^(avx|avx2|avx512f|avx512_bf16|avx512_vnni|fma|amx_tile)$/.test(f))
      .join(' ');
  } catch {
    return 'unknown';
  }
}

/** Our rows beside their PyTorch twins of the same run: seconds and the ratio (theirs ÷ ours). */
export function peerMarkdown(
  peers: PeerRun,
  training: TrainingRow[],
  distill: DistillRow[],
): string[] {
  const lines = ['', '## Against PyTorch (the twins of ../shared/peers, same run)', '', peers.note];
  if (peers.rows.length === 0) return lines;
  lines.push(
    '',
    '| what | ours: backend | ours s | PyTorch s | ratio (PyTorch ÷ ours) | PyTorch s, our OpenBLAS setting | ratio |',
    '|---|---|---|---|---|---|---|',
  );
  for (const p of peers.rows) {
    const ours =
      p.what === 'sasrec-step'
        ? training
            .filter((t) => t.model.toLowerCase() === 'sasrec' && !t.setting.includes('smoke'))
            .map((t) => ({ backend: t.backend, s: t.secondsPerStep }))
        : distill
            .filter((d) => d.case === p.setting)
            .map((d) => ({ backend: d.backend, s: d.total }));
    for (const o of ours)
      lines.push(
        `| ${p.what} ${p.setting} | ${o.backend} | ${fmt(o.s, 3)} | ${fmt(p.seconds, 3)} | ${fmt(p.seconds / o.s, 2)}× | ` +
          (p.secondsOurSettings === undefined
            ? '– | – |'
            : `${fmt(p.secondsOurSettings, 3)} | ${fmt(p.secondsOurSettings / o.s, 2)}× |`),
      );
  }
  lines.push('', `PyTorch commands: ${peers.rows.map((r) => `\`${r.command}\``).join(', ')}.`);
  return lines;
}

/** As the throughput tables print numbers: whole from 100 up, else `digits` decimals. */
function fmt(x: number, digits = 2): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}
