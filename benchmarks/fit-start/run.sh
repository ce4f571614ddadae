#!/bin/sh
# Step-0 data of the shipped Amazon recipe ([200×5], teacher init) with the fit started from the
# teacher's own factors (distill.teacher.fitStart "teacher", latentDim 64) against the shipped fit
# (random start, d 16; its validation at step 0 is in the three-distillation tables) and a random
# start at d 64 (the rank alone). One distillation each (the first teacher, seed 42); the
# distillation's own validation student (5,000 users); teacher-lr0.005-30: the same with 30 outer
# steps (against the three-distillation table's first Beauty distillation, 0.0258 → 0.0338). Usage: sh benchmarks/fit-start/run.sh beauty|toys|sports [variants]
set -e
ds=$1; shift
case $ds in
  beauty) teacher=benchmarks/quality-beauty/runs/full ;;
  toys) teacher=benchmarks/quality-toys/runs/full ;;
  sports) teacher=benchmarks/shapes-sports/sports/runs/full ;;
esac
for v in ${@:-teacher teacher-lr0.005 random64}; do
  out=benchmarks/fit-start/$ds/$v
  [ -f $out/summary.json ] && continue
  case $v in
    teacher) extra="--set distill.latentDim=64 --set distill.teacher.fitStart=teacher" ;;
    teacher-lr0.005) extra="--set distill.latentDim=64 --set distill.teacher.fitStart=teacher --set distill.teacher.fitLearningRate=0.005" ;;
    random64) extra="--set distill.latentDim=64" ;;
    teacher-lr0.005-30-outer0.001) extra="--set distill.latentDim=64 --set distill.teacher.fitStart=teacher --set distill.teacher.fitLearningRate=0.005 --set distill.outerSteps=30 --set distill.outerLearningRate=0.001" ;;
    teacher-lr0.005-30) extra="--set distill.latentDim=64 --set distill.teacher.fitStart=teacher --set distill.teacher.fitLearningRate=0.005 --set distill.outerSteps=30" ;;
  esac
  rm -rf $out
  node tools/cli/bin/farzi.js distill --config configs/farzi-sasrec-$ds.json --set distill.teacher.checkpoint=$teacher \
    --set distill.outerSteps=0 --set distill.evalEvery=10 $extra --out $out > benchmarks/fit-start/$ds-$v.log 2>&1
done
