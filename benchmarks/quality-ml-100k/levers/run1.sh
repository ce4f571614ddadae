#!/usr/bin/env bash
# ML-100K [20×50] levers on validation (the distillation's validation student every 10 outer steps).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/quality-ml-100k/levers/runs
mkdir -p $L
T=benchmarks/quality-ml-100k/runs/full
C=configs/farzi-sasrec-ml100k.json
d() { local dir=$1; shift; [ -f $dir/summary.json ] || npx farzi distill --config $C --set distill.teacher.checkpoint=$T --set 'distill.size=[20,50]' "$@" --out $dir > $dir.log 2>&1; }
d $L/outer100 --set distill.outerSteps=100
d $L/outer100-lr003 --set distill.outerSteps=100 --set distill.outerLearningRate=0.03
