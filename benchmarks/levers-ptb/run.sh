#!/bin/bash
# twenty-second session: PTB [258x36], recipe and back-off past 1% of the best on one build (/work/wt39), first distillation; resumable
cd /work/wt39 && FARZI_DATA_DIR=/work/shared/data node tools/bench/dist/levers.js --dataset ptb --budget 258x36 --distillations ${N:-1} \
  --teachers /work/runs/ptb-teacher,/work/bench/ptb-spread/ptb/runs/full-d2,/work/bench/ptb-spread/ptb/runs/full-d3 --levers recipe,backoff-1pct --out /work/bench/levers-ptb
