#!/usr/bin/env bash
# Levers on Beauty [μ×ξ] = 1,000 events, judged on validation (5,000 fixed users), one student seed 42.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
R=benchmarks/beauty/runs
L=benchmarks/beauty/levers/runs
mkdir -p $L
T=$R/sasrec-full-lb16
C=configs/farzi-sasrec-beauty.json
S=tools/bench/scripts/students.sh
V="--set eval.validUsers=5000"
distill() { # dir, sets...
  local d=$1; shift
  [ -f $d/summary.json ] || npx farzi distill --config $C --set distill.teacher.checkpoint=$T $V "$@" --out $d > $d.log 2>&1
}
res=benchmarks/beauty/levers/results1.jsonl
$S $C $L/ref-step0-d16 '{"name":"farzi","path":"'$R'/farzi-50x20-step0/farzi-data.safetensors"}' 42 -- $V >> $res
$S $C $L/ref-opt30-d16 '{"name":"farzi","path":"'$R'/farzi-50x20-fast/farzi-data.safetensors"}' 42 -- $V >> $res
distill $L/d-step0-d64 --set distill.outerSteps=0 --set distill.latentDim=64
$S $C $L/step0-d64 '{"name":"farzi","path":"'$L'/d-step0-d64/farzi-data.safetensors"}' 42 -- $V >> $res
$S $C $L/opt30-d16-drop02 '{"name":"farzi","path":"'$R'/farzi-50x20-fast/farzi-data.safetensors"}' 42 -- $V --set model.dropout=0.2 >> $res
distill $L/d-step0-100x10 --set distill.outerSteps=0 --set 'distill.size=[100,10]'
$S $C $L/step0-100x10 '{"name":"farzi","path":"'$L'/d-step0-100x10/farzi-data.safetensors"}' 42 -- $V --set train.batchSize=100 >> $res
echo done >> $res
