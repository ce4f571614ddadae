#!/usr/bin/env bash
# The student's recipe on the best Beauty data ([50×20], aligned, 90 steps: d-opt90-ot05, whose
# seed-42 student with the bench's recipe — batch 50, ≤ 300 epochs, lr 0.003 — scored valid 0.0402,
# test 0.0307, best epoch 140; results7.jsonl): a 3× learning rate (0.01), and twice the epochs
# (600). One student each (seed 42), validation on the config's 5,000 users.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
C=configs/farzi-sasrec-beauty.json
res=benchmarks/beauty/levers/results15.jsonl
src='{"name":"farzi","path":"'$L'/d-opt90-ot05/farzi-data.safetensors"}'
tools/bench/scripts/students.sh $C $L/opt90-ot05-lr01 "$src" 42 -- --set train.learningRate=0.01 >> $res
tools/bench/scripts/students.sh $C $L/opt90-ot05-ep600 "$src" 42 -- --set train.epochs=600 >> $res
echo done >> $res
