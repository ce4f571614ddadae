#!/usr/bin/env bash
# GRU4Rec students on the aligned Beauty data converge within 20–40 epochs at lr 0.03 (run22: seed
# 123's best was the first evaluation): validated every 5 epochs instead of 20, lr 0.03, and a
# further step to lr 0.1; seed 42.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
C=benchmarks/quality-beauty/runs/gru4rec-on-farzi-50x20-s42/config.json
res=benchmarks/beauty/levers/results23.jsonl
src='{"name":"farzi","path":"'$L'/d-opt90-ot05/farzi-data.safetensors"}'
tools/bench/scripts/students.sh $C $L/gru-opt90-ot05-lr03-ev5 "$src" 42 -- --set train.learningRate=0.03 --set train.evalEvery=5 >> $res
tools/bench/scripts/students.sh $C $L/gru-opt90-ot05-lr1-ev5 "$src" 42 -- --set train.learningRate=0.1 --set train.evalEvery=5 >> $res
echo done >> $res
