import type { DatasetQualityResults, DistillationRecord, QualityRow } from './datasetQuality';

/* The per-data-set quality tables (results.md): rows with the student and distillation spreads, and
 * one line per distillation (its teacher, seeds, and what its outer loop did on validation). */

/** Four decimals for values below 10 (NDCG, HR), one above (perplexity). */
const digits = (x: number) => (Math.abs(x) >= 10 ? 1 : 4);
const f4 = (x: number) => x.toFixed(digits(x));
/** Mean ± sd, both with the mean's decimals. */
const pm = (s: { mean: number; sd: number }) => `${f4(s.mean)} ± ${s.sd.toFixed(digits(s.mean))}`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function across(row: QualityRow): string {
  const a = row.acrossDistillations;
  if (!a) return '–';
  return `${pm(a.test)} (${pct(a.shareOfFull.mean)} ± ${(100 * a.shareOfFull.sd).toFixed(1)} pts, ${a.count})`;
}

/**
 * What a distillation's outer loop gained on its own validation student (step 0 → best), positive
 * for an improvement whichever way the metric points; undefined without both values.
 */
export function outerLoopGain(d: DistillationRecord, lowerIsBetter: boolean): number | undefined {
  return d.step0Valid !== undefined && d.bestValid !== undefined
    ? (lowerIsBetter ? d.step0Valid / d.bestValid : d.bestValid / d.step0Valid) - 1
    : undefined;
}

function distillationLine(d: DistillationRecord, lowerIsBetter: boolean): string {
  const gain = outerLoopGain(d, lowerIsBetter);
  const valid =
    d.bestValid !== undefined
      ? `${d.step0Valid !== undefined ? f4(d.step0Valid) : '?'} → ${f4(d.bestValid)} (step ${d.bestStep} of ${d.steps})`
      : `${d.step0Valid !== undefined ? f4(d.step0Valid) : '?'} (step 0 only)`;
  const test = `${d.step0Test !== undefined ? f4(d.step0Test) : '–'} → ${d.test !== undefined ? f4(d.test) : '–'}`;
  return `| [${d.budget.replace('x', '×')}] | ${d.method} | ${d.index} | ${d.teacherSeed} | ${f4(d.teacherTest)} | ${d.seed} | ${valid} | ${gain !== undefined ? `${gain >= 0 ? '+' : ''}${(100 * gain).toFixed(1)}%` : '–'} | ${test} |`;
}

/** The results as markdown: quality, share of full data and cost per row, then the distillations. */
export function qualityMarkdown(r: DatasetQualityResults): string {
  const teachers = r.full.teachers;
  const fullLine =
    teachers.length > 1
      ? `${pm({ mean: r.full.test, sd: r.full.testSd ?? 0 })} over ${teachers.length} teachers (seeds ${teachers.map((t) => t.seed).join(', ')})`
      : f4(r.full.test);
  const lines = [
    `${r.dataset}: test ${r.metric} (${r.lowerIsBetter ? 'lower' : 'higher'} is better), student seeds as listed; full data: ${fullLine} (${r.full.events} training events, ${r.full.trainSeconds.toFixed(0)} s)`,
    ...(r.crossFull
      ? [
          `${r.crossFull.model} on the full data: ${f4(r.crossFull.test)} (${r.crossFull.trainSeconds.toFixed(0)} s); the ${r.crossFull.model}-on-<method> rows (students of that architecture on the data distilled with the first model) are a share of it`,
        ]
      : []),
    ...(r.command ? ['', `\`${r.command}\``] : []),
    '',
    'Test: mean over every student ± the students’ sd (within a distillation); across distillations: mean ± sd of each distillation’s mean student (and its share of full).',
    '',
    `| budget | training data | events (sequences) | valid ${r.metric} | test ${r.metric} | share of full | across distillations | test HR@10 | student s | distill s | teacher + distill + student s | students / hour |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of r.rows) {
    const total =
      row.distillSeconds !== undefined
        ? (r.full.trainSeconds + row.distillSeconds + row.studentSeconds).toFixed(0)
        : '–';
    lines.push(
      `| [${row.budget?.replace('x', '×')}] | ${row.data} (seeds ${row.seeds.join(', ')}) | ${[...new Set(row.events)].join('/')} (${[...new Set(row.sequences)].join('/')} seq.) | ${pm(row.valid)} | **${pm(row.test)}** | ${pct(row.shareOfFull)} | ${across(row)} | ${row.testHR10 ? pm(row.testHR10) : '–'} | ${row.studentSeconds.toFixed(0)} | ${row.distillSeconds?.toFixed(0) ?? '–'} | ${total} | ${(3600 / row.studentSeconds).toFixed(1)} |`,
    );
  }
  if (r.distillations.length) {
    lines.push(
      '',
      `Each distillation: its teacher (seed, test ${r.metric}), its own seed, its validation student on the step-0 data → at the best outer step (the outer loop's gain on validation), and the benchmark's students (mean test over the seeds) on the step-0 → optimised data.`,
      '',
      `| budget | method | distillation | teacher seed | teacher test | seed | valid ${r.metric}: step 0 → best | outer-loop gain (valid) | students' test: step 0 → optimised |`,
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...r.distillations.map((d) => distillationLine(d, r.lowerIsBetter)),
    );
  }
  return `${lines.join('\n')}\n`;
}
