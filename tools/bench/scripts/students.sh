#!/usr/bin/env bash
# Trains fresh SASRec students with the small-data recipe (batch 50 = all sequences, up to 300
# epochs, lr 0.003, validated every 20 with early stopping, no length buckets) on one training
# source, once per seed, and prints valid/test NDCG@10 and HR@10 per seed with mean ± std.
# Resumable: a seed whose run directory already has metrics.json is not trained again.
# Usage: tools/bench/scripts/students.sh <config> <run-prefix> '<train.source JSON>' [seed …]
# Example: tools/bench/scripts/students.sh configs/farzi-sasrec-beauty.json \
#   benchmarks/beauty/runs/farzi-50x20-student \
#   '{"name":"farzi","path":"benchmarks/beauty/runs/farzi-50x20/farzi-data.safetensors"}' 42 7 123
set -euo pipefail
config=$1
prefix=$2
source_json=$3
shift 3
if [ $# -eq 0 ]; then seeds=(42 7 123); else seeds=("$@"); fi
for seed in "${seeds[@]}"; do
  out="${prefix}-s${seed}"
  if [ -f "${out}/metrics.json" ]; then
    echo "seed ${seed}: ${out} already trained" >&2
    continue
  fi
  rm -rf "${out}"
  npx farzi train --config "${config}" --set train.source="${source_json}" \
    --set train.batchSize=50 --set train.epochs=300 --set train.learningRate=0.003 \
    --set train.evalEvery=20 --set train.lengthBuckets=0 --set seed="${seed}" --out "${out}" >&2
done
node -e '
const fs = require("fs");
const [prefix, ...seeds] = process.argv.slice(1);
const rows = seeds.map((s) => {
  const m = JSON.parse(fs.readFileSync(`${prefix}-s${s}/metrics.json`, "utf8"));
  return { seed: Number(s), validNDCG10: m.valid.metrics["NDCG@10"], testNDCG10: m.test.metrics["NDCG@10"],
    testHR10: m.test.metrics["HR@10"], trainSeconds: m.trainSeconds, bestEpoch: m.bestEpoch, events: m.source.events };
});
const stat = (k) => { const x = rows.map((r) => r[k]); const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, x.length - 1)); return { mean, sd }; };
console.log(JSON.stringify({ prefix, rows, validNDCG10: stat("validNDCG10"), testNDCG10: stat("testNDCG10"), testHR10: stat("testHR10") }));
' "${prefix}" "${seeds[@]}"
