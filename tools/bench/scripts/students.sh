#!/usr/bin/env bash
# Trains fresh students with the small-data recipe (batch 50, up to 300 epochs, lr 0.003, validated
# every 20 with early stopping, no length buckets) on one training source, once per seed, and prints
# the config's metric (eval.metric: NDCG@10, perplexity, …) on valid and test per seed (plus HR@10
# where the evaluator reports it) with mean ± std.
# Resumable: a seed whose run directory already has metrics.json is not trained again.
# Usage: tools/bench/scripts/students.sh <config> <run-prefix> '<train.source JSON>' [seed …] [-- --set k=v …]
#   (seeds default to 42 7 123; arguments after -- are passed to every `farzi train`, after the recipe)
# Example: tools/bench/scripts/students.sh configs/farzi-sasrec-beauty.json \
#   benchmarks/beauty/runs/farzi-50x20-student \
#   '{"name":"farzi","path":"benchmarks/beauty/runs/farzi-50x20/farzi-data.safetensors"}' 42 7 123
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
config=$1
prefix=$2
source_json=$3
shift 3
seeds=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  seeds+=("$1")
  shift
done
[ $# -gt 0 ] && shift
extra=("$@")
if [ ${#seeds[@]} -eq 0 ]; then seeds=(42 7 123); fi
for seed in "${seeds[@]}"; do
  out="${prefix}-s${seed}"
  if [ -f "${out}/metrics.json" ]; then
    echo "seed ${seed}: ${out} already trained" >&2
    continue
  fi
  rm -rf "${out}"
  npx farzi train --config "${config}" --set train.source="${source_json}" \
    --set train.batchSize=50 --set train.epochs=300 --set train.learningRate=0.003 \
    --set train.evalEvery=20 --set train.lengthBuckets=0 --set seed="${seed}" \
    ${extra[@]+"${extra[@]}"} --out "${out}" >&2
done
node -e '
const fs = require("fs");
const [prefix, ...seeds] = process.argv.slice(1);
const rows = seeds.map((s) => {
  const dir = `${prefix}-s${s}`;
  const m = JSON.parse(fs.readFileSync(`${dir}/metrics.json`, "utf8"));
  const metric = JSON.parse(fs.readFileSync(`${dir}/config.json`, "utf8")).eval.metric;
  const row = { seed: Number(s), metric, valid: m.valid.metrics[metric], test: m.test.metrics[metric] };
  if (m.test.metrics["HR@10"] !== undefined) row.testHR10 = m.test.metrics["HR@10"];
  return { ...row, trainSeconds: m.trainSeconds, bestEpoch: m.bestEpoch, events: m.source.events };
});
const stat = (k) => { const x = rows.map((r) => r[k]); const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, x.length - 1)); return { mean, sd }; };
const out = { prefix, metric: rows[0].metric, rows, valid: stat("valid"), test: stat("test") };
if (rows.every((r) => r.testHR10 !== undefined)) out.testHR10 = stat("testHR10");
console.log(JSON.stringify(out));
' "${prefix}" "${seeds[@]}"
