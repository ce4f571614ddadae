#!/bin/sh
# Students on Toys' step-0 data (random windows) with the bench's small-data recipe, varying only
# the learning rate and the epoch cap: is the step-0 student under-trained? (seed 42)
set -e
D=$(pwd)/benchmarks/quality-toys/runs/farzi-step0-50x20/farzi-data.safetensors
for v in "0.003 1000" "0.01 300" "0.01 1000" "0.03 300"; do
  set -- $v
  out=benchmarks/step0-diagnosis/toys/students/lr$1-e$2
  [ -f $out/metrics.json ] || node tools/cli/bin/farzi.js train --config configs/farzi-sasrec-toys.json \
    --set train.source="{\"name\":\"farzi\",\"path\":\"$D\"}" --set train.batchSize=50 --set train.epochs=$2 \
    --set train.learningRate=$1 --set train.evalEvery=20 --set train.earlyStopping.patience=4 \
    --set train.lengthBuckets=0 --set seed=42 --out $out > $out.log 2>&1
done
