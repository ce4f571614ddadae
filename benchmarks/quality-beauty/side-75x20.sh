#!/usr/bin/env bash
# The [75×20] baselines' and step-0 students, trained beside `bench:quality --datasets beauty
# --budgets 75x20` (which distils first) with the bench's exact arguments and run names, in the
# reverse of the bench's order; the bench then reuses them (a run with metrics.json is not retrained).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
R=benchmarks/quality-beauty/runs
C=configs/farzi-sasrec-beauty.json
student() { # run name, source JSON, seed
  local d=$R/$1-75x20-s$3
  [ -f $d/metrics.json ] && return
  local resume=(); [ -f $d/checkpoints/last.safetensors ] && resume=(--resume) || rm -rf $d
  npx farzi train --config $C --set "train.source=$2" --set train.batchSize=75 --set train.epochs=300 \
    --set train.learningRate=0.003 --set train.evalEvery=20 --set train.earlyStopping.patience=4 \
    --set train.lengthBuckets=0 --set seed=$3 --out $d "${resume[@]}" >> $d.log 2>&1
}
for b in head-sample random-sample; do
  for s in 42 7 123; do student $b '{"name":"'$b'","users":75,"length":20}' $s; done
done
for s in 42 7 123; do
  student farzi-step0 '{"name":"farzi","path":"'$PWD/$R'/farzi-75x20/farzi-data-step0.safetensors"}' $s
done
echo side done
