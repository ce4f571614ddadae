#!/bin/sh
# Step-0 data with the shipped Amazon recipe (configs/farzi-sasrec-<data set>.json) from the
# full-data teacher of bench:quality (benchmarks/quality-<data set>/runs/full): random against
# coverage windows, and the teacher's share of each position (mix 1 shipped, 0.5, 0 = the real
# windows as they are). Each log gives the windows' head share, the targets' entropy, the fit's KL
# and the step-0 validation student; tools/bench/scripts/farziDataStats.js describes the data.
# Usage (repository root, FARZI_DATA_DIR set): benchmarks/step0-diagnosis/run.sh toys|beauty|sports
set -e
DS=$1
T=benchmarks/quality-$DS/runs/full
O=benchmarks/step0-diagnosis/$DS
mkdir -p $O
for v in "random 1 0" "coverage 1 0" "random 0.5 0" "random 0 0" "random 1 64" "random 1 256"; do
  set -- $v
  name=windows-$1-mix$2
  [ "$3" = 0 ] || name=$name-support$3
  [ -f $O/$name/summary.json ] || node tools/cli/bin/farzi.js distill --config configs/farzi-sasrec-$DS.json \
    --set distill.teacher.checkpoint=$T --set distill.outerSteps=0 --set "distill.size=[50,20]" --set distill.teacher.windows=$1 \
    --set distill.teacher.mix=$2 --set distill.support=$3 --out $O/$name > $O/$name.log 2>&1
done
# The same 1,000 events as more, shorter sequences: [100×10], [200×5] (shipped since), [250×4], [333×3].
for size in 100,10 200,5 250,4 333,3; do
  name=windows-random-mix1-size$(echo $size | tr , x)
  [ -f $O/$name/summary.json ] || node tools/cli/bin/farzi.js distill --config configs/farzi-sasrec-$DS.json \
    --set distill.teacher.checkpoint=$T --set distill.outerSteps=0 --set "distill.size=[$size]" \
    --out $O/$name > $O/$name.log 2>&1
done
# Coverage windows at the shipped [200×5].
name=windows-coverage-mix1-size200x5
[ -f $O/$name/summary.json ] || node tools/cli/bin/farzi.js distill --config configs/farzi-sasrec-$DS.json \
  --set distill.teacher.checkpoint=$T --set distill.outerSteps=0 --set "distill.size=[200,5]" \
  --set distill.teacher.windows=coverage --out $O/$name > $O/$name.log 2>&1
