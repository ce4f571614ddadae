#!/usr/bin/env bash
# Beauty [50×20]: the best 30-step lever (distill.outerTeacher.weight 0.5, validation) continued to
# 90 outer steps (a copy of d-opt30-ot05 resumed with distill.outerSteps=90, as the shipped config's
# 90), then three students (seeds 42, 7, 123) with the bench's recipe — the row to set against the
# bench's Farzi [50×20] row (0.0294 ± 0.0009 test, λ 0, 90 steps).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
d=$L/d-opt90-ot05
C=$d/config.json
res=benchmarks/beauty/levers/results7.jsonl
[ -f $d/distill-90.done ] || { npx farzi distill --config $C --set distill.outerSteps=90 --out $d --resume >> $d.log 2>&1 && touch $d/distill-90.done; }
tools/bench/scripts/students.sh configs/farzi-sasrec-beauty.json $L/opt90-ot05 '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 7 123 >> $res
echo done >> $res
