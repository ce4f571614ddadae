#!/usr/bin/env bash
# run18's decoder of rank 64 against rank 16 (both Beauty [50×20], aligned λ 0.5, 30 outer steps) on
# two more student seeds (7, 123), so the choice rests on three seeds of validation: seed 42 gave
# d 64 valid 0.0365 / test 0.0308 against d 16 0.0373 / 0.0289.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
C=configs/farzi-sasrec-beauty.json
res=benchmarks/beauty/levers/results20.jsonl
tools/bench/scripts/students.sh $C $L/opt30-ot05 '{"name":"farzi","path":"'$L'/d-opt30-ot05/farzi-data.safetensors"}' 42 7 123 >> $res
tools/bench/scripts/students.sh $C $L/opt30-ot05-d64 '{"name":"farzi","path":"'$L'/d-opt30-ot05-d64/farzi-data.safetensors"}' 42 7 123 >> $res
echo done >> $res
