#!/bin/bash
# twenty-second session: back-off against the recipe at the shipped 90 outer steps on Beauty [200x5] (at 30 it never acts), three distillations; resumable. Runs from /work/wt37 like levers-beauty.sh.
cd /work/wt37 && FARZI_DATA_DIR=/work/shared/data node tools/bench/dist/levers.js --dataset beauty --budget 200x5 --distillations ${N:-3} \
  --teachers /work/runs/beauty-full,/work/runs/beauty-full-s1042,/work/runs/beauty-full-s2042 \
  --distill-set distill.outerSteps=90 --levers recipe,backoff --out /work/bench/levers-beauty-90
