#!/usr/bin/env bash
# GRU4Rec students on the bench's MovieLens-100K Farzi Data ([10×50] and [20×50], λ 0, 100 outer
# steps) at learning rates 0.01 and 0.03 instead of the SASRec students' 0.003 — on Beauty
# validation chose 0.03 for GRU4Rec students (57.6% of its full data against 39.2% at 0.003). The
# bench's rows at 0.003: [10×50] valid 0.0872 ± 0.0040, test 0.0737 ± 0.0025 (86.0% of GRU4Rec's
# full 0.0857); [20×50] valid 0.0974 ± 0.0024, test 0.0729 ± 0.0025 (85.1%). The bench's GRU4Rec
# student config (its config.json), only the learning rate changed, the bench's batch (μ);
# validation on all 943 users; three seeds each; the learning rate is chosen on validation.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
R=benchmarks/quality-ml-100k/runs
L=benchmarks/quality-ml-100k/levers/runs
res=benchmarks/quality-ml-100k/levers/results6.jsonl
mkdir -p $L
for lr in 0.03 0.01; do
  for b in 10x50 20x50; do
    C=$R/gru4rec-on-farzi-$b-s42/config.json
    src='{"name":"farzi","path":"'$R'/farzi-'$b'/farzi-data.safetensors"}'
    echo "gru4rec lr $lr [$b]" >> $res
    tools/bench/scripts/students.sh $C $L/gru-$b-lr$lr "$src" 42 7 123 -- --set train.batchSize=${b%x*} --set train.learningRate=$lr >> $res
  done
done
echo done >> $res
