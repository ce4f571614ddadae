#!/usr/bin/env bash
# GRU4Rec on the best SASRec-distilled Beauty data ([50×20], aligned, 90 steps: d-opt90-ot05), the
# bench's GRU4Rec student config (its seed-42 run's config.json; the bench's recipe: batch 50,
# ≤ 300 epochs, lr 0.003), seed 42: the reference on this data, then a 3× learning rate (0.01) and
# the data read softer (train.source.temperature 1.5). The bench's row (λ 0 data, 80 steps): test
# 0.0142 ± 0.0017, 39.2% of GRU4Rec's full-data 0.0363.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
C=benchmarks/quality-beauty/runs/gru4rec-on-farzi-50x20-s42/config.json
res=benchmarks/beauty/levers/results17.jsonl
f=$L/d-opt90-ot05/farzi-data.safetensors
tools/bench/scripts/students.sh $C $L/gru-opt90-ot05 '{"name":"farzi","path":"'$f'"}' 42 >> $res
tools/bench/scripts/students.sh $C $L/gru-opt90-ot05-lr01 '{"name":"farzi","path":"'$f'"}' 42 -- --set train.learningRate=0.01 >> $res
tools/bench/scripts/students.sh $C $L/gru-opt90-ot05-t15 '{"name":"farzi","path":"'$f'","temperature":1.5}' 42 >> $res
echo done >> $res
