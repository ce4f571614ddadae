#!/usr/bin/env bash
# Beauty [50×20]: the decoder of rank 64 (distill.latentDim 64) continued to 90 outer steps — the
# next lever the 30-step measurement pointed to (run18/run20: valid 0.0368 ± 0.0009 against d 16's
# 0.0373 ± 0.0001, test 0.0297 ± 0.0015 against 0.0288 ± 0.0003, every bucket up on test). A copy of
# d-opt30-ot05-d64 resumed with distill.outerSteps=90 (as run7 did for d 16), then three students
# (seeds 42, 7, 123, in parallel) with the bench's recipe, validated on the config's 5,000 users,
# against d 16 at 90 steps (d-opt90-ot05: valid 0.0412 ± 0.0010, test 0.0315 ± 0.0007).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
d=$L/d-opt90-ot05-d64
res=benchmarks/beauty/levers/results24.jsonl
[ -d $d ] || cp -r $L/d-opt30-ot05-d64 $d
[ -f $d/distill-90.done ] || { npx farzi distill --config $d/config.json --set distill.outerSteps=90 --out $d --resume >> $d.log 2>&1 && touch $d/distill-90.done; } || exit 1
src='{"name":"farzi","path":"'$d'/farzi-data.safetensors"}'
for s in 42 7 123; do
  tools/bench/scripts/students.sh configs/farzi-sasrec-beauty.json $L/opt90-ot05-d64 "$src" $s > /dev/null 2>$L/opt90-ot05-d64-s$s.err &
done
wait
tools/bench/scripts/students.sh configs/farzi-sasrec-beauty.json $L/opt90-ot05-d64 "$src" 42 7 123 >> $res
echo done >> $res
