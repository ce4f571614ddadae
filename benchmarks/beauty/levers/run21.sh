#!/usr/bin/env bash
# GRU4Rec students on the best SASRec-distilled Beauty data (d-opt90-ot05): run17's learning rate
# 0.01 (seed 42: valid 0.0242 against 0.0200 at the bench's 0.003) on seeds 7 and 123, and 0.03 on
# seed 42, to choose the cross-architecture student's learning rate on validation.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
C=benchmarks/quality-beauty/runs/gru4rec-on-farzi-50x20-s42/config.json
res=benchmarks/beauty/levers/results21.jsonl
f=$L/d-opt90-ot05/farzi-data.safetensors
tools/bench/scripts/students.sh $C $L/gru-opt90-ot05-lr01 '{"name":"farzi","path":"'$f'"}' 42 7 123 -- --set train.learningRate=0.01 >> $res
tools/bench/scripts/students.sh $C $L/gru-opt90-ot05-lr03 '{"name":"farzi","path":"'$f'"}' 42 -- --set train.learningRate=0.03 >> $res
echo done >> $res
