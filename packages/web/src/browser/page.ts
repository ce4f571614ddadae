import * as tf from '@tensorflow/tfjs-core';
import { exportFiles, isFarziError } from '@farzi/core';
import { FarziData, farziShape, parseFarziData } from '@farzi/distill-farzi';
import { recommendNext } from '@farzi/metrics';
import { activateBackend, ActiveBackend, BROWSER_BACKENDS, BrowserBackend } from './backend';
import { LossChart } from './chart';
import { EvalSample, evaluateOnSample, parseEvalSample } from './evalSample';
import { studentDefaults, StudentSettings, trainOnFarziData, TrainedStudent } from './student';
import { storedZip } from './zip';

// The page: load Farzi Data (from the server's site.json or a dropped file), train a student in
// this browser, check it on held-out real sequences, recommend for a history, download the model.
// Its state is mirrored on `window.farzi` for scripts and the browser test.

interface SiteConfig {
  readonly data?: string;
  readonly eval?: string;
  readonly titles?: string;
}

interface PageState {
  status: 'starting' | 'ready' | 'training' | 'trained' | 'error';
  backend?: ActiveBackend;
  dataName?: string;
  settings?: StudentSettings;
  losses: number[];
  stepLosses: number[];
  seconds?: number;
  metrics?: Record<string, number>;
  recommendations?: { item: string; title?: string; score: number }[];
  error?: string;
}

const state: PageState = { status: 'starting', losses: [], stepLosses: [] };
(window as unknown as { farzi: unknown }).farzi = state;

let data: FarziData | undefined;
let sample: EvalSample | undefined;
let trained: TrainedStudent | undefined;
let titles = new Map<string, string>();
const history: string[] = [];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function show(id: string, text: string): void {
  $(id).textContent = text;
}

function fail(error: unknown): void {
  const message = isFarziError(error) ? error.message : `unexpected error: ${String(error)}`;
  state.error = message;
  state.status = data ? 'ready' : 'error';
  show('error', message);
  if (!isFarziError(error)) console.error(error);
}

const label = (id: string) => (titles.has(id) ? `${titles.get(id)} (${id})` : id);

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function useData(bytes: Uint8Array, name: string): void {
  const next = parseFarziData(bytes, name);
  if (data) tf.dispose([data.latent, data.decoder]);
  data = next;
  state.dataName = name;
  const { sequences, length, latentDim } = farziShape(data);
  const info = data.info as { model?: { name?: string }; budget?: { percentOfTraining?: number } };
  const share = info.budget?.percentOfTraining;
  show(
    'data-info',
    `${name}: ${sequences} synthetic sequences × ${length} positions over ${data.vocabulary.length - 1} items ` +
      `(latent ${latentDim})${share ? `, ${share.toPrecision(2)}% of the real training events` : ''}; ` +
      `distilled for ${info.model?.name ?? 'sasrec'}.`,
  );
  fillSettings(studentDefaults(data));
  const items = $('items');
  items.replaceChildren(
    ...data.vocabulary.slice(1).map((id) => {
      const option = document.createElement('option');
      option.value = label(id);
      return option;
    }),
  );
  ($('train') as HTMLButtonElement).disabled = false;
  state.status = 'ready';
}

function fillSettings(s: StudentSettings): void {
  ($('model') as HTMLSelectElement).value = s.model;
  ($('epochs') as HTMLInputElement).value = String(s.epochs);
  ($('lr') as HTMLInputElement).value = String(s.learningRate);
  ($('batch') as HTMLInputElement).value = String(s.batchSize);
  ($('seed') as HTMLInputElement).value = String(s.seed);
}

function readSettings(): StudentSettings {
  const model = ($('model') as HTMLSelectElement).value;
  const base = studentDefaults(data as FarziData, model);
  const num = (id: string) => Number(($(id) as HTMLInputElement).value);
  return {
    ...base,
    epochs: num('epochs'),
    learningRate: num('lr'),
    batchSize: num('batch'),
    seed: num('seed'),
  };
}

async function train(): Promise<void> {
  if (!data || state.status === 'training') return;
  const settings = readSettings();
  state.status = 'training';
  state.error = undefined;
  show('error', '');
  state.settings = settings;
  state.losses = [];
  state.stepLosses = [];
  state.metrics = undefined;
  ($('train') as HTMLButtonElement).disabled = true;
  if (trained) tf.dispose(Object.values(trained.params));
  trained = undefined;
  const chart = new LossChart($('chart') as unknown as SVGSVGElement);
  const progress = $('progress') as HTMLProgressElement;
  progress.max = settings.epochs;
  progress.value = 0;
  try {
    trained = await trainOnFarziData(data, settings, (event) => {
      if (event.type === 'step') {
        chart.add(event.loss);
        state.stepLosses.push(event.loss);
      } else if (event.type === 'epoch') {
        state.losses.push(event.loss);
        progress.value = event.epoch;
        show(
          'progress-text',
          `epoch ${event.epoch}/${settings.epochs}, loss ${event.loss.toFixed(4)}`,
        );
      }
    });
    state.seconds = trained.seconds;
    state.status = 'trained';
    show(
      'progress-text',
      `trained ${settings.model} for ${settings.epochs} epochs in ${trained.seconds.toFixed(1)} s on ${state.backend?.name}; final loss ${trained.losses.at(-1)?.toFixed(4)}`,
    );
    ($('download') as HTMLButtonElement).disabled = false;
    ($('evaluate') as HTMLButtonElement).disabled = !sample;
    if (sample) evaluate();
    recommend();
  } catch (error) {
    fail(error);
  } finally {
    ($('train') as HTMLButtonElement).disabled = false;
  }
}

function evaluate(): void {
  if (!trained || !sample || !data) return;
  try {
    const result = evaluateOnSample(
      trained.model,
      trained.params,
      data.vocabulary,
      data.sourceFingerprint,
      sample,
    );
    state.metrics = result.metrics;
    show(
      'eval-result',
      `${result.users} held-out users (${sample.source.part}, full ranking over every item, history masked): ` +
        `HR@10 ${result.metrics['HR@10'].toFixed(4)}, NDCG@10 ${result.metrics['NDCG@10'].toFixed(4)}`,
    );
  } catch (error) {
    fail(error);
  }
}

function renderHistory(): void {
  $('history').replaceChildren(
    ...history.map((id, i) => {
      const chip = document.createElement('button');
      chip.className = 'chip';
      chip.textContent = `${label(id)} ×`;
      chip.title = 'remove';
      chip.onclick = () => {
        history.splice(i, 1);
        renderHistory();
        recommend();
      };
      return chip;
    }),
  );
}

/** Adds an item typed as an id or picked as "title (id)" from the list. */
function addItem(text: string): void {
  if (!data) return;
  const trimmed = text.trim();
  const id = /\(([^()]*)\)$/.exec(trimmed)?.[1] ?? trimmed;
  if (!data.vocabulary.includes(id) || id === data.vocabulary[0]) {
    show('error', `"${trimmed.slice(0, 60)}" is not an item of this data.`);
    return;
  }
  show('error', '');
  history.push(id);
  renderHistory();
  recommend();
}

function recommend(): void {
  if (!trained || !data || history.length === 0) {
    $('recommendations').replaceChildren();
    state.recommendations = [];
    return;
  }
  const vocabulary = data.vocabulary;
  const indices = history.map((id) => vocabulary.indexOf(id));
  const top = recommendNext(trained.model, trained.params, indices, 10);
  state.recommendations = top.map((r) => ({
    item: vocabulary[r.index],
    ...(titles.has(vocabulary[r.index]) ? { title: titles.get(vocabulary[r.index]) } : {}),
    score: r.score,
  }));
  $('recommendations').replaceChildren(
    ...state.recommendations.map((r) => {
      const li = document.createElement('li');
      li.textContent = `${label(r.item)} — ${r.score.toFixed(3)}`;
      li.onclick = () => addItem(r.item);
      return li;
    }),
  );
}

function download(): void {
  if (!trained || !data) return;
  const { files } = exportFiles(trained.model, trained.params, data.vocabulary, {
    run: `browser: ${state.dataName}`,
    fingerprint: data.sourceFingerprint,
    data: state.dataName ?? '',
  });
  const zip = storedZip(files.map(([n, b]) => [`farzi-export/${n}`, b] as const));
  const blob = new Blob([zip.buffer as ArrayBuffer], { type: 'application/zip' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${trained.model.name}-export.zip`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function readDropped(file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (file.name.endsWith('.json')) {
    sample = parseEvalSample(new TextDecoder().decode(bytes), file.name);
    if (sample.titles) titles = new Map(Object.entries(sample.titles));
    show(
      'eval-info',
      `${file.name}: ${sample.sequences.length} held-out ${sample.source.part} sequences`,
    );
    ($('evaluate') as HTMLButtonElement).disabled = !trained;
    evaluate();
  } else useData(bytes, file.name);
}

async function start(): Promise<void> {
  const requested = (new URLSearchParams(location.search).get('backend') ??
    'auto') as BrowserBackend;
  ($('backend-choice') as HTMLSelectElement).value = BROWSER_BACKENDS.includes(requested)
    ? requested
    : 'auto';
  state.backend = await activateBackend(requested, new URL('./wasm/', location.href).href);
  show(
    'backend',
    `TensorFlow.js backend: ${state.backend.name}${state.backend.skipped.length ? ` (skipped ${state.backend.skipped.join('; ')})` : ''}`,
  );
  const site = (await fetch('site.json').then((r) => (r.ok ? r.json() : {}))) as SiteConfig;
  if (site.titles) titles = new Map(Object.entries(await fetch(site.titles).then((r) => r.json())));
  if (site.eval) {
    sample = parseEvalSample(await fetch(site.eval).then((r) => r.text()), site.eval);
    if (sample.titles) titles = new Map([...titles, ...Object.entries(sample.titles)]);
    show(
      'eval-info',
      `${site.eval}: ${sample.sequences.length} held-out ${sample.source.part} sequences`,
    );
  }
  if (site.data) useData(await fetchBytes(site.data), site.data.split('/').pop() ?? site.data);
  else {
    state.status = 'ready';
    show('data-info', 'Drop a farzi-data.safetensors file onto the page (or choose one).');
  }
}

function wire(): void {
  $('train').onclick = () => void train();
  $('evaluate').onclick = () => evaluate();
  $('download').onclick = () => download();
  $('backend-choice').onchange = (e) => {
    const url = new URL(location.href);
    url.searchParams.set('backend', (e.target as HTMLSelectElement).value);
    location.href = url.href;
  };
  ($('add') as HTMLFormElement).onsubmit = (e) => {
    e.preventDefault();
    const input = $('item') as HTMLInputElement;
    addItem(input.value);
    input.value = '';
  };
  ($('file') as HTMLInputElement).onchange = (e) => {
    for (const file of (e.target as HTMLInputElement).files ?? []) readDropped(file).catch(fail);
  };
  document.body.ondragover = (e) => e.preventDefault();
  document.body.ondrop = (e) => {
    e.preventDefault();
    for (const file of e.dataTransfer?.files ?? []) readDropped(file).catch(fail);
  };
}

wire();
start().catch((error) => {
  fail(error);
  state.status = 'error';
});
