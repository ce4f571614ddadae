#!/usr/bin/env bash
# Beauty [50×20]: the softer teacher (temperature 2) with 30 outer steps, one student (seed 42), against
# the reference 30-step data (ref-opt30-d16 in results1.jsonl).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
T=benchmarks/beauty/runs/sasrec-full-lb16
C=configs/farzi-sasrec-beauty.json
d=$L/d-opt30-tt2
[ -f $d/summary.json ] || npx farzi distill --config $C --set distill.teacher.checkpoint=$T --set distill.outerSteps=30 --set distill.teacher.temperature=2 --out $d > $d.log 2>&1
tools/bench/scripts/students.sh $C $L/opt30-tt2 '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 >> benchmarks/beauty/levers/results3.jsonl
