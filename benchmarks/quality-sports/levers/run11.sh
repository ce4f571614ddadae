#!/usr/bin/env bash
# Sports [50×20]: run10's aligned 30-step data (λ 0.5) continued to 90 outer steps (a copy of
# d-opt30-ot05 resumed with distill.outerSteps=90, as Beauty's 90), then three students (seeds 42,
# 7, 123) with the bench's recipe (validation on the config's 5,000 users).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/quality-sports/levers/runs
d=$L/d-opt90-ot05
res=benchmarks/quality-sports/levers/results11.jsonl
[ -d $d ] || cp -r $L/d-opt30-ot05 $d
[ -f $d/distill-90.done ] || { npx farzi distill --config $d/config.json --set distill.outerSteps=90 --out $d --resume >> $d.log 2>&1 && touch $d/distill-90.done; } || exit 1
tools/bench/scripts/students.sh configs/farzi-sasrec-sports.json $L/opt90-ot05 '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 7 123 >> $res
echo done >> $res
